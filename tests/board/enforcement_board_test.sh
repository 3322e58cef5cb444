#!/usr/bin/env bash
# digsig.ko on the QEMU board (stock Debian kernel, TCG): the demo image,
# which ships the module; every scenario is one result. Signed binaries run;
# unsigned, altered, foreign-signed and malformed ELF files are refused in
# enforce mode and logged (and allowed) in permissive mode; scripts with a
# signed interpreter run; the verification cache hits and notices a rewrite;
# the policy is read and set through securityfs and, once locked, cannot be
# lowered nor the module unloaded; the kernel never oopses.
set -euo pipefail
export LC_ALL=C
W="$TEST_TMPDIR/enforcement"
rm -rf "$W" && mkdir -p "$W" && cd "$W"
LOG="$W/log"
: >"$LOG"
# shellcheck source=tests/lib/harness.sh
source "$TEST_SRCDIR/digsig/tests/lib/harness.sh"
R="$TEST_SRCDIR/digsig"
board="$R/tests/board/board.sh"
digsig="$R/signer/tools/digsig"

# Files placed on the board after the image was signed.
cp "$R/images/demo/digsig-hello" unsigned-hello
"$digsig" keygen --out other --subject "CN=someone else" >/dev/null
"$digsig" sign --key other/key.pem --cert other/cert.pem -o foreign-hello unsigned-hello 2>>"$LOG"
printf '\177ELF\002\001\001 not really an ELF file, but it says so' >fake-elf
chmod 0755 unsigned-hello foreign-hello fake-elf

cat >scenario.sh <<'SCENARIO'
result() { if [ "$2" = 0 ]; then echo "BOARD-RESULT $1 PASS"; else echo "BOARD-RESULT $1 FAIL $3"; fi; }
refused() { "$@" >/dev/null 2>&1; [ $? -ne 0 ]; }
/opt/unsigned-hello >/dev/null; result unsigned-runs-without-module $?

insmod /lib/modules/digsig/digsig.ko mode=1; result permissive-module-loads $?
/opt/unsigned-hello >/dev/null; result permissive-allows-unsigned $?
dmesg | grep -q 'digsig: would refuse /opt/unsigned-hello'; result permissive-logs $?
rmmod digsig; result module-unloads $?

insmod /lib/modules/digsig/digsig.ko mode=2; result enforce-module-loads $?
/usr/bin/digsig-hello >/dev/null; result signed-program-runs $?
/bin/ls / >/dev/null; result signed-busybox-runs $?
refused /opt/unsigned-hello; result unsigned-refused $?
dmesg | grep -q 'digsig: refused /opt/unsigned-hello (pid [0-9]*, .*): unsigned'; result refusal-logged $?
cp /usr/bin/digsig-hello /tmp/altered && printf '\252\125\252\125' | dd of=/tmp/altered bs=1 seek=4000 conv=notrunc 2>/dev/null
refused /tmp/altered; result altered-refused $?
dmesg | grep -q 'refused /tmp/altered .*: altered'; result altered-reason $?
cp /usr/bin/digsig-hello /tmp/copy && /tmp/copy >/dev/null; result signed-copy-runs $?
refused /opt/foreign-hello; result foreign-key-refused $?
dmesg | grep -q 'refused /opt/foreign-hello .*: unknown-signer'; result foreign-key-reason $?
refused /opt/fake-elf; result malformed-refused $?
dmesg | grep -q 'refused /opt/fake-elf .*: unsigned'; result malformed-refusal-logged $?
printf '#!/bin/sh\necho script-ran\n' >/tmp/script.sh && chmod 0755 /tmp/script.sh
/tmp/script.sh | grep -q script-ran; result script-with-signed-interpreter-runs $?
printf '#!/opt/unsigned-hello\n' >/tmp/bad-interp.sh && chmod 0755 /tmp/bad-interp.sh
refused /tmp/bad-interp.sh; result script-with-unsigned-interpreter-refused $?

# The cache: a second exec is a hit; a file rewritten after it ran is
# verified again, and refused.
S=/sys/kernel/security/digsig
mount -t securityfs securityfs /sys/kernel/security 2>/dev/null
stat() { sed -n "s/^$1 //p" $S/stats; }
cp /usr/bin/digsig-hello /tmp/cached && /tmp/cached >/dev/null
hits=$(stat cache_hits); /tmp/cached >/dev/null
test "$(stat cache_hits)" -gt "$hits"; result cache-hit-on-second-exec $?
printf '\252\125\252\125' | dd of=/tmp/cached bs=1 seek=4000 conv=notrunc 2>/dev/null
refused /tmp/cached; result rewritten-after-exec-refused $?
test "$(stat refused)" -gt 0 && test "$(stat verified)" -gt 0; result stats-count $?

# The policy through securityfs, then locked.
test "$(cat $S/mode)" = enforce; result securityfs-mode-reads $?
echo permissive >$S/mode && /opt/unsigned-hello >/dev/null; result mode-lowered-before-lock $?
echo enforce >$S/mode && refused /opt/unsigned-hello; result mode-raised $?
echo 1 >$S/lock; test "$(cat $S/lock)" = 1; result locked $?
refused sh -c "echo permissive >$S/mode"; result locked-mode-cannot-be-lowered $?
test "$(cat $S/mode)" = enforce; result locked-mode-stays-enforce $?
refused rmmod digsig; result locked-module-cannot-be-unloaded $?
refused /opt/unsigned-hello; result locked-still-refuses $?
SCENARIO

check "the board boots and finishes the scenario" "$board" "$R/images/demo/rootfs.tar.gz" \
  scenario.sh "$W/out" "unsigned-hello:/opt/unsigned-hello" "foreign-hello:/opt/foreign-hello" "fake-elf:/opt/fake-elf"
cat "$W/out/console.log" >>"$LOG"
for name in unsigned-runs-without-module permissive-module-loads permissive-allows-unsigned \
  permissive-logs module-unloads enforce-module-loads signed-program-runs signed-busybox-runs \
  unsigned-refused refusal-logged altered-refused altered-reason signed-copy-runs \
  foreign-key-refused foreign-key-reason malformed-refused malformed-refusal-logged \
  script-with-signed-interpreter-runs script-with-unsigned-interpreter-refused \
  cache-hit-on-second-exec rewritten-after-exec-refused stats-count securityfs-mode-reads \
  mode-lowered-before-lock mode-raised locked locked-mode-cannot-be-lowered \
  locked-mode-stays-enforce locked-module-cannot-be-unloaded locked-still-refuses; do
  check "board: $name" grep -q "^BOARD-RESULT $name PASS" "$W/out/results.txt"
done
check "board: no kernel oops" bash -c "! grep -aqE 'Oops|BUG:|Call Trace' '$W/out/console.log'"
finish
