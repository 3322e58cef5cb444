#!/usr/bin/env bash
# The QEMU test board: one place that knows how to turn a (signed) root
# filesystem tarball into an initramfs and boot it on the stock Debian
# kernel under TCG, run a scenario script as the board's first process, and
# read the results back from the serial console.
#
#   board.sh ROOTFS.tar[.gz] SCENARIO.sh OUT_DIR [FILE:/dest ...]
#   board.sh --kernel      prints the kernel the board boots (for tests that
#                          ship modules of the board kernel's own package)
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
# CPUs: $BOARD_SMP (default 1).
# Disk: $BOARD_DISK, a raw image attached as a virtio disk (the board sees
# /dev/vda once it loads virtio_pci and virtio_blk); none by default.
#
# Extended attributes: an initramfs (cpio) carries none, but the board's root
# is then tmpfs, which keeps security.* attributes. With $BOARD_TOOL set to a
# static board_tool (tests/board/board_tool.c), board.sh lists the image's
# security.* attributes (the tarball's pax SCHILY.xattr.security.* records,
# e.g. the security.ima signatures of `digsig sign-tar --ima`; not for paths
# an extra FILE replaces) in /.board/xattrs, ships the tool as /.board/tool,
# and the board applies them with `/.board/tool setxattrs` before the
# scenario, printing "BOARD-XATTRS <tool output>" (or "BOARD-XATTRS FAILED
# ..."). Scenarios may call /.board/tool for its other commands (getxattr,
# ima-key, seal-ima). Without $BOARD_TOOL the image's attributes are not
# restored.
set -euo pipefail

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
if [ "${1:-}" = --kernel ]; then
  [ -f "$kernel" ] || { echo "board: no kernel (install linux-image-amd64 or set BOARD_KERNEL)" >&2; exit 1; }
  echo "$kernel"
  exit 0
fi
[ $# -ge 3 ] || { echo "usage: board.sh ROOTFS.tar[.gz] SCENARIO.sh OUT_DIR [FILE:/dest ...]" >&2; exit 2; }
rootfs=$1
scenario=$2
out=$3
shift 3
mkdir -p "$out"
out=$(cd "$out" && pwd)
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
if [ -n "${BOARD_TOOL:-}" ]; then
  [ -f "$BOARD_TOOL" ] || { echo "board: BOARD_TOOL=$BOARD_TOOL does not exist" >&2; exit 1; }
  mkdir -p "$root/.board"
  cp "$BOARD_TOOL" "$root/.board/tool"
  chmod 0755 "$root/.board/tool"
  # "NAME HEXVALUE /PATH" per attribute; python's tarfile decodes pax values
  # as UTF-8 with surrogateescape, so encoding them back gives the bytes.
  python3 - "$rootfs" "$@" >"$root/.board/xattrs" <<'PY'
import posixpath, sys, tarfile
replaced = {posixpath.normpath("/" + extra.split(":", 1)[1]) for extra in sys.argv[2:]}
with tarfile.open(sys.argv[1]) as tar:
    for member in tar:
        path = posixpath.normpath("/" + member.name)
        if path in replaced or "\n" in path:
            continue
        for key, value in sorted(member.pax_headers.items()):
            if key.startswith("SCHILY.xattr.security."):
                raw = value.encode("utf-8", "surrogateescape")
                print(key[len("SCHILY.xattr."):], raw.hex(), path)
PY
fi
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
if [ -x /.board/tool ] && [ -f /.board/xattrs ]; then
  if out=$(/.board/tool setxattrs /.board/xattrs 2>&1); then
    echo "BOARD-XATTRS $out"
  else
    echo "BOARD-XATTRS FAILED $out"
  fi
fi
/bin/sh /scenario.sh
echo "BOARD-DONE"
# A scenario may have made busybox unrunnable (an exec policy): then the
# kernel's sysrq power-off, so the board never waits for the timeout.
poweroff -f || echo o >/proc/sysrq-trigger
INIT
chmod 0755 "$root/board-init"
(cd "$root" && find . | sort | cpio -o -H newc --quiet -R 0:0) | gzip -1 >"$work/initramfs.cpio.gz"

disk=()
if [ -n "${BOARD_DISK:-}" ]; then
  [ -f "$BOARD_DISK" ] || { echo "board: BOARD_DISK=$BOARD_DISK does not exist" >&2; exit 1; }
  disk=(-drive "file=$BOARD_DISK,if=virtio,format=raw")
fi
status=0
timeout "${BOARD_TIMEOUT:-180}" qemu-system-x86_64 -accel tcg -smp "${BOARD_SMP:-1}" -m 512 -nographic -no-reboot \
  "${disk[@]}" \
  -kernel "$kernel" -initrd "$work/initramfs.cpio.gz" \
  -append "console=ttyS0 quiet panic=-1 rdinit=/board-init" \
  </dev/null >"$out/console.log" 2>&1 || status=$?
tr -d '\r' <"$out/console.log" | grep -a '^BOARD-RESULT ' >"$out/results.txt" || true
if ! grep -aq '^BOARD-DONE' <(tr -d '\r' <"$out/console.log"); then
  echo "board: the scenario did not finish (qemu exit $status); console in $out/console.log" >&2
  tail -20 "$out/console.log" >&2
  exit 1
fi
