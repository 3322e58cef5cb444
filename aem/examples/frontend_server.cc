#include "aem/examples/frontend_server.h"

#include <errno.h>

#include <cstring>
#include <string>

namespace aem::frontend {
namespace {

using namespace std::chrono_literals;

constexpr size_t kInitialBuffer = 4096;
constexpr size_t kMaxBuffer = 2 * kMaxRequest + 64;

}  // namespace

Task<void> ServeConnection(Loop& loop, Fd conn, Protocol protocol, ServerStats* stats) {
  std::string in(kInitialBuffer, '\0');
  size_t have = 0;
  std::string out;
  for (;;) {
    if (have == in.size()) {
      if (in.size() >= kMaxBuffer) break;
      in.resize(std::min(in.size() * 2, kMaxBuffer));
    }
    Result<size_t> n = co_await loop.Recv(conn.get(), in.data() + have, in.size() - have);
    if (!n.ok() || *n == 0) break;
    have += *n;
    out.clear();
    Result<Consumed> c = HandleRequests(protocol, std::string_view(in.data(), have), out);
    if (!c.ok()) {
      ++stats->protocol_errors;
      break;
    }
    stats->requests += c->requests;
    if (c->bytes > 0) {
      std::memmove(in.data(), in.data() + c->bytes, have - c->bytes);
      have -= c->bytes;
    }
    if (!out.empty()) {
      Status sent = co_await SendAll(loop, conn.get(), out.data(), out.size());
      if (!sent.ok()) break;
    }
    if (c->close) break;
  }
}

Task<void> AcceptLoop(Loop& loop, int listen_fd, Protocol protocol, ServerStats* stats,
                      int priority) {
  for (;;) {
    Result<Fd> conn = co_await loop.Accept(listen_fd);
    if (!conn.ok()) {
      if (conn.error().code() == ErrorCode::kCancelled) co_return;
      const int err = conn.error().sys_errno();
      if (err == EMFILE || err == ENFILE || err == ENOBUFS || err == ENOMEM) {
        (void)co_await loop.Sleep(10ms);  // out of descriptors: let connections end first
      } else if (err == EBADF || err == EINVAL || err == ENOTSOCK) {
        co_return;  // the listener is gone
      }
      continue;  // ECONNABORTED and the like concern one connection only
    }
    (void)SetNoDelay(conn->get());
    ++stats->connections;
    loop.Spawn(ServeConnection(loop, std::move(*conn), protocol, stats), priority);
  }
}

}  // namespace aem::frontend
