#!/usr/bin/env bash
# Process exit events delivered per second on the QEMU board (TCG, two
# CPUs; compare numbers only within one run): aem.ko (an EXIT subscriber on
# /dev/aem) against the proc connector (netlink, PROC_EVENT_EXIT, read with
# recvmmsg) while a generator (two processes) vforks and reaps N children
# (each exits at once) as fast as it can. Each case runs ROUNDS times in the same VM; the table
# shows the median rate and the worst loss. Cases: no listener (the
# generator's own rate), each mechanism with its default buffer (aem.ko's
# 256 KiB ring, the socket's default receive buffer), both with 4 MiB, both
# with a slow reader (1 ms of "work" per event: slower than the generator)
# with default and 4 MiB buffers, and both listening at once. "reader us/ev":
# the listener's CPU time (user + system) per event received. Loss: aem.ko's in-band LOST counts (and anything unaccounted for),
# the proc connector's missing exits and how often its socket overflowed
# (ENOBUFS: it says that it lost messages, not how many). Builds with Bazel
# first.
#
#   bash tools/bench/aem_bench.sh [N [ROUNDS]]      (default 20000, 3)
set -euo pipefail
REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
N=${1:-20000}
ROUNDS=${2:-3}
cd "$REPO"
targets=(//images/demo:rootfs //aem/kernel:aem //tools/bench:aem_exit_bench)
bazel build "${targets[@]}" >/dev/null 2>&1 || bazel build "${targets[@]}"
W=$(mktemp -d "${TMPDIR:-/tmp}/digsig-aem-bench.XXXXXX")
trap 'rm -rf "$W"' EXIT
cat >"$W/scenario.sh" <<SCENARIO
N=$N
ROUNDS=$ROUNDS
SCENARIO
cat >>"$W/scenario.sh" <<'SCENARIO'
B=/opt/aem_exit_bench
insmod /lib/modules/aem/aem.ko
# listen OUT ARGS...: a listener in the background (pid in $lp), subscribed.
listen() {
  out=$1; shift
  rm -f "$out"   # not the last round's READY: the child truncates it only later
  $B "$@" >"$out" 2>&1 &
  lp=$!
  i=0
  while ! grep -q READY "$out" && [ $i -lt 200 ]; do sleep 0.05; i=$((i + 1)); done
}
# finish PID: the listener reads what is left, reports and exits.
finish() { kill -USR1 "$1"; wait "$1"; }
# case LABEL [aem RING SLOW] [cn RCVBUF SLOW]: one line per listener and round.
case_() {
  label=$1; shift
  round=1
  while [ $round -le $ROUNDS ]; do
    a=; c=
    if [ "$1" = aem ]; then listen /tmp/aem.out aem "$2" "$3"; a=$lp; fi
    if [ "$1" = cn ]; then listen /tmp/cn.out cn "$2" "$3"; c=$lp; fi
    if [ "$4" = cn ]; then listen /tmp/cn.out cn "$5" "$6"; c=$lp; fi
    gen=$($B gen $N 2)
    if [ -n "$a" ]; then finish $a; echo "BENCH $label $round aem $gen $(grep RESULT /tmp/aem.out)"; fi
    if [ -n "$c" ]; then finish $c; echo "BENCH $label $round cn $gen $(grep RESULT /tmp/cn.out)"; fi
    if [ -z "$a$c" ]; then echo "BENCH $label $round none $gen"; fi
    round=$((round + 1))
  done
}
ROUNDS=1 case_ warm-up
case_ generator-only
case_ default aem 262144 0
case_ default cn 0 0
case_ 4MiB aem 4194304 0
case_ 4MiB cn 4194304 0
case_ slow-reader aem 262144 1000
case_ slow-reader cn 0 1000
case_ slow-4MiB aem 4194304 1000
case_ slow-4MiB cn 4194304 1000
case_ both-at-once aem 262144 0 cn 0 0
echo "BOARD-RESULT bench PASS"
SCENARIO
BOARD_SMP=2 BOARD_TIMEOUT=1800 bash tests/board/board.sh bazel-bin/images/demo/rootfs.tar.gz \
  "$W/scenario.sh" "$W/out" bazel-bin/aem/kernel/aem.ko:/lib/modules/aem/aem.ko \
  bazel-bin/tools/bench/aem_exit_bench:/opt/aem_exit_bench
cp "$W/out/console.log" "${TMPDIR:-/tmp}/digsig-aem-bench-console.log"
tr -d '\r' <"$W/out/console.log" | grep -a '^BENCH' | python3 -c '
import statistics, sys
n = int(sys.argv[1])
rows = {}
for line in sys.stdin:
    f = line.split()
    label, who = f[1], f[3]
    start, end, count = int(f[5]), int(f[6]), int(f[7])
    row = rows.setdefault((label, who), {k: [] for k in
          ("gen", "rate", "lost", "missing", "unreported", "overruns", "cpu")})
    row["gen"].append(count / ((end - start) / 1e9))
    if who == "none":
        continue
    received, lost, overruns, first, last, cpu_us = map(int, f[9:15])
    row["rate"].append(received / ((max(last, end) - start) / 1e9))
    row["lost"].append(lost)
    row["missing"].append(n - received)
    row["unreported"].append(n - received - lost)
    row["overruns"].append(overruns)
    row["cpu"].append(cpu_us / max(received, 1))
print(f"process exit events, {n} children per round (2 generator processes), "
      f"median of {sys.argv[2]} rounds, worst loss of any round")
head = ("case", "listener", "exits/s", "delivered/s", "reader us/ev", "missing", "reported",
        "unreported", "ENOBUFS")
print("| " + " | ".join(head) + " |")
print("|" + "---|" * len(head))
for (label, who), row in rows.items():
    if label == "warm-up":
        continue
    gen = "%.0f" % statistics.median(row["gen"])
    if who == "none":
        print("| " + " | ".join([label, "none", gen] + ["-"] * 6) + " |")
        continue
    aem = who == "aem"
    # A slow reader stops working when the generator ends and reads the rest
    # at once: its rate says nothing. The LOST counts of aem.ko cover every exit
    # it dropped, other processes exits too, so "unreported" is at least 0.
    rate = "-" if label.startswith("slow") else "%.0f" % statistics.median(row["rate"])
    print("| " + " | ".join([label, "aem.ko" if aem else "proc connector", gen, rate,
          "%.1f" % statistics.median(row["cpu"]),
          str(max(row["missing"])), str(max(row["lost"])) if aem else "-",
          str(max(0, max(row["unreported"]))), str(max(row["overruns"])) if not aem else "-"]) + " |")
' "$N" "$ROUNDS"
