#!/usr/bin/env bash
# The QEMU test board: one place that knows how to turn a (signed) root
# filesystem tarball into an initramfs and boot it on the stock Debian
# kernel under TCG, run a scenario script as the board's first process, and
# read the results back from the serial console.
#
#   board.sh ROOTFS.tar[.gz] SCENARIO.sh OUT_DIR [FILE:/dest ...]
#
# The scenario runs as root on the board (busybox sh) after /proc, /sys and
# /dev are mounted; it reports with lines "BOARD-RESULT <name> PASS|FAIL
# [detail]". The board powers off when the scenario ends. OUT_DIR receives
# console.log (the whole serial output) and results.txt (the BOARD-RESULT
# lines). Exits 0 when the board booted and finished the scenario (whatever
# its results), 1 when it did not (no kernel, timeout, panic).
#
# Kernel: $BOARD_KERNEL, else the one the kernel_module rule builds modules
# for (rules/private/kernel_headers.bzl looks in the same order): the
# running kernel's when its build directory exists, else the release of the
# newest /usr/src/linux-headers-*-amd64, else the newest /boot/vmlinuz-*.
# Timeout: $BOARD_TIMEOUT seconds (default 180; TCG boots in ~6 s).
set -euo pipefail
[ $# -ge 3 ] || { echo "usage: board.sh ROOTFS.tar[.gz] SCENARIO.sh OUT_DIR [FILE:/dest ...]" >&2; exit 2; }
rootfs=$1
scenario=$2
out=$3
shift 3
mkdir -p "$out"
out=$(cd "$out" && pwd)

default_kernel() {
  local running newest_headers
  running=$(uname -r)
  if [ -f "/lib/modules/$running/build/Makefile" ] && [ -f "/boot/vmlinuz-$running" ]; then
    echo "/boot/vmlinuz-$running"
    return
  fi
  newest_headers=$(ls -d /usr/src/linux-headers-*-amd64 2>/dev/null | sort -V | tail -1)
  if [ -n "$newest_headers" ] && [ -f "/boot/vmlinuz-${newest_headers#/usr/src/linux-headers-}" ]; then
    echo "/boot/vmlinuz-${newest_headers#/usr/src/linux-headers-}"
    return
  fi
  ls /boot/vmlinuz-* 2>/dev/null | sort -V | tail -1
}
kernel=${BOARD_KERNEL:-$(default_kernel)}
[ -f "$kernel" ] || { echo "board: no kernel (install linux-image-amd64 or set BOARD_KERNEL)" >&2; exit 1; }
command -v qemu-system-x86_64 >/dev/null || { echo "board: qemu-system-x86_64 missing (qemu-system-x86)" >&2; exit 1; }

work=$(mktemp -d "${TMPDIR:-/tmp}/digsig-board.XXXXXX")
trap 'rm -rf "$work"' EXIT
root="$work/root"
mkdir -p "$root"
# Device nodes and owners need root; as another user they are skipped.
tar --numeric-owner -xpf "$rootfs" -C "$root" 2>/dev/null || tar -xf "$rootfs" -C "$root"
for extra in "$@"; do
  src=${extra%%:*}
  dest=${extra#*:}
  mkdir -p "$root/$(dirname "$dest")"
  cp "$src" "$root/$dest"
done
mkdir -p "$root/proc" "$root/sys" "$root/dev" "$root/tmp"
cp "$scenario" "$root/scenario.sh"
chmod 0755 "$root/scenario.sh"
# The board's first process: mounts, the scenario, power off. Written here,
# not taken from the image, so every image boots the same way.
cat >"$root/board-init" <<'INIT'
#!/bin/sh
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev 2>/dev/null
mount -t tmpfs tmpfs /tmp
echo "BOARD-BOOTED $(uname -r)"
/bin/sh /scenario.sh
echo "BOARD-DONE"
poweroff -f
INIT
chmod 0755 "$root/board-init"
(cd "$root" && find . | sort | cpio -o -H newc --quiet -R 0:0) | gzip -1 >"$work/initramfs.cpio.gz"

status=0
timeout "${BOARD_TIMEOUT:-180}" qemu-system-x86_64 -accel tcg -m 512 -nographic -no-reboot \
  -kernel "$kernel" -initrd "$work/initramfs.cpio.gz" \
  -append "console=ttyS0 quiet panic=-1 rdinit=/board-init" \
  </dev/null >"$out/console.log" 2>&1 || status=$?
tr -d '\r' <"$out/console.log" | grep -a '^BOARD-RESULT ' >"$out/results.txt" || true
if ! grep -aq '^BOARD-DONE' <(tr -d '\r' <"$out/console.log"); then
  echo "board: the scenario did not finish (qemu exit $status); console in $out/console.log" >&2
  tail -20 "$out/console.log" >&2
  exit 1
fi
