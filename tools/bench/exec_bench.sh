#!/usr/bin/env bash
# Exec latency on the QEMU board (TCG; compare numbers only within one run;
# three rounds interleave the modes and each number is the best round, as
# TCG timing drifts):
# a fork+exec loop of a small signed program (digsig-hello, 0.8 MB, static),
# a large one (busybox, 2 MB, static) and a dynamic one (a small C program
# whose PT_INTERP, the host's signed ld.so, digsig.ko verifies too) with
# digsig.ko not loaded, enforcing with no cache (every exec verifies: the
# cold cost), and enforcing with the cache (warm). The programs run from an
# ext4 disk (the board's tmpfs root is never cached: docs/runtime.md, "The
# cache"), the loader too (bind-mounted over /lib64). Then the memory a
# cache entry costs (its fsnotify mark and the inode's mark connector
# included): the kernel's slab use before and after the first exec of M
# distinct files (copies of a tiny signed static program) on that disk.
# Builds the demo image with Bazel first.
#
#   bash tools/bench/exec_bench.sh [ITERATIONS [FILES]]   (default 300, 2000)
set -euo pipefail
REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
N=${1:-300}
M=${2:-2000}
cd "$REPO"
targets=(//images/demo:rootfs //tests/board/ima:ima-hello //signer/tools:digsig)
bazel build "${targets[@]}" >/dev/null 2>&1 || bazel build "${targets[@]}"
W=$(mktemp -d "${TMPDIR:-/tmp}/digsig-exec-bench.XXXXXX")
trap 'rm -rf "$W"' EXIT
# The dynamic program and its loader, signed with the key digsig.ko trusts;
# libc is mapped, not exec'd, so digsig.ko does not look at it.
sign() { bazel-bin/signer/tools/digsig sign --key rules/dev_key/key.pem \
  --cert rules/dev_key/cert.pem --allow-insecure-key -o "$@" >/dev/null; }
sign "$W/dyn-hello" bazel-bin/tests/board/ima/ima-hello
cp -L /lib64/ld-linux-x86-64.so.2 "$W/ld.so.in" && sign "$W/ld.so" "$W/ld.so.in"
cp -L /lib/x86_64-linux-gnu/libc.so.6 "$W/libc.so.6"
cc -O2 -nostdlib -static -fno-pie -no-pie -fno-stack-protector -o "$W/tiny.in" \
  tests/board/interp_probe.c
sign "$W/tiny" "$W/tiny.in"
chmod 0755 "$W/dyn-hello" "$W/ld.so" "$W/tiny"
# The disk, and the modules of the board kernel's own package that read it.
PATH="$PATH:/usr/sbin:/sbin" mkfs.ext4 -q -F -O ^has_journal,^metadata_csum "$W/disk.img" 96M
kernel=$(bash tests/board/board.sh --kernel)
modules="/lib/modules/${kernel##*/vmlinuz-}/kernel"
extras=()
for module in lib/crc16 crypto/crc32c_generic fs/mbcache fs/jbd2/jbd2 fs/ext4/ext4 \
  drivers/virtio/virtio_ring drivers/virtio/virtio drivers/virtio/virtio_pci_legacy_dev \
  drivers/virtio/virtio_pci_modern_dev drivers/virtio/virtio_pci drivers/block/virtio_blk; do
  extras+=("$modules/$module.ko:/opt/modules/${module##*/}.ko")
done
cat >"$W/scenario.sh" <<SCENARIO
N=$N
for m in crc16 crc32c_generic mbcache jbd2 ext4 virtio_ring virtio virtio_pci_legacy_dev \
  virtio_pci_modern_dev virtio_pci virtio_blk; do
  insmod /opt/modules/\$m.ko || echo "BENCH-INFO insmod \$m failed"
done
i=0; while [ ! -b /dev/vda ] && [ \$i -lt 50 ]; do sleep 0.1; i=\$((i + 1)); done
D=/mnt/disk
mkdir -p \$D && mount -t ext4 /dev/vda \$D && mkdir \$D/lib64 && \
  cp /usr/bin/digsig-hello /bin/busybox /usr/bin/dyn-hello \$D/ && \
  cp /lib64/ld-linux-x86-64.so.2 \$D/lib64/ && mount -o bind \$D/lib64 /lib64 || \
  echo "BENCH-INFO the ext4 disk is not set up"
centis() { sed 's/ .*//; s/\.//' /proc/uptime; }
run() {  # run LABEL PROGRAM ARGS...: one round of N execs, microseconds per exec
  label=\$1; shift
  i=0; t0=\$(centis)
  while [ \$i -lt \$N ]; do "\$@" >/dev/null; i=\$((i + 1)); done
  t1=\$(centis)
  echo "BENCH \$label \$(( (t1 - t0) * 10000 / N ))"
}
all() {
  run "\$1 small" \$D/digsig-hello
  run "\$1 large" \$D/busybox true
  run "\$1 dynamic" \$D/dyn-hello
}
# Rounds interleave the modes, so drift in the VM's speed hits them alike.
for round in 1 2 3; do
  all off
  # Hashing the same files in userspace: (sha256sum run) - (true run).
  run "hash small" \$D/busybox sha256sum \$D/digsig-hello
  run "hash large" \$D/busybox sha256sum \$D/busybox
  run "hash dynamic" \$D/busybox sha256sum \$D/dyn-hello /lib64/ld-linux-x86-64.so.2
  insmod /lib/modules/digsig/digsig.ko mode=2 cache_size=0
  all cold
  rmmod digsig
  insmod /lib/modules/digsig/digsig.ko mode=2
  \$D/digsig-hello >/dev/null; \$D/dyn-hello >/dev/null; \$D/busybox true  # warm the cache
  all warm
  rmmod digsig
done
# Memory per cache entry: slab bytes (and kmalloc-192's object count: the
# entries) before and after M first execs of distinct files. fsnotify's
# connector slab is merged into another by SLUB, so only the total shows it.
M=$M
mkdir \$D/m
i=0; while [ \$i -lt \$M ]; do cp /usr/bin/tiny \$D/m/\$i; i=\$((i + 1)); done
sync
insmod /lib/modules/digsig/digsig.ko mode=2 cache_size=\$M
mount -t securityfs securityfs /sys/kernel/security 2>/dev/null
slab() { sed -n 's/^Slab: *\([0-9]*\) kB/\1/p' /proc/meminfo; }
objs() { awk -v n="\$1" '\$1 == n { print \$2 }' /proc/slabinfo; }
# No drop_caches: the copies' inodes stay in memory, so only what the
# execs add is measured.
s0=\$(slab); k0=\$(objs kmalloc-192)
i=0; while [ \$i -lt \$M ]; do \$D/m/\$i >/dev/null; i=\$((i + 1)); done
s1=\$(slab); k1=\$(objs kmalloc-192)
echo "MEM files \$M entries \$(sed -n 's/^cache_entries //p' /sys/kernel/security/digsig/stats) entry_bytes \$(sed -n 's/^cache_entry_bytes //p' /sys/kernel/security/digsig/stats) slab_kb \$((s1 - s0)) kmalloc192 \$((k1 - k0))"
echo "BOARD-RESULT bench PASS"
SCENARIO
BOARD_DISK="$W/disk.img" BOARD_TIMEOUT=900 bash tests/board/board.sh bazel-bin/images/demo/rootfs.tar.gz "$W/scenario.sh" "$W/out" \
  "$W/dyn-hello:/usr/bin/dyn-hello" "$W/ld.so:/lib64/ld-linux-x86-64.so.2" \
  "$W/libc.so.6:/lib/x86_64-linux-gnu/libc.so.6" "$W/tiny:/usr/bin/tiny" "${extras[@]}"
cp "$W/out/console.log" "${TMPDIR:-/tmp}/digsig-exec-bench-console.log"
tr -d '\r' <"$W/out/console.log" | tee >(grep -a '^BENCH-INFO' >&2) | grep -aE '^(BENCH|MEM) ' | python3 -c '
import sys
us = {}
mem = None
for line in sys.stdin:
    if line.startswith("MEM"):
        words = line.split()
        mem = dict(zip(words[1::2], (int(w) for w in words[2::2])))
        continue
    _, mode, size, value = line.split()
    us[(mode, size)] = min(int(value), us.get((mode, size), 1 << 60))  # best round
print(f"exec latency on the QEMU board (TCG), microseconds per fork+exec, {sys.argv[1]} iterations")
print("%-8s %8s %8s %8s %9s %9s" % ("binary", "off", "cold", "warm", "cold/off", "warm/off"))
for size in ("small", "large", "dynamic"):
    off, cold, warm = us[("off", size)], us[("cold", size)], us[("warm", size)]
    print(f"{size:<8} {off:>8} {cold:>8} {warm:>8} {cold/off:>8.2f}x {warm/off:>8.2f}x")
print("cold verification cost vs userspace sha256 of the same files (same VM):")
for size in ("small", "large", "dynamic"):
    verify = us[("cold", size)] - us[("off", size)]
    hashing = us[("hash", size)] - us[("off", "large")]
    print(f"{size:<8} verify {verify} us, sha256sum {hashing} us: {verify / max(hashing, 1):.2f}x")
if mem:
    files, entries, entry, objects, slab_kb = (mem[k] for k in (
        "files", "entries", "entry_bytes", "kmalloc192", "slab_kb"))
    print(f"memory per cache entry, {files} files ({entries} cached): entry {entry} bytes"
          f" (kmalloc-192 objects +{objects}), all slab {slab_kb * 1024 / max(files, 1):.0f}"
          " bytes per file (entry, mark connector, anything else the execs kept)")
' "$N"
