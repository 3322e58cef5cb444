#!/usr/bin/env bash
# The demo product on the QEMU board: the signed image built by Bazel
# (//images/demo:rootfs) boots on the stock Debian kernel; its signed C++
# program and busybox run, and its signed kernel module loads and carries
# the module signature the kernel reads. Each scenario line is a result.
set -euo pipefail
export LC_ALL=C
# shellcheck source=tests/lib/harness.sh
source "$TEST_SRCDIR/digsig/tests/lib/harness.sh"
begin_test board
board="$TEST_SRCDIR/digsig/tests/board/board.sh"
image="$TEST_SRCDIR/digsig/images/demo/rootfs.tar.gz"

cat >scenario.sh <<'SCENARIO'
result() { if [ "$2" = 0 ]; then echo "BOARD-RESULT $1 PASS"; else echo "BOARD-RESULT $1 FAIL $3"; fi; }
out=$(/usr/bin/digsig-hello 2>&1); result signed-program-runs $? "$out"
echo "$out" | grep -q "a signed program runs on Linux" ; result program-output $? "$out"
/bin/ls / >/dev/null; result busybox-runs $?
insmod /lib/modules/demo/demo_hello.ko; result module-loads $?
grep -q '^demo_hello ' /proc/modules; result module-listed $?
dmesg | grep -q 'demo_hello: a signed module loaded'; result module-init-ran $?
test -f /.digsig/manifest; result manifest-shipped $?
SCENARIO
check "the board boots the demo image and finishes the scenario" \
  "$board" "$image" scenario.sh "$W/out"
cat "$W/out/console.log" >>"$LOG"
for name in signed-program-runs program-output busybox-runs module-loads module-listed \
  module-init-ran manifest-shipped; do
  check "board: $name" grep -q "^BOARD-RESULT $name PASS" "$W/out/results.txt"
done
check "board: no kernel oops" bash -c "! grep -aqE 'Oops|BUG:|Call Trace' '$W/out/console.log'"
finish
