#!/usr/bin/env bash
# digsig.ko against an attacker on the QEMU board (issue 13): each attack
# that once ran unsigned code, next to the legitimate use it must not break.
#  - the cache: a rewrite on vfat (2-second times, no i_version) within two
#    seconds or with its old times set back; a shared writable mapping on
#    tmpfs (no time or version update at all); a lower layer of a
#    root-mounted overlay rewritten underneath, by write(2) and by a
#    mapping, or held open for writing during the exec;
#  - mounts from a user namespace (tmpfs, overlayfs): their mounter
#    controls the bytes, so exec from them is refused;
#  - the lock: binfmt_misc loaded after it must not get ahead of the
#    verifier (a script entry, and an entry handing files to a signed
#    loader), and rmmod -f must not take the verifier away.
# The filesystem modules come from the board kernel's own package.
set -euo pipefail
export LC_ALL=C
# shellcheck source=tests/lib/harness.sh
source "$TEST_SRCDIR/digsig/tests/lib/harness.sh"
begin_test attacks
# shellcheck source=tests/lib/board_test.sh
source "$TEST_SRCDIR/digsig/tests/lib/board_test.sh"

board_modules drivers/block/loop fs/fat/fat fs/fat/vfat fs/nls/nls_cp437 fs/nls/nls_ascii \
  fs/nls/nls_utf8 fs/overlayfs/overlay fs/binfmt_misc

cp "$R/images/demo/digsig-hello" unsigned-hello
sign board-tool "$R/tests/board/board_tool"
sign mmap-write "$R/tests/board/mmap_write"
# A PIE whose PT_INTERP is a signed copy of the host's loader: signed, and
# not (the file binfmt_misc would hand to that loader).
cp -L /lib64/ld-linux-x86-64.so.2 ld.in
sign ld-signed.so ld.in
cc -O2 -nostdlib -fPIE -pie -fno-stack-protector -Wl,--dynamic-linker=/opt/ld-signed.so \
  -o probe-unsigned "$R/tests/board/interp_probe.c"
sign probe-signed probe-unsigned
chmod 0755 unsigned-hello board-tool mmap-write ld-signed.so probe-unsigned probe-signed
# mkfs.vfat (dosfstools) lives in sbin, which a test's PATH may lack.
check "an empty vfat image" env PATH="$PATH:/usr/sbin:/sbin" mkfs.vfat -C vfat.img 8192
extras+=(unsigned-hello:/opt/unsigned-hello board-tool:/opt/board-tool mmap-write:/opt/mmap-write
  ld-signed.so:/opt/ld-signed.so probe-unsigned:/opt/probe-unsigned probe-signed:/opt/probe-signed
  vfat.img:/opt/vfat.img)

cat >scenario.sh <<'SCENARIO'
result() { if [ "$2" = 0 ]; then echo "BOARD-RESULT $1 PASS"; else echo "BOARD-RESULT $1 FAIL $3"; fi; }
# Refused: exec failed (the shell's 126), not a program that ran and crashed.
refused() { "$@" >/dev/null 2>&1; [ $? -eq 126 ]; }
logged() { dmesg | grep -q "refused $1 .*: $2"; }
S=/sys/kernel/security/digsig
counter() { sed -n "s/^$1 //p" $S/stats; }
H=/usr/bin/digsig-hello
rewrite() { printf '\252\125\252\125' | dd of="$1" bs=1 seek=4000 conv=notrunc 2>/dev/null; }
for m in loop fat vfat nls_cp437 nls_ascii nls_utf8 overlay; do
  insmod /opt/modules/$m.ko || echo "BOARD-INFO insmod $m.ko failed"
done
insmod /lib/modules/digsig/digsig.ko mode=2; result enforce-module-loads $?
mount -t securityfs securityfs /sys/kernel/security
echo "BOARD-INFO $(grep cache_entry_bytes $S/stats)"

