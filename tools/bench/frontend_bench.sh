#!/usr/bin/env bash
# Request/response on loopback: the libaem front end (//aem/examples:frontend,
# io_uring; with 20 us of busy polling; and on its epoll backend, for
# reference) against the same server
# on plain epoll, libuv, libevent and Asio (epoll and io_uring reactors),
# all in //aem/bench, all doing the same work per request
# (aem/examples/frontend_protocol.h, HTTP/1.1 keep-alive). One load
# generator, wrk, at 100, 1,000 and 10,000 concurrent connections.
#
# Every server runs one event loop on CPU 0, wrk one thread on CPU 1 (the
# machine has two), so a server's throughput is what one core of it does.
# Rounds interleave the servers (the order rotates) so that drift hits them
# alike; the table shows each server's median round: requests/s, p50 and p99
# latency as wrk measures them, wrk's socket errors and non-200 replies
# summed over the rounds, and the server's CPU time per request (user +
# system, from /proc/PID/stat). "vs libaem" is the peer's throughput and p99
# over libaem's: below 1.00x and above 1.00x respectively means libaem is
# ahead. Builds with Bazel first; every run's wrk output is left in
# ${TMPDIR:-/tmp}/digsig-frontend-bench-last.
#
#   bash tools/bench/frontend_bench.sh [SECONDS [ROUNDS [CONNECTIONS...]]]
#   (default 5 s, 3 rounds, 100 1000 10000)
set -euo pipefail
REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
SECONDS_PER_RUN=${1:-5}
ROUNDS=${2:-3}
shift $(($# > 2 ? 2 : $#))
CONNECTIONS=("$@")
[ ${#CONNECTIONS[@]} -gt 0 ] || CONNECTIONS=(100 1000 10000)
cd "$REPO"
command -v wrk >/dev/null || { echo "frontend_bench: wrk is missing (apt-get install wrk)" >&2; exit 1; }
targets=(//aem/examples:frontend //aem/bench:all)
bazel build "${targets[@]}" >/dev/null 2>&1 || bazel build "${targets[@]}"
# 10,000 connections: both ends need more descriptors than the default 1024.
ulimit -n "$(ulimit -Hn)"
for c in "${CONNECTIONS[@]}"; do [ "$c" -lt "$(ulimit -n)" ] || {
  echo "frontend_bench: $c connections need more than the $(ulimit -n) descriptors allowed here" >&2
  exit 1
}; done
W=$(mktemp -d "${TMPDIR:-/tmp}/digsig-frontend-bench.XXXXXX")
server_pid=
# The raw wrk outputs stay in $LAST for whoever wants every round.
LAST="${TMPDIR:-/tmp}/digsig-frontend-bench-last"
cleanup() {
  [ -z "$server_pid" ] || kill "$server_pid" 2>/dev/null || true
  rm -rf "$LAST" && mv "$W" "$LAST"
}
trap cleanup EXIT

B=bazel-bin
servers=(libaem libaem-poll20 libaem-epoll epoll libuv libevent asio asio-uring)
command_of() {
  case $1 in
    libaem) echo "$B/aem/examples/frontend --backend uring" ;;
    libaem-poll20) echo "$B/aem/examples/frontend --backend uring --busy-poll-us 20" ;;
    libaem-epoll) echo "$B/aem/examples/frontend --backend epoll" ;;
    epoll) echo "$B/aem/bench/epoll_frontend" ;;
    libuv) echo "$B/aem/bench/libuv_frontend" ;;
    libevent) echo "$B/aem/bench/libevent_frontend" ;;
    asio) echo "$B/aem/bench/asio_frontend" ;;
    asio-uring) echo "$B/aem/bench/asio_uring_frontend" ;;
  esac
}
cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }

