#!/usr/bin/env bash
# The demo product on the QEMU board: the signed image built by Bazel
# (//images/demo:rootfs) boots on the stock Debian kernel and its own init
# script (rcS) applies the boards' enforce profile (images/common): digsig.ko
# enforcing and locked, the demo's signed module loaded, then module
# loading, kexec and ptrace closed. Each check is one result, most with a
# twin taken before the profile on the same board (the board as board.sh
# boots it, every door open), which shows the check can fail.
set -euo pipefail
export LC_ALL=C
# shellcheck source=tests/lib/harness.sh
source "$TEST_SRCDIR/digsig/tests/lib/harness.sh"
begin_test board
R="$TEST_SRCDIR/digsig"
board="$R/tests/board/board.sh"
image="$R/images/demo/rootfs.tar.gz"

# Placed on the board after the image was signed: an unsigned program, and
# board_tool signed by the image's key so that it runs under enforce.
cp "$R/images/demo/digsig-hello" unsigned-hello
"$R/signer/tools/digsig" sign --key "$R/rules/dev_key/key.pem" --cert "$R/rules/dev_key/cert.pem" \
  --allow-insecure-key -o board-tool "$R/tests/board/board_tool" 2>>"$LOG"
chmod 0755 unsigned-hello board-tool

cat >scenario.sh <<'SCENARIO'
result() { if [ "$2" = 0 ]; then echo "BOARD-RESULT $1 PASS"; else echo "BOARD-RESULT $1 FAIL $3"; fi; }
refused() { ! "$@" >/dev/null 2>&1; }
T=/opt/board-tool
S=/sys/kernel/security/digsig
# OUT ERRNO-TEXT: the command that printed OUT failed (status $?), saying ERRNO-TEXT.
failed_with() { s=$?; [ $s -ne 0 ] && echo "$1" | grep -q "$2"; }
sysctls() { echo "modules_disabled $(cat /proc/sys/kernel/modules_disabled)" \
  "kexec_load_disabled $(cat /proc/sys/kernel/kexec_load_disabled)" \
  "ptrace_scope $(cat /proc/sys/kernel/yama/ptrace_scope)"; }
