#include "aem/examples/frontend_server.h"

#include <errno.h>

#include <string>

namespace aem::frontend {

using namespace std::chrono_literals;

Task<void> ServeConnection(Loop& loop, Fd conn, Protocol protocol, ServerStats* stats) {
  RequestBuffer in;
  std::string out;
  for (;;) {
    char* space = in.space();
    if (space == nullptr) break;
    Result<size_t> n = co_await loop.Recv(conn.get(), space, in.space_size());
    if (!n.ok() || *n == 0) break;
    in.Commit(*n);
    out.clear();
    Result<Consumed> c = in.Handle(protocol, out, *stats);
    if (!c.ok()) break;
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
