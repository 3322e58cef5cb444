// libevent-frontend: the benchmark's libevent peer of //aem/examples:frontend
// (peer_options.h has the command line). One event_base: an evconnlistener
// on the listening socket, a bufferevent per connection. The read callback
// hands the whole input evbuffer (evbuffer_pullup) to HandleRequests
// (frontend_protocol.h), drains what it consumed and queues the replies
// with bufferevent_write; libevent sends them when the socket is writable.
// A connection that must close (protocol error aside) closes once its
// output is drained, in the write callback. SIGINT/SIGTERM through
// evsignal break the loop.
#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>
#include <event2/listener.h>
#include <signal.h>

#include <cstdio>
#include <string>

#include "aem/bench/peer_options.h"

namespace {

using namespace aem;
using namespace aem::bench;

constexpr const char* kName = "libevent-frontend";

struct Server;

struct Conn {
  bufferevent* bev = nullptr;
  Server* server = nullptr;
  bool closing = false;    // close once the output is drained
  bool throttled = false;  // reading stopped until the output is drained
  Conn* prev = nullptr;    // every open connection, for the clean stop
  Conn* next = nullptr;
};

struct Server {
  event_base* base = nullptr;
  frontend::Protocol protocol = frontend::Protocol::kLength;
  frontend::ServerStats stats;
  std::string out;  // the replies of one read, copied into the bufferevent
  Conn* head = nullptr;
};

void Free(Conn* c) {
  Server* s = c->server;
  if (c->prev != nullptr) c->prev->next = c->next;
  if (c->next != nullptr) c->next->prev = c->prev;
  if (s->head == c) s->head = c->next;
  bufferevent_free(c->bev);  // BEV_OPT_CLOSE_ON_FREE closes the socket
  delete c;
}

// Closes now, or once the queued replies are written.
void CloseAfterOutput(Conn* c) {
  if (evbuffer_get_length(bufferevent_get_output(c->bev)) == 0) return Free(c);
  c->closing = true;
  bufferevent_disable(c->bev, EV_READ);
}

void OnRead(bufferevent* bev, void* arg) {
  auto* c = static_cast<Conn*>(arg);
  Server* s = c->server;
  evbuffer* input = bufferevent_get_input(bev);
  const size_t len = evbuffer_get_length(input);
  const auto* data = reinterpret_cast<const char*>(evbuffer_pullup(input, -1));
  s->out.clear();
  Result<frontend::Consumed> r =
      frontend::HandleRequests(s->protocol, std::string_view(data, len), s->out);
  if (!r.ok()) {
    ++s->stats.protocol_errors;
    return Free(c);
  }
  s->stats.requests += r->requests;
  evbuffer_drain(input, r->bytes);
  if (!s->out.empty()) bufferevent_write(bev, s->out.data(), s->out.size());
  if (r->close) return CloseAfterOutput(c);
  // A client that sends faster than it reads: stop reading until the
  // replies are out, as libaem does.
  if (evbuffer_get_length(bufferevent_get_output(bev)) > frontend::RequestBuffer::kMaxBuffer) {
    c->throttled = true;
    bufferevent_disable(bev, EV_READ);
  }
}

// Called when the output is drained (the write low watermark is 0).
void OnWrite(bufferevent* bev, void* arg) {
  auto* c = static_cast<Conn*>(arg);
  if (c->closing) return Free(c);
  if (c->throttled) {
    c->throttled = false;
    bufferevent_enable(bev, EV_READ);
  }
}

void OnEvent(bufferevent* /*bev*/, short what, void* arg) {
  auto* c = static_cast<Conn*>(arg);
  if (what & BEV_EVENT_ERROR) return Free(c);
  if (what & BEV_EVENT_EOF) return CloseAfterOutput(c);
}

void OnAccept(evconnlistener* /*listener*/, evutil_socket_t fd, sockaddr* /*addr*/, int /*len*/,
              void* arg) {
  auto* s = static_cast<Server*>(arg);
  (void)SetNoDelay(fd);
  bufferevent* bev = bufferevent_socket_new(s->base, fd, BEV_OPT_CLOSE_ON_FREE);
  if (bev == nullptr) {
    evutil_closesocket(fd);
    return;
  }
  auto* c = new Conn;
  c->bev = bev;
  c->server = s;
  c->next = s->head;
  if (s->head != nullptr) s->head->prev = c;
  s->head = c;
  ++s->stats.connections;
  bufferevent_setcb(bev, OnRead, OnWrite, OnEvent, c);
  bufferevent_enable(bev, EV_READ);
}

void OnSignal(evutil_socket_t /*signum*/, short /*what*/, void* arg) {
  event_base_loopbreak(static_cast<event_base*>(arg));
}

}  // namespace

int main(int argc, char** argv) {
  const PeerSetup setup = SetUpPeer(kName, argc, argv);
  const PeerOptions& o = setup.options;

  Server s;
  s.protocol = o.protocol;
  s.base = event_base_new();
  if (s.base == nullptr) {
    std::fprintf(stderr, "%s: event_base_new failed\n", kName);
    return 1;
  }
  // Backlog 0: the socket is listening already (Listen).
  evconnlistener* listener =
      evconnlistener_new(s.base, OnAccept, &s, LEV_OPT_CLOSE_ON_FREE, 0, setup.listen_fd);
  event* sigint = evsignal_new(s.base, SIGINT, OnSignal, s.base);
  event* sigterm = evsignal_new(s.base, SIGTERM, OnSignal, s.base);
  if (listener == nullptr || sigint == nullptr || sigterm == nullptr ||
      event_add(sigint, nullptr) != 0 || event_add(sigterm, nullptr) != 0) {
    std::fprintf(stderr, "%s: cannot set up the event base\n", kName);
    return 1;
  }
  PrintListening(kName, o, setup.port);

  const int rc = event_base_dispatch(s.base) < 0 ? 1 : 0;  // until OnSignal
  while (s.head != nullptr) Free(s.head);
  evconnlistener_free(listener);
  event_free(sigint);
  event_free(sigterm);
  event_base_free(s.base);
  if (o.stats) PrintStats(kName, s.stats);
  return rc;
}
