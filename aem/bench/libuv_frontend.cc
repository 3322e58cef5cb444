// libuv-frontend: the benchmark's libuv peer of //aem/examples:frontend
// (peer_options.h has the command line). One uv_loop_t: the listening
// socket handed to a uv_tcp_t (uv_tcp_open), uv_listen, and per connection
// uv_read_start with an alloc_cb reading into the connection's frontend::RequestBuffer.
// Each read answers every whole request (frontend_protocol.h) with one
// uv_try_write; what it could not send goes out with uv_write, and reading
// stops until it has (as libaem sends every reply before reading again).
// SIGINT/SIGTERM through uv_signal_t close every handle, and uv_run returns.
#include <signal.h>
#include <uv.h>

#include <cstdio>
#include <string>

#include "aem/bench/peer_options.h"

namespace {

using namespace aem;
using namespace aem::bench;

constexpr const char* kName = "libuv-frontend";

struct Server;

struct Conn {
  uv_tcp_t tcp;  // tcp.data and write.data point back here
  uv_write_t write;
  Server* server = nullptr;
  frontend::RequestBuffer in;
  std::string out;
  bool close_after = false;  // close once the uv_write completes
  Conn* prev = nullptr;      // every open connection, for the clean stop
  Conn* next = nullptr;
};

struct Server {
  uv_loop_t loop;
  uv_tcp_t listener;
  uv_signal_t sigint;
  uv_signal_t sigterm;
  frontend::Protocol protocol = frontend::Protocol::kLength;
  frontend::ServerStats stats;
  Conn* head = nullptr;
};

void OnClosed(uv_handle_t* handle) {
  auto* c = static_cast<Conn*>(handle->data);
  Server* s = c->server;
  if (c->prev != nullptr) c->prev->next = c->next;
  if (c->next != nullptr) c->next->prev = c->prev;
  if (s->head == c) s->head = c->next;
  delete c;
}

void CloseConn(Conn* c) {
  auto* handle = reinterpret_cast<uv_handle_t*>(&c->tcp);
  if (!uv_is_closing(handle)) uv_close(handle, OnClosed);
}

void OnAlloc(uv_handle_t* handle, size_t /*suggested*/, uv_buf_t* buf) {
  auto* c = static_cast<Conn*>(handle->data);
  char* space = c->in.space();
  // A full buffer at its maximum reads nothing: read_cb gets UV_ENOBUFS.
  *buf = uv_buf_init(space, space == nullptr ? 0 : static_cast<unsigned>(c->in.space_size()));
}

void OnRead(uv_stream_t* stream, ssize_t nread, const uv_buf_t* /*buf*/);

void OnWrite(uv_write_t* req, int status) {
  auto* c = static_cast<Conn*>(req->data);
  if (status < 0 || c->close_after) return CloseConn(c);
  if (uv_read_start(reinterpret_cast<uv_stream_t*>(&c->tcp), OnAlloc, OnRead) != 0) CloseConn(c);
}

void OnRead(uv_stream_t* stream, ssize_t nread, const uv_buf_t* /*buf*/) {
  auto* c = static_cast<Conn*>(stream->data);
  if (nread == 0) return;              // EAGAIN
  if (nread < 0) return CloseConn(c);  // UV_EOF, UV_ENOBUFS, errors
  c->in.Commit(static_cast<size_t>(nread));
  c->out.clear();
  Result<frontend::Consumed> r = c->in.Handle(c->server->protocol, c->out, c->server->stats);
  if (!r.ok()) return CloseConn(c);
  if (!c->out.empty()) {
    uv_buf_t b = uv_buf_init(c->out.data(), static_cast<unsigned>(c->out.size()));
    int sent = uv_try_write(stream, &b, 1);
    if (sent == UV_EAGAIN) sent = 0;
    if (sent < 0) return CloseConn(c);
    if (static_cast<size_t>(sent) < c->out.size()) {
      // The rest from `out`, which stays untouched: no reads until written.
      b = uv_buf_init(c->out.data() + sent, static_cast<unsigned>(c->out.size() - sent));
      c->close_after = r->close;
      uv_read_stop(stream);
      if (uv_write(&c->write, stream, &b, 1, OnWrite) != 0) CloseConn(c);
      return;
    }
  }
  if (r->close) CloseConn(c);
}

void OnConnection(uv_stream_t* listener, int status) {
  if (status < 0) return;
  auto* s = static_cast<Server*>(listener->data);
  auto* c = new Conn;
  c->server = s;
  c->tcp.data = c;
  c->write.data = c;
  uv_tcp_init(&s->loop, &c->tcp);
  c->next = s->head;
  if (s->head != nullptr) s->head->prev = c;
  s->head = c;
  auto* stream = reinterpret_cast<uv_stream_t*>(&c->tcp);
  if (uv_accept(listener, stream) != 0) return CloseConn(c);
  ++s->stats.connections;
  uv_tcp_nodelay(&c->tcp, 1);
  if (uv_read_start(stream, OnAlloc, OnRead) != 0) CloseConn(c);
}

void OnSignal(uv_signal_t* handle, int /*signum*/) {
  auto* s = static_cast<Server*>(handle->data);
  for (Conn* c = s->head; c != nullptr; c = c->next) CloseConn(c);
  uv_close(reinterpret_cast<uv_handle_t*>(&s->listener), nullptr);
  uv_close(reinterpret_cast<uv_handle_t*>(&s->sigint), nullptr);
  uv_close(reinterpret_cast<uv_handle_t*>(&s->sigterm), nullptr);
}

int Fail(const char* what, int err) {
  std::fprintf(stderr, "%s: %s: %s\n", kName, what, uv_strerror(err));
  return 1;
}

}  // namespace

int main(int argc, char** argv) {
  const PeerSetup setup = SetUpPeer(kName, argc, argv);
  const PeerOptions& o = setup.options;

  Server s;
  s.protocol = o.protocol;
  if (int err = uv_loop_init(&s.loop); err != 0) return Fail("uv_loop_init", err);
  s.listener.data = &s;
  s.sigint.data = &s;
  s.sigterm.data = &s;
  uv_tcp_init(&s.loop, &s.listener);
  if (int err = uv_tcp_open(&s.listener, setup.listen_fd); err != 0)
    return Fail("uv_tcp_open", err);
  auto* listener = reinterpret_cast<uv_stream_t*>(&s.listener);
  if (int err = uv_listen(listener, kListenBacklog, OnConnection); err != 0)
    return Fail("uv_listen", err);
  uv_signal_init(&s.loop, &s.sigint);
  uv_signal_init(&s.loop, &s.sigterm);
  if (int err = uv_signal_start(&s.sigint, OnSignal, SIGINT); err != 0)
    return Fail("uv_signal_start", err);
  if (int err = uv_signal_start(&s.sigterm, OnSignal, SIGTERM); err != 0)
    return Fail("uv_signal_start", err);
  PrintListening(kName, o, setup.port);

  const int err = uv_run(&s.loop, UV_RUN_DEFAULT);  // until OnSignal closed every handle
  if (err != 0) return Fail("uv_run", err);
  if (int e = uv_loop_close(&s.loop); e != 0) return Fail("uv_loop_close", e);
  if (o.stats) PrintStats(kName, s.stats);
  return 0;
}