# sleeper root|user: a signed process (busybox sleeping) of root or of the
# unprivileged user, alive across the profile; sets pid once it is busybox.
sleeper() {
  if [ "$1" = user ]; then $T as-user /bin/busybox sleep 600 & else /bin/busybox sleep 600 & fi
  pid=$!
  i=0
  while [ "$(cat /proc/$pid/comm 2>/dev/null)" != busybox ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
}
# mem_write root|user PID|self: writes into PID's code through /proc/PID/mem.
mem_write() { if [ "$1" = user ]; then $T as-user $T mem-write "$2" 2>&1; else $T mem-write "$2" 2>&1; fi; }
printf '#!/bin/sh\necho script-ran\n' >/tmp/script.sh && chmod 0755 /tmp/script.sh
# A second copy of the demo's module: loads before the profile; after it,
# insmod must fail with EPERM (modules_disabled), not EEXIST (already loaded).
cp /lib/modules/demo/demo_hello.ko /tmp/late.ko

echo "BOARD-INFO before the profile: $(sysctls)"
/opt/unsigned-hello >/dev/null; result before-unsigned-runs $?
/tmp/script.sh | grep -q script-ran; result before-script-runs $?
insmod /tmp/late.ko && rmmod demo_hello; result before-late-module-loads $?
out=$($T kexec load 2>&1); result before-kexec-load-allowed $? "$out"
out=$($T kexec file 2>&1); result before-kexec-file-load-allowed $? "$out"
sleeper root; rpid=$pid
sleeper user; upid=$pid
out=$(mem_write root $rpid); result before-root-writes-process-code $? "$out"
out=$(mem_write user $upid); result before-user-writes-own-process-code $? "$out"
$T as-user /bin/busybox unshare -Ur /bin/sh -c true; result before-user-namespaces-allowed $?

# The image's own init script, as busybox init runs it: the profile, then
# the greeting. (On failure it powers the board off: no BOARD-DONE.)
out=$(/etc/init.d/rcS 2>&1); rc=$?
echo "$out" | sed 's/^/BOARD-INFO rcS: /'
result profile-applied $rc "$out"
echo "$out" | grep -q "a signed program runs on Linux"; result program-output $? "$out"
echo "BOARD-INFO after the profile: $(sysctls); lockdown $(cat /sys/kernel/security/lockdown)"

# digsig.ko: loaded, enforcing, locked.
grep -q '^digsig ' /proc/modules; result digsig-loaded $?
test "$(cat $S/mode)" = enforce; result digsig-mode-enforce $?
test "$(cat $S/nonelf)" = deny; result digsig-nonelf-deny $?
test "$(cat $S/lock)" = 1; result digsig-locked $?
refused /opt/unsigned-hello; result unsigned-refused $?
dmesg | grep -q 'digsig: refused /opt/unsigned-hello (pid [0-9]*, .*): unsigned'; result unsigned-refusal-logged $?
refused /tmp/script.sh; result script-refused $?
out=$(/usr/bin/digsig-hello 2>&1); result signed-program-runs $? "$out"
/bin/ls / >/dev/null; result busybox-runs $?
$T as-user /bin/ls / >/dev/null; result user-runs-signed-program $?

# Modules: the demo's loaded by the profile, none after it.
grep -q '^demo_hello ' /proc/modules; result module-listed $?
dmesg | grep 'demo_hello: ' | tail -1 | grep -q 'a signed module loaded'; result module-init-ran $?
test "$(cat /proc/sys/kernel/modules_disabled)" = 1; result modules-disabled $?
out=$(insmod /tmp/late.ko 2>&1); failed_with "$out" 'Operation not permitted'; result late-module-refused $? "$out"

# kexec: both system calls refused with EPERM.
test "$(cat /proc/sys/kernel/kexec_load_disabled)" = 1; result kexec-load-disabled $?
out=$($T kexec load 2>&1); failed_with "$out" 'errno 1 '; result kexec-load-refused $? "$out"
out=$($T kexec file 2>&1); failed_with "$out" 'errno 1 '; result kexec-file-load-refused $? "$out"

# ptrace: no attach, so no write into a signed process's code through
# /proc/PID/mem, for the user into its own process nor for root; a process
# still reads and writes its own memory.
test "$(cat /proc/sys/kernel/yama/ptrace_scope)" = 3; result ptrace-scope-3 $?
out=$(mem_write root $rpid); failed_with "$out" 'open: errno 13 '; result root-cannot-write-process-code $? "$out"
out=$(mem_write user $upid); failed_with "$out" 'open: errno 13 '; result user-cannot-write-own-process-code $? "$out"
kill -0 $rpid && kill -0 $upid; result write-targets-still-running $?
test "$(cat /proc/sys/kernel/unprivileged_userns_clone)" = 0; result user-namespaces-disabled $?
! $T as-user /bin/busybox unshare -Ur /bin/sh -c true 2>/dev/null; result user-cannot-unshare $?
out=$(mem_write root self); result root-process-writes-own-memory $? "$out"
out=$(mem_write user self); result user-process-writes-own-memory $? "$out"
kill $rpid $upid

# Nothing of the profile can be undone (last: where it can, it is).
refused sh -c "echo permissive >$S/mode"; result digsig-mode-cannot-be-lowered $?
refused rmmod digsig; result digsig-cannot-be-unloaded $?
refused sysctl -w kernel.modules_disabled=0 && test "$(cat /proc/sys/kernel/modules_disabled)" = 1
result modules-cannot-be-reenabled $?
refused sysctl -w kernel.kexec_load_disabled=0 && test "$(cat /proc/sys/kernel/kexec_load_disabled)" = 1
result kexec-cannot-be-reenabled $?
refused sysctl -w kernel.yama.ptrace_scope=0 && test "$(cat /proc/sys/kernel/yama/ptrace_scope)" = 3
result ptrace-scope-cannot-be-lowered $?

test -f /.digsig/manifest; result manifest-shipped $?
dmesg | grep -E 'digsig:|demo_hello:' | sed 's/^/BOARD-DMESG /'
SCENARIO
check "the board boots the demo image and finishes the scenario" \
  "$board" "$image" scenario.sh "$W/out" unsigned-hello:/opt/unsigned-hello board-tool:/opt/board-tool
cat "$W/out/console.log" >>"$LOG"
for name in before-unsigned-runs before-script-runs before-late-module-loads \
  before-kexec-load-allowed before-kexec-file-load-allowed before-root-writes-process-code \
  before-user-writes-own-process-code before-user-namespaces-allowed profile-applied program-output \
  digsig-loaded digsig-mode-enforce digsig-nonelf-deny digsig-locked digsig-mode-cannot-be-lowered \
  digsig-cannot-be-unloaded unsigned-refused unsigned-refusal-logged script-refused \
  signed-program-runs busybox-runs user-runs-signed-program \
  module-listed module-init-ran modules-disabled late-module-refused modules-cannot-be-reenabled \
  kexec-load-disabled kexec-load-refused kexec-file-load-refused kexec-cannot-be-reenabled \
  ptrace-scope-3 ptrace-scope-cannot-be-lowered root-cannot-write-process-code \
  user-cannot-write-own-process-code write-targets-still-running root-process-writes-own-memory \
  user-process-writes-own-memory user-namespaces-disabled user-cannot-unshare manifest-shipped; do
  check "board: $name" grep -q "^BOARD-RESULT $name PASS" "$W/out/results.txt"
done
tr -d '\r' <"$W/out/console.log" | grep -aE '^BOARD-(DMESG|INFO)' || true
check "board: no kernel oops" bash -c "! grep -aqE 'Oops|BUG:|Call Trace' '$W/out/console.log'"
finish