# vfat keeps times to 2 seconds and has no i_version: only events would
# show a rewrite within two seconds, or one that puts the old times back,
# and writers that send none (FMODE_NONOTIFY) exist; so nothing on vfat is
# cached, and every exec is verified.
mkdir -p /mnt/vfat
cp /opt/vfat.img /tmp/vfat.img && losetup /dev/loop0 /tmp/vfat.img && mount -t vfat /dev/loop0 /mnt/vfat
result vfat-mounts $?
cp $H /mnt/vfat/hello && /mnt/vfat/hello >/dev/null; result vfat-signed-runs $?
verified=$(counter verified); /mnt/vfat/hello >/dev/null
test "$(counter verified)" -gt "$verified"; result vfat-never-cached $?
rewrite /mnt/vfat/hello && refused /mnt/vfat/hello; result vfat-rewrite-within-2s-refused $?
logged /mnt/vfat/hello altered; result vfat-rewrite-reason $?
cp $H /mnt/vfat/timed && cp -p /mnt/vfat/timed /tmp/timed-ref && /mnt/vfat/timed >/dev/null
rewrite /mnt/vfat/timed && touch -r /tmp/timed-ref /mnt/vfat/timed
echo "BOARD-INFO vfat times after the rewrite: $(stat -c '%Y %Z %s' /mnt/vfat/timed), before: $(stat -c '%Y %Z %s' /tmp/timed-ref)"
refused /mnt/vfat/timed; result vfat-rewrite-old-times-refused $?

# tmpfs: a page read through a shared writable mapping, then written,
# changes the file without touching mtime, ctime or i_version (and through
# an overlay, without an event): tmpfs is never cached.
cp $H /tmp/mapped && /tmp/mapped >/dev/null && /tmp/mapped >/dev/null
out=$(/opt/mmap-write /tmp/mapped 4000); result tmpfs-mmap-write-done $? "$out"
echo "$out" | sed 's/^/BOARD-INFO /'
refused /tmp/mapped; result tmpfs-mmap-write-refused $?
logged /tmp/mapped altered; result tmpfs-mmap-write-reason $?
cp $H /tmp/untouched && /tmp/untouched >/dev/null
verified=$(counter verified); /tmp/untouched >/dev/null
test "$(counter verified)" -gt "$verified"; result tmpfs-never-cached $?

# A root-mounted overlay: the verdict is the real (lower) file's (here on
# tmpfs, so verified on every exec); a writer of the lower file makes exec
# busy, as on any file.
mkdir -p /tmp/l1 /tmp/l2 /mnt/ovl
for f in hello mapped held; do cp $H /tmp/l1/$f; done
mount -t overlay overlay -o lowerdir=/tmp/l1:/tmp/l2 /mnt/ovl; result overlay-mounts $?
/mnt/ovl/hello >/dev/null && /mnt/ovl/mapped >/dev/null; result overlay-signed-runs $?
verified=$(counter verified); /mnt/ovl/hello >/dev/null
test "$(counter verified)" -gt "$verified"; result overlay-on-tmpfs-never-cached $?
rewrite /tmp/l1/hello && refused /mnt/ovl/hello; result overlay-lower-rewrite-refused $?
logged /mnt/ovl/hello altered; result overlay-lower-rewrite-reason $?
/opt/mmap-write /tmp/l1/mapped 4000 >/dev/null && refused /mnt/ovl/mapped
result overlay-lower-mmap-write-refused $?
exec 4<>/tmp/l1/held
msg=$(/mnt/ovl/held 2>&1); test $? -ne 0; result overlay-lower-open-for-write-busy $? "$msg"
echo "BOARD-INFO exec with the lower file open for writing: $msg"
exec 4>&-
/mnt/ovl/held >/dev/null; result overlay-lower-closed-runs $?

# Mounts made from a user namespace: the unprivileged user mounts tmpfs and
# overlayfs there and execs a signed copy: refused; the same copy runs
# from the board's own /tmp.
echo "BOARD-INFO unprivileged_userns_clone=$(cat /proc/sys/kernel/unprivileged_userns_clone 2>/dev/null)"
mkdir -p /mnt/userns /tmp/ul /tmp/uu /tmp/uw && chmod 0777 /tmp/ul /tmp/uu /tmp/uw
cp $H /tmp/ul/hello && chmod 0755 /tmp/ul/hello
user() { /opt/board-tool as-user /bin/busybox unshare -Urm /bin/sh -c "$1"; }
user true; result user-namespace-available $?
/opt/board-tool as-user /tmp/ul/hello >/dev/null; result user-runs-signed-from-tmp $?
msg=$(user "mount -t tmpfs none /mnt/userns && cp $H /mnt/userns/hello && /mnt/userns/hello" 2>&1)
test $? -ne 0; result userns-tmpfs-exec-refused $? "$msg"
logged /mnt/userns/hello untrusted-mount; result userns-tmpfs-reason $?
msg=$(user "mount -t overlay overlay -o lowerdir=/tmp/ul,upperdir=/tmp/uu,workdir=/tmp/uw /mnt/userns && /mnt/userns/hello" 2>&1)
test $? -ne 0; result userns-overlay-exec-refused $? "$msg"
logged /mnt/userns/hello untrusted-mount; result userns-overlay-reason $?

