#!/usr/bin/env bash
# aem.ko on the QEMU board (stock Debian kernel, TCG, two CPUs): the demo
# image plus aem.ko and the static test client aem_tool (tests/board/
# aem_tool.c, which does the checking on the board); every scenario is one
# result. The device appears; a subscriber sees a child's fork, exec and
# exit with the right pid/ppid/uid/comm and exit code; pid and uid filters
# keep out the rest; user events reach their channel's subscribers only; a
# flooded 4 KiB ring reports its loss in-band with seq numbers that add up;
# seq numbers are consecutive and time runs forward per CPU; poll, epoll and
# blocking reads wake on an event; producers on both CPUs, a slow reader and
# subscribers coming and going keep every record whole and every loss
# counted; a killed subscriber leaves no module reference and no memory
# behind; the module cannot be unloaded while a subscriber is open and can
# be after; limits hold; digsig.ko's refusals arrive as VERDICT records
# whichever module is loaded first, and digsig.ko works without aem.ko;
# digsig-monitor (io_uring and epoll) turns refusals, process events and
# its channel's user events into JSON lines with one alarm; the kernel logs
# no oops, BUG or WARNING.
set -euo pipefail
export LC_ALL=C
# shellcheck source=tests/lib/harness.sh
source "$TEST_SRCDIR/digsig/tests/lib/harness.sh"
begin_test aem
R="$TEST_SRCDIR/digsig"
board="$R/tests/board/board.sh"
digsig="$R/signer/tools/digsig"

# digsig.ko enforcing refuses unsigned programs: the client is signed with
# the key the image's digsig.ko trusts; the refused program is not.
"$digsig" sign --key "$R/rules/dev_key/key.pem" --cert "$R/rules/dev_key/cert.pem" \
  --allow-insecure-key -o aem_tool "$R/tests/board/aem_tool" 2>>"$LOG"
"$digsig" sign --key "$R/rules/dev_key/key.pem" --cert "$R/rules/dev_key/cert.pem" \
  --allow-insecure-key -o digsig-monitor "$R/aem/examples/digsig-monitor-static" 2>>"$LOG"
cp "$R/images/demo/digsig-hello" unsigned-hello
chmod 0755 aem_tool digsig-monitor unsigned-hello
cp "$R/aem/kernel/aem.ko" aem.ko

cat >scenario.sh <<'SCENARIO'
result() { if [ "$2" = 0 ]; then echo "BOARD-RESULT $1 PASS"; else echo "BOARD-RESULT $1 FAIL $3"; fi; }
# run NAME COMMAND...: the command's output as BOARD-INFO lines, its status as the result.
run() {
  name=$1; shift
  "$@" >/tmp/run.out 2>&1; rc=$?
  sed "s/^/BOARD-INFO $name: /" /tmp/run.out
  result "$name" $rc
}
T=/opt/aem_tool
AEM=/lib/modules/aem/aem.ko
DIGSIG=/lib/modules/digsig/digsig.ko
refs() { sed -n 's/^aem [0-9]* \([0-9]*\) .*/\1/p' /proc/modules; }
loaded() { grep -q '^aem ' /proc/modules; }
memfree() { sed -n 's/^MemFree: *\([0-9]*\) kB/\1/p' /proc/meminfo; }
# hold N: a background subscriber process with N open files; waits until they are.
hold() {
  rm -f /tmp/hold.out   # not the last holder's line: the child truncates it only later
  $T hold "$1" >/tmp/hold.out 2>&1 &
  holder=$!
  i=0
  while ! grep -q holding /tmp/hold.out && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
}
echo "BOARD-INFO cpus $(grep -c ^processor /proc/cpuinfo)"

insmod $AEM; result module-loads $?
test -c /dev/aem && grep -q ' aem$' /proc/misc; result device-appears $?
ls -l /dev/aem | grep -q '^crw-------'; result device-root-only $?
test "$(refs)" = 0; result no-references-at-rest $?

run lifecycle $T lifecycle
run pid-filter $T pidfilter
run uid-filter $T uidfilter
run user-channels $T channels
run flood-loss-reported $T flood
run order-seq-and-time-per-cpu $T order 4 300
run poll-wakes $T poll
run stress-concurrent-producers-slow-reader-churn $T stress 4 2000
test "$(refs)" = 0; result no-references-after-tools-exit $? "refs $(refs)"

# A subscriber killed without closing: its files are closed at exit, the
# module references go and the rings' memory comes back.
free0=$(memfree)
hold 8
test "$(refs)" = 8; result open-files-hold-references $? "refs $(refs)"
free1=$(memfree)
test $((free0 - free1)) -ge 24000; result rings-allocated $? "MemFree $free0 -> $free1 kB"
kill -9 $holder; wait $holder 2>/dev/null
test "$(refs)" = 0; result killed-subscriber-drops-references $? "refs $(refs)"
free2=$(memfree)
test $((free0 - free2)) -lt 4096; result killed-subscriber-memory-freed $? "MemFree $free0 -> $free2 kB"
echo "BOARD-INFO MemFree kB: before $free0, 8 subscribers with 4 MiB rings $free1, after kill $free2"

# Unload: refused while a subscriber is open, fine once it is gone.
hold 1
rmmod aem >/tmp/rmmod.out 2>&1; rc=$?
echo "BOARD-INFO rmmod with a subscriber open: exit $rc: $(cat /tmp/rmmod.out)"
test $rc -ne 0; result rmmod-refused-while-open $?
loaded && test -c /dev/aem && test "$(refs)" = 1; result module-stays-while-open $?
kill $holder; wait $holder 2>/dev/null
rmmod aem; result rmmod-after-close $?
! loaded && ! test -e /dev/aem; result device-gone-after-rmmod $?