# run SERVER CONNECTIONS ROUND: one wrk run against a fresh server; appends
# "server connections round ticks requests wrk-output-file" to results.
run() {
  local name=$1 conns=$2 round=$3 out="$W/$1-$2-$3"
  : >"$out.server"
  # shellcheck disable=SC2046
  taskset -c 0 $(command_of "$name") --port 0 --protocol http >"$out.server" 2>&1 &
  server_pid=$!
  local i=0 port=
  while [ -z "$port" ] && [ $i -lt 100 ]; do
    port=$(sed -n 's/.*listening on [0-9.]*:\([0-9]*\).*/\1/p' "$out.server")
    [ -n "$port" ] || sleep 0.05
    i=$((i + 1))
  done
  [ -n "$port" ] || { echo "frontend_bench: $name did not start: $(cat "$out.server")" >&2; exit 1; }
  local t0 t1
  t0=$(cpu_ticks "$server_pid")
  taskset -c 1 wrk -t1 -c"$conns" -d"${SECONDS_PER_RUN}s" --timeout 10s --latency \
    "http://127.0.0.1:$port/" >"$out.wrk" 2>&1
  t1=$(cpu_ticks "$server_pid")
  kill -TERM "$server_pid"
  if ! wait "$server_pid"; then
    echo "frontend_bench: $name did not stop cleanly: $(cat "$out.server")" >&2
    exit 1
  fi
  server_pid=
  echo "$name $conns $round $((t1 - t0)) $out.wrk" >>"$W/results"
  sleep 1  # let TIME_WAIT and the listener's port settle between runs
}

echo "frontend_bench: ${SECONDS_PER_RUN}s per run, $ROUNDS rounds, connections ${CONNECTIONS[*]};" \
  "$(nproc) CPUs, kernel $(uname -r)" >&2
for conns in "${CONNECTIONS[@]}"; do
  for round in $(seq 1 "$ROUNDS"); do
    n=${#servers[@]}
    for k in $(seq 0 $((n - 1))); do
      run "${servers[$(((k + round - 1) % n))]}" "$conns" "$round"
    done
    echo "frontend_bench: $conns connections, round $round done" >&2
  done
done

python3 - "$W/results" "$(getconf CLK_TCK)" "${servers[@]}" <<'REPORT'
import re
import statistics
import sys

results_path, clk_tck, servers = sys.argv[1], int(sys.argv[2]), sys.argv[3:]
UNITS = {"us": 1e-3, "ms": 1.0, "s": 1e3}


def ms(text):
    m = re.fullmatch(r"([0-9.]+)(us|ms|s)", text)
    return float(m.group(1)) * UNITS[m.group(2)]


def parse(path):
    text = open(path).read()
    out = {"errors": 0, "non2xx": 0}
    m = re.search(r"Requests/sec:\s+([0-9.]+)", text)
    if not m:
        sys.exit("frontend_bench: no result from wrk in %s:\n%s" % (path, text))
    out["rps"] = float(m.group(1))
    out["requests"] = int(re.search(r"(\d+) requests in", text).group(1))
    for pct in ("50", "99"):
        out["p" + pct] = ms(re.search(r"^\s+%s%%\s+(\S+)" % pct, text, re.M).group(1))
    m = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", text)
    if m:
        out["errors"] = sum(int(g) for g in m.groups())
    m = re.search(r"Non-2xx or 3xx responses: (\d+)", text)
    if m:
        out["non2xx"] = int(m.group(1))
    return out


runs = {}
for line in open(results_path):
    name, conns, _round, ticks, path = line.split()
    r = parse(path)
    r["cpu_us"] = int(ticks) * 1e6 / clk_tck / max(r["requests"], 1)
    runs.setdefault(int(conns), {}).setdefault(name, []).append(r)

for conns in sorted(runs):
    print("\n%d connections (median of %d rounds)" % (conns, len(runs[conns][servers[0]])))
    print("%-13s %10s %9s %9s %8s %11s %15s" % (
        "server", "req/s", "p50 ms", "p99 ms", "errors", "cpu us/req", "vs libaem r/p99"))
    med = {}
    for name in servers:
        rs = sorted(runs[conns][name], key=lambda r: r["rps"])
        m = rs[len(rs) // 2]
        med[name] = {
            "rps": m["rps"],
            "p50": statistics.median(r["p50"] for r in rs),
            "p99": statistics.median(r["p99"] for r in rs),
            "errors": sum(r["errors"] + r["non2xx"] for r in rs),
            "cpu_us": statistics.median(r["cpu_us"] for r in rs),
        }
    base = med["libaem"]
    for name in servers:
        m = med[name]
        vs = "" if name == "libaem" else "%.2fx %.2fx" % (m["rps"] / base["rps"], m["p99"] / base["p99"])
        print("%-13s %10.0f %9.2f %9.2f %8d %11.2f %15s" % (
            name, m["rps"], m["p50"], m["p99"], m["errors"], m["cpu_us"], vs))
REPORT
