#!/usr/bin/env bash
# digsig.ko and FUSE on the QEMU board: a FUSE server decides what every
# read returns, so digsig.ko refuses exec from FUSE in enforce mode
# (untrusted-mount) without verifying what it reads. The server is
# fuse_file (no libfuse on the board), serving a copy of the signed
# digsig-hello: it reads as the original (the legitimate use, which must
# keep working), its exec is refused, the same bytes copied to tmpfs run.
#  - the attack: a server that shows the signed file to the first open and
#    other bytes (the signed file with its message changed) to every later
#    one; refused the same, before its bytes matter;
#  - the unprivileged user: fuse allows mounts from a user namespace, so
#    no setuid fusermount is needed; refused the same;
#  - permissive mode: all three run, logged "would refuse".
# fuse.ko comes from the board kernel's own package.
set -euo pipefail
export LC_ALL=C
# shellcheck source=tests/lib/harness.sh
source "$TEST_SRCDIR/digsig/tests/lib/harness.sh"
begin_test fuse
# shellcheck source=tests/lib/board_test.sh
source "$TEST_SRCDIR/digsig/tests/lib/board_test.sh"

board_modules fs/fuse/fuse

sign fuse-file "$R/tests/board/fuse_file"
sign board-tool "$R/tests/board/board_tool"
chmod 0755 fuse-file board-tool
# The image's own signed digsig-hello, its message changed (same size).
tar -xzf "$R/images/demo/rootfs.tar.gz" ./usr/bin/digsig-hello
check "a swapped copy of the signed digsig-hello" python3 - <<'PY'
data = open("usr/bin/digsig-hello", "rb").read()
old, new = b"a signed program runs", b"a swapped binary runs"
assert data.count(old) == 1
open("swapped-hello", "wb").write(data.replace(old, new))
PY
extras+=(fuse-file:/opt/fuse-file board-tool:/opt/board-tool
  swapped-hello:/opt/swapped-hello)

cat >scenario.sh <<'SCENARIO'
result() { if [ "$2" = 0 ]; then echo "BOARD-RESULT $1 PASS"; else echo "BOARD-RESULT $1 FAIL $3"; fi; }
# Refused: exec failed (the shell's 126), not a program that ran and crashed.
refused() { "$@" >/dev/null 2>&1; [ $? -eq 126 ]; }
# logged VERDICT FILE: digsig.ko logged "VERDICT FILE (pid N, comm): untrusted-mount".
logged() { dmesg | grep -q "$1 $2 .*: untrusted-mount"; }
S=/sys/kernel/security/digsig
H=/usr/bin/digsig-hello
F=/opt/fuse-file
# The servers log their opens here (not to a pipe: they keep stderr open).
L=/tmp/fuse.log
insmod /opt/modules/fuse.ko; result fuse-module-loads $?
[ -c /dev/fuse ] || mknod /dev/fuse c 10 229
# What a distribution's udev rule does: /dev/fuse is for every user.
chmod 0666 /dev/fuse
insmod /lib/modules/digsig/digsig.ko mode=2; result enforce-module-loads $?
mount -t securityfs securityfs /sys/kernel/security
mkdir -p /mnt/fuse /mnt/swap /mnt/ufuse

$F /mnt/fuse hello $H 2>>$L && grep -q ' /mnt/fuse fuse ' /proc/mounts; result fuse-mounts $?
cmp /mnt/fuse/hello $H; result fuse-file-reads $?
refused /mnt/fuse/hello; result fuse-exec-refused $?
logged refused /mnt/fuse/hello; result fuse-exec-reason $?
cp /mnt/fuse/hello /tmp/hello && /tmp/hello >/dev/null; result fuse-copy-runs-from-tmp $?

# Open 1 reads the signed file, opens 2 and later the swapped one.
$F --swap=/opt/swapped-hello /mnt/swap hello $H 2>>$L; result swap-mounts $?
cmp /mnt/swap/hello $H; result swap-first-open-reads-signed $?
refused /mnt/swap/hello; result swap-exec-refused $?
logged refused /mnt/swap/hello; result swap-exec-reason $?

# The unprivileged user mounts in a user namespace of its own, reads, execs.
ufuse() {
  /opt/board-tool as-user /bin/busybox unshare -Urm /bin/sh -c "$F /mnt/ufuse hello $H &&
    echo mounted && cmp /mnt/ufuse/hello $H && echo reads
    /mnt/ufuse/hello >/dev/null 2>&1; echo exec \$?; umount /mnt/ufuse" 2>>$L
}
out=$(ufuse)
echo "$out" | grep -q mounted; result user-fuse-mounts $? "$out"
echo "$out" | grep -q reads; result user-fuse-file-reads $? "$out"
echo "$out" | grep -q 'exec 126'; result user-fuse-exec-refused $? "$out"
logged refused /mnt/ufuse/hello; result user-fuse-exec-reason $?

echo permissive >$S/mode; result permissive-mode $?
out=$(/mnt/fuse/hello) && echo "$out" | grep -q 'a signed program runs'
result permissive-fuse-exec-runs $? "$out"
logged 'would refuse' /mnt/fuse/hello; result permissive-fuse-exec-logged $?
out=$(/mnt/swap/hello) && echo "$out" | grep -q 'a swapped binary runs'
result permissive-swap-runs-other-bytes $? "$out"
out=$(ufuse)
echo "$out" | grep -q 'exec 0'; result permissive-user-fuse-exec-runs $? "$out"
logged 'would refuse' /mnt/ufuse/hello; result permissive-user-fuse-exec-logged $?
sed 's/^/BOARD-INFO /' $L
dmesg | grep -E 'digsig:|fuse' | sed 's/^/BOARD-DMESG /'
SCENARIO

check "the board boots and finishes the scenario" "$board" "$R/images/demo/rootfs.tar.gz" \
  scenario.sh "$W/out" "${extras[@]}"
cat "$W/out/console.log" >>"$LOG"
for name in fuse-module-loads enforce-module-loads fuse-mounts fuse-file-reads fuse-exec-refused \
  fuse-exec-reason fuse-copy-runs-from-tmp swap-mounts swap-first-open-reads-signed \
  swap-exec-refused swap-exec-reason user-fuse-mounts user-fuse-file-reads user-fuse-exec-refused \
  user-fuse-exec-reason permissive-mode permissive-fuse-exec-runs permissive-fuse-exec-logged \
  permissive-swap-runs-other-bytes permissive-user-fuse-exec-runs permissive-user-fuse-exec-logged; do
  check "board: $name" grep -q "^BOARD-RESULT $name PASS" "$W/out/results.txt"
done
tr -d '\r' <"$W/out/console.log" | grep -aE '^BOARD-(DMESG|INFO)' || true
check "board: no kernel oops" bash -c "! grep -aqE 'Oops|BUG:|Call Trace' '$W/out/console.log'"
finish
