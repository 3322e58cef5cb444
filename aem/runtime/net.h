// Sockets for the loop: listening and connecting TCP sockets (IPv4/IPv6,
// non-blocking, close-on-exec) and the whole-buffer read/write routines most
// protocols need.
#pragma once

#include <cstdint>
#include <string>

#include "aem/runtime/error.h"
#include "aem/runtime/fd.h"
#include "aem/runtime/loop.h"
#include "aem/runtime/task.h"

namespace aem {

struct ListenOptions {
  int backlog = 4096;
  bool reuse_port = false;  // SO_REUSEPORT: one listening socket per loop/thread
};

// A listening TCP socket on `host` ("127.0.0.1", "::", "0.0.0.0"...) and
// `port` (0: any free port; LocalPort says which).
Result<Fd> ListenTcp(const std::string& host, uint16_t port, const ListenOptions& options = {});
Result<uint16_t> LocalPort(int fd);

// Connects to host:port (numeric address) through the loop.
Task<Result<Fd>> ConnectTcp(Loop& loop, std::string host, uint16_t port);

// Sends all of [data, data + len) (MSG_NOSIGNAL), or the first error.
Task<Status> SendAll(Loop& loop, int fd, const void* data, size_t len);
// Receives exactly `len` bytes; end of file first is ErrorCode::kClosed.
Task<Status> RecvExactly(Loop& loop, int fd, void* data, size_t len);
// The same with read(2)/write(2), for pipes and other non-sockets.
Task<Status> WriteAll(Loop& loop, int fd, const void* data, size_t len);
Task<Status> ReadExactly(Loop& loop, int fd, void* data, size_t len);

// Sets TCP_NODELAY (request/response servers want it).
Status SetNoDelay(int fd);

}  // namespace aem