# Limits: max_subscribers, ring sizes, malformed requests.
insmod $AEM max_subscribers=4; result module-loads-with-limit $?
run limits $T limits 4
rmmod aem; result rmmod-after-limits $?

# digsig.ko verdicts: aem.ko first, then digsig.ko (enforce).
insmod $AEM && insmod $DIGSIG mode=2; result aem-then-digsig-load $?
run verdict-aem-then-digsig $T verdict /opt/unsigned-hello 1
test "$(refs)" = 0; result digsig-holds-no-reference $? "refs $(refs)"
rmmod aem; result aem-unloads-under-digsig $?
/opt/unsigned-hello >/dev/null 2>&1; test $? -ne 0; result digsig-refuses-after-aem-gone $?
# ... then digsig.ko first, aem.ko after.
insmod $AEM; result aem-loads-after-digsig $?
run verdict-digsig-then-aem $T verdict /opt/unsigned-hello 1
rmmod digsig && rmmod aem; result both-unload $?
# Permissive: the verdict says allowed.
insmod $DIGSIG mode=1 && insmod $AEM; result permissive-loads $?
run verdict-permissive $T verdict /opt/unsigned-hello 0
rmmod aem && rmmod digsig; result permissive-unloads $?
# digsig.ko alone, aem.ko never seen.
insmod $DIGSIG mode=2; result digsig-loads-without-aem $?
/opt/unsigned-hello >/dev/null 2>&1; test $? -ne 0; result digsig-refuses-without-aem $?
/usr/bin/digsig-hello >/dev/null; result digsig-runs-signed-without-aem $?
rmmod digsig; result digsig-unloads-without-aem $?

# digsig-monitor (aem/examples) against the live modules, on io_uring
# (auto) and on epoll: its JSON lines and stderr go to the console, where
# the host checks them (monitor_log_check.py).
monitor_run() {
  tag=$1; shift
  /opt/digsig-monitor --events all --channel board --alarm-threshold 5 --stats "$@" \
    >/tmp/mon.json 2>/tmp/mon.err &
  mon=$!
  i=0
  while [ "$(refs)" != 1 ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
  test "$(refs)" = 1; result monitor-$tag-subscribes $? "refs $(refs)"
  /usr/bin/digsig-hello >/dev/null
  i=0
  while [ $i -lt 10 ]; do /opt/unsigned-hello >/dev/null 2>&1; i=$((i + 1)); done
  $T post board "hello from the board" >/dev/null
  $T post elsewhere "not for the monitor" >/dev/null
  sleep 1
  kill -TERM $mon; wait $mon; result monitor-$tag-stops-cleanly $?
  test "$(refs)" = 0; result monitor-$tag-drops-reference $? "refs $(refs)"
  sed "s/^/BOARD-MON-$tag /" /tmp/mon.json
  sed "s/^/BOARD-MONERR-$tag /" /tmp/mon.err
}
insmod $DIGSIG mode=2 && insmod $AEM; result monitor-modules-load $?
monitor_run uring
monitor_run epoll --backend epoll
rmmod aem && rmmod digsig; result monitor-modules-unload $?

dmesg | grep -E 'aem|digsig' | sed 's/^/BOARD-DMESG /'
! dmesg | grep -qE 'Oops|BUG:|WARNING:|Call Trace'; result dmesg-clean $?
SCENARIO

names=(module-loads device-appears device-root-only no-references-at-rest lifecycle pid-filter
  uid-filter user-channels flood-loss-reported order-seq-and-time-per-cpu poll-wakes
  stress-concurrent-producers-slow-reader-churn no-references-after-tools-exit
  open-files-hold-references rings-allocated killed-subscriber-drops-references
  killed-subscriber-memory-freed rmmod-refused-while-open module-stays-while-open
  rmmod-after-close device-gone-after-rmmod module-loads-with-limit limits rmmod-after-limits
  aem-then-digsig-load verdict-aem-then-digsig digsig-holds-no-reference aem-unloads-under-digsig
  digsig-refuses-after-aem-gone aem-loads-after-digsig verdict-digsig-then-aem both-unload
  permissive-loads verdict-permissive permissive-unloads digsig-loads-without-aem
  digsig-refuses-without-aem digsig-runs-signed-without-aem digsig-unloads-without-aem
  monitor-modules-load monitor-uring-subscribes monitor-uring-stops-cleanly
  monitor-uring-drops-reference monitor-epoll-subscribes monitor-epoll-stops-cleanly
  monitor-epoll-drops-reference monitor-modules-unload dmesg-clean)

export BOARD_SMP=2
check "the board boots and finishes the scenario" "$board" "$R/images/demo/rootfs.tar.gz" \
  scenario.sh "$W/out" aem.ko:/lib/modules/aem/aem.ko aem_tool:/opt/aem_tool \
  unsigned-hello:/opt/unsigned-hello digsig-monitor:/opt/digsig-monitor
cat "$W/out/console.log" >>"$LOG"
for name in "${names[@]}"; do
  check "board: $name" grep -q "^BOARD-RESULT $name PASS" "$W/out/results.txt"
done
# Every result the scenario printed is one the list above knows.
check "board: no unexpected results" bash -c \
  "test \$(wc -l <'$W/out/results.txt') -eq ${#names[@]}"
# What the board said, for whoever reads a failure.
tr -d '\r' <"$W/out/console.log" | grep -a -E '^BOARD-(INFO|RESULT .* FAIL)' || true
for tag in uring epoll; do
  check "board: digsig-monitor on $tag wrote what happened" python3 \
    "$R/tests/board/monitor_log_check.py" "$W/out/console.log" "$tag"
done
check "board: no kernel oops" bash -c "! grep -aqE 'Oops|BUG:|WARNING:|Call Trace' '$W/out/console.log'"
finish
