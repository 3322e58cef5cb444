#include "aem/runtime/net.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

#include <cstring>

namespace aem {
namespace {

Result<socklen_t> ParseAddress(const std::string& host, uint16_t port, sockaddr_storage* ss) {
  std::memset(ss, 0, sizeof(*ss));
  auto* v4 = reinterpret_cast<sockaddr_in*>(ss);
  if (inet_pton(AF_INET, host.c_str(), &v4->sin_addr) == 1) {
    v4->sin_family = AF_INET;
    v4->sin_port = htons(port);
    return static_cast<socklen_t>(sizeof(sockaddr_in));
  }
  auto* v6 = reinterpret_cast<sockaddr_in6*>(ss);
  if (inet_pton(AF_INET6, host.c_str(), &v6->sin6_addr) == 1) {
    v6->sin6_family = AF_INET6;
    v6->sin6_port = htons(port);
    return static_cast<socklen_t>(sizeof(sockaddr_in6));
  }
  return Error(ErrorCode::kInvalidArgument, "not a numeric IPv4 or IPv6 address: " + host);
}

}  // namespace

Result<Fd> ListenTcp(const std::string& host, uint16_t port, const ListenOptions& options) {
  sockaddr_storage ss;
  auto len = ParseAddress(host, port, &ss);
  if (!len.ok()) return len.error();
  Fd fd(socket(ss.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
  if (!fd) return Error::FromErrno(errno, "socket");
  const int one = 1;
  if (setsockopt(fd.get(), SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) < 0)
    return Error::FromErrno(errno, "setsockopt(SO_REUSEADDR)");
  if (options.reuse_port && setsockopt(fd.get(), SOL_SOCKET, SO_REUSEPORT, &one, sizeof(one)) < 0)
    return Error::FromErrno(errno, "setsockopt(SO_REUSEPORT)");
  if (bind(fd.get(), reinterpret_cast<sockaddr*>(&ss), *len) < 0)
    return Error::FromErrno(errno, ("bind " + host + ":" + std::to_string(port)).c_str());
  if (listen(fd.get(), options.backlog) < 0) return Error::FromErrno(errno, "listen");
  return fd;
}

Result<uint16_t> LocalPort(int fd) {
  sockaddr_storage ss{};
  socklen_t len = sizeof(ss);
  if (getsockname(fd, reinterpret_cast<sockaddr*>(&ss), &len) < 0)
    return Error::FromErrno(errno, "getsockname");
  if (ss.ss_family == AF_INET) return ntohs(reinterpret_cast<sockaddr_in*>(&ss)->sin_port);
  if (ss.ss_family == AF_INET6) return ntohs(reinterpret_cast<sockaddr_in6*>(&ss)->sin6_port);
  return Error(ErrorCode::kInvalidArgument, "not an IP socket");
}

Task<Result<Fd>> ConnectTcp(Loop& loop, std::string host, uint16_t port) {
  sockaddr_storage ss;
  auto len = ParseAddress(host, port, &ss);
  if (!len.ok()) co_return len.error();
  Fd fd(socket(ss.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
  if (!fd) co_return Error::FromErrno(errno, "socket");
  Status st = co_await loop.Connect(fd.get(), reinterpret_cast<sockaddr*>(&ss), *len);
  if (!st.ok()) co_return st.error();
  co_return std::move(fd);
}

Task<Status> SendAll(Loop& loop, int fd, const void* data, size_t len) {
  const char* p = static_cast<const char*>(data);
  while (len > 0) {
    Result<size_t> n = co_await loop.Send(fd, p, len);
    if (!n.ok()) co_return n.error();
    p += *n;
    len -= *n;
  }
  co_return Status::Ok();
}

Task<Status> RecvExactly(Loop& loop, int fd, void* data, size_t len) {
  char* p = static_cast<char*>(data);
  while (len > 0) {
    Result<size_t> n = co_await loop.Recv(fd, p, len);
    if (!n.ok()) co_return n.error();
    if (*n == 0) co_return Error(ErrorCode::kClosed, "recv: end of stream");
    p += *n;
    len -= *n;
  }
  co_return Status::Ok();
}

Task<Status> WriteAll(Loop& loop, int fd, const void* data, size_t len) {
  const char* p = static_cast<const char*>(data);
  while (len > 0) {
    Result<size_t> n = co_await loop.Write(fd, p, len);
    if (!n.ok()) co_return n.error();
    p += *n;
    len -= *n;
  }
  co_return Status::Ok();
}

Task<Status> ReadExactly(Loop& loop, int fd, void* data, size_t len) {
  char* p = static_cast<char*>(data);
  while (len > 0) {
    Result<size_t> n = co_await loop.Read(fd, p, len);
    if (!n.ok()) co_return n.error();
    if (*n == 0) co_return Error(ErrorCode::kClosed, "read: end of file");
    p += *n;
    len -= *n;
  }
  co_return Status::Ok();
}

Status SetNoDelay(int fd) {
  const int one = 1;
  if (setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one)) < 0)
    return Error::FromErrno(errno, "setsockopt(TCP_NODELAY)");
  return Status::Ok();
}

}  // namespace aem
