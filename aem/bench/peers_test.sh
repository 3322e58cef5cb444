#!/usr/bin/env bash
# The benchmark's servers against the same client: libaem's frontend and its
# peers (plain epoll, libuv, libevent, Asio on epoll and on io_uring), on
# every protocol (length, line, http). Each is started on port 0 and its
# "listening on" line parsed; then pipelined requests in one write get every
# reply in order, a request split across two writes is answered, malformed
# and oversized requests close the connection, "Connection: close" closes
# after the reply, 200 concurrent connections of 50 requests each all
# succeed, SIGTERM with connections open exits 0 with the --stats line, and
# in http mode a short wrk run reports requests and no errors.
set -euo pipefail
B="$TEST_SRCDIR/digsig/aem/bench"
# shellcheck source=tests/lib/harness.sh
source "$TEST_SRCDIR/digsig/tests/lib/harness.sh"
begin_test peers

SERVERS=(
  "frontend:$TEST_SRCDIR/digsig/aem/examples/frontend"
  "epoll-frontend:$B/epoll_frontend"
  "libuv-frontend:$B/libuv_frontend"
  "libevent-frontend:$B/libevent_frontend"
  "asio-frontend:$B/asio_frontend"
  "asio-uring-frontend:$B/asio_uring_frontend"
)

# The client: `client.py CHECK PORT PROTOCOL`, exit 0 when the check holds.
cat >client.py <<'EOF'
import asyncio, socket, struct, sys, time

check, port, proto = sys.argv[1], int(sys.argv[2]), sys.argv[3]
MAX_REQUEST = 64 * 1024
HTTP_REPLY = (b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 13\r\n\r\n"
              b"Hello, World!")


def request(i, size=0):
    """A request of the protocol and the reply it must get."""
    body = (b"%d:" % i + b"x" * size)
    if proto == "length":
        frame = struct.pack(">I", len(body)) + body
        return frame, frame
    if proto == "line":
        return body + b"\n", body + b"\n"
    if size:
        return (b"POST /%d HTTP/1.1\r\nHost: t\r\ncontent-length: %d\r\n\r\n" % (i, len(body))
                + body, HTTP_REPLY)
    return b"GET /%d HTTP/1.1\r\nHost: t\r\nUser-Agent: peers_test\r\n\r\n" % i, HTTP_REPLY


def connect():
    s = socket.create_connection(("127.0.0.1", port), timeout=10)
    s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    return s


def recv_exactly(s, n):
    data = b""
    while len(data) < n:
        chunk = s.recv(n - len(data))
        if not chunk:
            raise SystemExit("end of stream after %d of %d bytes" % (len(data), n))
        data += chunk
    return data


def expect_close(s):
    """The server closes without replying: end of stream or a reset."""
    got = b""
    try:
        while True:
            chunk = s.recv(65536)
            if not chunk:
                break
            got += chunk
    except ConnectionResetError:
        pass
    if got:
        raise SystemExit("unexpected reply before the close: %r" % got[:80])


def pipelined():
    reqs = [request(i, size) for i, size in
            enumerate([0, 5, 0, 20000, 1, 60000, 0, 100] + [0] * 40)]
    with connect() as s:
        s.sendall(b"".join(r for r, _ in reqs))
        want = b"".join(w for _, w in reqs)
        got = recv_exactly(s, len(want))
        if got != want:
            raise SystemExit("replies differ from the requests' order")


def split():
    with connect() as s:
        for i, cut in enumerate([1, 3, 7, 12]):
            req, want = request(i, 30)
            s.sendall(req[:cut])
            time.sleep(0.05)
            s.sendall(req[cut:])
            if recv_exactly(s, len(want)) != want:
                raise SystemExit("wrong reply to a split request")


def send_ignoring_reset(s, data):
    try:
        s.sendall(data)
    except (BrokenPipeError, ConnectionResetError):
        pass


def too_large():
    with connect() as s:
        if proto == "length":
            send_ignoring_reset(s, struct.pack(">I", MAX_REQUEST + 1) + b"x" * 100)
        elif proto == "line":
            send_ignoring_reset(s, b"y" * (MAX_REQUEST + 5000))
        else:
            send_ignoring_reset(s, b"GET / HTTP/1.1\r\nX-Big: " + b"z" * (MAX_REQUEST + 5000))
        expect_close(s)


def malformed():
    bad = {"http": [b"NONSENSE\r\n\r\n", b"GET / HTTP/1.1\r\nContent-Length: abc\r\n\r\n"],
           "length": [b"\xff\xff\xff\xff"], "line": [b"z" * (2 * MAX_REQUEST)]}[proto]
    for data in bad:
        with connect() as s:
            # A good request and its reply first, then the bad one and the close.
            req, want = request(1)
            s.sendall(req)
            if recv_exactly(s, len(want)) != want:
                raise SystemExit("wrong reply before the malformed request")
            send_ignoring_reset(s, data)
            expect_close(s)