# The lock, then binfmt_misc: its entries must not judge a file before the
# verifier does (a '#!' entry with non-ELF denied; an extension entry that
# hands files to a signed loader).
printf '#!/bin/sh\necho script-ran\n' >/tmp/script.sh && chmod 0755 /tmp/script.sh
cp /opt/probe-unsigned /tmp/probe.unsig && cp /opt/probe-signed /tmp/signed.unsig
echo deny >$S/nonelf && echo 1 >$S/lock; result locked $?
insmod /opt/modules/binfmt_misc.ko; result binfmt-misc-loads-after-lock $?
mount -t binfmt_misc binfmt_misc /proc/sys/fs/binfmt_misc; result binfmt-misc-mounts $?
echo ':script:M::#!::/bin/sh:' >/proc/sys/fs/binfmt_misc/register; result binfmt-misc-script-entry $?
echo ':loader:E::unsig::/opt/ld-signed.so:' >/proc/sys/fs/binfmt_misc/register
result binfmt-misc-loader-entry $?
dmesg | grep -q 'digsig: a binary format registered ahead; the verifier is first again'
result verifier-first-again $?
refused /tmp/script.sh; result binfmt-misc-script-refused $?
logged /tmp/script.sh not-elf; result binfmt-misc-script-reason $?
refused /tmp/probe.unsig; result binfmt-misc-unsigned-via-loader-refused $?
logged /tmp/probe.unsig unsigned; result binfmt-misc-unsigned-via-loader-reason $?
/tmp/signed.unsig | grep -q 'interp-probe ran'; result binfmt-misc-signed-via-loader-runs $?
echo -1 >/proc/sys/fs/binfmt_misc/status

# rmmod -f (CONFIG_MODULE_FORCE_UNLOAD) on the locked module: it stays, and
# enforces. Last: the module is left half-unloaded, its files unusable.
taint=$(cat /proc/sys/kernel/tainted)
rmmod -f digsig >/dev/null 2>&1 &
sleep 2
test $(( $(cat /proc/sys/kernel/tainted) & 8 )) = 8; result forced-rmmod-attempted $? "tainted $taint -> $(cat /proc/sys/kernel/tainted)"
refused /opt/unsigned-hello; result forced-rmmod-still-refuses $?
$H >/dev/null; result forced-rmmod-signed-runs $?
dmesg | grep -q 'digsig: forced unload of the locked verifier refused'; result forced-rmmod-logged $?
grep -q '^digsig ' /proc/modules; result forced-rmmod-module-listed $?
dmesg | grep 'digsig:' | sed 's/^/BOARD-DMESG /'
SCENARIO

export BOARD_TOOL="$R/tests/board/board_tool"
check "the board boots and finishes the scenario" "$board" "$R/images/demo/rootfs.tar.gz" \
  scenario.sh "$W/out" "${extras[@]}"
cat "$W/out/console.log" >>"$LOG"
for name in enforce-module-loads vfat-mounts vfat-signed-runs vfat-never-cached \
  vfat-rewrite-within-2s-refused vfat-rewrite-reason vfat-rewrite-old-times-refused \
  tmpfs-mmap-write-done tmpfs-mmap-write-refused tmpfs-mmap-write-reason tmpfs-never-cached \
  overlay-mounts overlay-signed-runs overlay-on-tmpfs-never-cached overlay-lower-rewrite-refused \
  overlay-lower-rewrite-reason overlay-lower-mmap-write-refused overlay-lower-open-for-write-busy \
  overlay-lower-closed-runs user-namespace-available user-runs-signed-from-tmp \
  userns-tmpfs-exec-refused userns-tmpfs-reason userns-overlay-exec-refused userns-overlay-reason \
  locked binfmt-misc-loads-after-lock binfmt-misc-mounts binfmt-misc-script-entry \
  binfmt-misc-loader-entry verifier-first-again binfmt-misc-script-refused binfmt-misc-script-reason \
  binfmt-misc-unsigned-via-loader-refused binfmt-misc-unsigned-via-loader-reason \
  binfmt-misc-signed-via-loader-runs forced-rmmod-attempted forced-rmmod-still-refuses \
  forced-rmmod-signed-runs forced-rmmod-logged forced-rmmod-module-listed; do
  check "board: $name" grep -q "^BOARD-RESULT $name PASS" "$W/out/results.txt"
done
tr -d '\r' <"$W/out/console.log" | grep -aE '^BOARD-(DMESG|INFO)' || true
check "board: no kernel oops" bash -c "! grep -aqE 'Oops|BUG:|Call Trace' '$W/out/console.log'"
finish