def connection_close():
    with connect() as s:
        req = b"GET / HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n"
        s.sendall(req)
        if recv_exactly(s, len(HTTP_REPLY)) != HTTP_REPLY:
            raise SystemExit("wrong reply")
        s.settimeout(5)
        if s.recv(1) != b"":
            raise SystemExit("data after the reply to Connection: close")
    with connect() as s:  # HTTP/1.0 without keep-alive closes too
        s.sendall(b"GET / HTTP/1.0\r\n\r\n")
        if recv_exactly(s, len(HTTP_REPLY)) != HTTP_REPLY or s.recv(1) != b"":
            raise SystemExit("HTTP/1.0 did not close after the reply")


async def one_client(k, n):
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    for i in range(n):
        req, want = request(k * 1000 + i, i % 7)
        writer.write(req)
        got = await reader.readexactly(len(want))
        if got != want:
            raise RuntimeError("connection %d request %d: wrong reply" % (k, i))
    writer.close()
    await writer.wait_closed()


async def concurrent_main():
    results = await asyncio.wait_for(
        asyncio.gather(*(one_client(k, 50) for k in range(200)), return_exceptions=True), 60)
    errors = [r for r in results if isinstance(r, BaseException)]
    if errors:
        raise SystemExit("%d of 200 connections failed, first: %r" % (len(errors), errors[0]))


def hold():
    """Keeps 10 connections open, each with half a request, until killed."""
    conns = [connect() for _ in range(10)]
    for s in conns:
        s.sendall(request(0, 10)[0][:3])
    print("holding", flush=True)
    time.sleep(60)


{"hold": hold, "pipelined": pipelined, "split": split, "too_large": too_large, "malformed": malformed,
 "connection_close": connection_close,
 "concurrent": lambda: asyncio.run(concurrent_main())}[check]()
EOF

client() { timeout 90 python3 "$W/client.py" "$@"; }

# start NAME BINARY PROTOCOL: runs the server on a free port; sets PID, PORT.
start() {
  local name=$1 bin=$2 proto=$3 out="$W/$1.$3.out"
  "$bin" --port 0 --protocol "$proto" --stats >"$out" 2>"$W/$name.$proto.err" &
  PID=$!
  PORT=
  for _ in $(seq 200); do
    PORT=$(sed -n "s/^$name: listening on .*:\([0-9][0-9]*\) (.*/\1/p" "$out")
    [[ -n $PORT ]] && return 0
    kill -0 "$PID" 2>/dev/null || break
    sleep 0.05
  done
  echo "$name ($proto) printed no 'listening on' line: $(cat "$out" "$W/$name.$proto.err")" >>"$LOG"
  return 1
}

# stop NAME PROTOCOL: SIGTERM with connections open (idle ones, and ones
# in the middle of a request); exit status 0 and the --stats line on stderr.
stop() {
  local name=$1 proto=$2 rc=0 holder
  python3 "$W/client.py" hold "$PORT" "$proto" >"$W/hold" &
  holder=$!
  for _ in $(seq 100); do
    grep -q holding "$W/hold" && break
    sleep 0.05
  done
  kill -TERM "$PID"
  timeout 10 tail --pid="$PID" -f /dev/null || rc=124
  kill "$holder" 2>/dev/null || true
  wait "$holder" 2>/dev/null || true
  [[ $rc -eq 0 ]] || kill -KILL "$PID"
  wait "$PID" || rc=$?
  cat "$W/$name.$proto.err" >>"$LOG"
  [[ $rc -eq 0 ]] || { echo "$name ($proto) exited $rc" >>"$LOG"; return 1; }
  grep -Eq "^$name: [0-9]+ connections, [0-9]+ requests, [0-9]+ protocol errors$" \
    "$W/$name.$proto.err"
}

# wrk_clean PORT: a one-second wrk run with requests and without errors.
wrk_clean() {
  local out
  out=$(wrk -t1 -c50 -d1s "http://127.0.0.1:$1/" 2>&1)
  echo "$out" >>"$LOG"
  grep -Eq '^Requests/sec: +[0-9.]*[1-9]' <<<"$out" && ! grep -Eq 'Non-2xx|Socket errors' <<<"$out"
}

for entry in "${SERVERS[@]}"; do
  name=${entry%%:*}
  bin=${entry#*:}
  for proto in length line http; do
    if ! start "$name" "$bin" "$proto"; then
      fail "$name $proto: starts and prints its port"
      kill "$PID" 2>/dev/null || true
      continue
    fi
    pass "$name $proto: starts and prints its port"
    check "$name $proto: pipelined requests, replies in order" client pipelined "$PORT" "$proto"
    check "$name $proto: a request split across two writes" client split "$PORT" "$proto"
    check "$name $proto: a too large request closes" client too_large "$PORT" "$proto"
    check "$name $proto: a malformed request closes" client malformed "$PORT" "$proto"
    if [[ $proto == http ]]; then
      check "$name $proto: Connection: close closes after the reply" \
        client connection_close "$PORT" "$proto"
    fi
    check "$name $proto: 200 connections x 50 requests" client concurrent "$PORT" "$proto"
    if [[ $proto == http ]]; then
      check "$name $proto: wrk, requests and no errors" wrk_clean "$PORT"
    fi
    check "$name $proto: SIGTERM with connections open exits 0, stats line" \
      stop "$name" "$proto"
  done
done

finish
