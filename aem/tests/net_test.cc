// Sockets over loopback on both backends: accept/read/write from
// coroutines, hundreds of concurrent connections, large transfers.
#include "aem/runtime/net.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstring>
#include <string>
#include <vector>

#include "aem/tests/backend_test_util.h"

namespace aem {
namespace {

using namespace std::chrono_literals;
using testing::BackendTest;

class NetTest : public BackendTest {};

// Echoes what it reads until the peer closes (plain read/write).
Task<void> EchoConnection(Loop& loop, Fd conn) {
  char buf[4096];
  for (;;) {
    Result<size_t> n = co_await loop.Read(conn.get(), buf, sizeof(buf));
    if (!n.ok() || *n == 0) co_return;
    Status st = co_await WriteAll(loop, conn.get(), buf, *n);
    if (!st.ok()) co_return;
  }
}

// Accepts `count` connections, one echo task each.
Task<void> EchoServer(Loop& loop, int listen_fd, int count) {
  for (int i = 0; i < count; ++i) {
    Result<Fd> conn = co_await loop.Accept(listen_fd);
    if (!conn.ok()) {
      ADD_FAILURE() << conn.error().ToString();
      co_return;
    }
    loop.Spawn(EchoConnection(loop, std::move(*conn)));
  }
}

TEST_P(NetTest, EchoOverLoopback) {
  auto listener = ListenTcp("127.0.0.1", 0);
  ASSERT_TRUE(listener.ok()) << listener.error().ToString();
  auto port = LocalPort(listener->get());
  ASSERT_TRUE(port.ok());
  loop().Spawn(EchoServer(loop(), listener->get(), 1));
  auto client = [&]() -> Task<std::string> {
    Result<Fd> conn = co_await ConnectTcp(loop(), "127.0.0.1", *port);
    if (!conn.ok()) co_return "connect: " + conn.error().ToString();
    const std::string msg = "hello, aem";
    Result<size_t> w = co_await loop().Write(conn->get(), msg.data(), msg.size());
    if (!w.ok() || *w != msg.size()) co_return "short write";
    std::string got(msg.size(), '\0');
    Status r = co_await ReadExactly(loop(), conn->get(), got.data(), got.size());
    if (!r.ok()) co_return r.error().ToString();
    co_return got;
  };
  Result<std::string> got = loop().RunUntilDone(client());
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(*got, "hello, aem");
  ASSERT_TRUE(loop().Run().ok());  // the server side sees EOF and ends
  EXPECT_EQ(loop().live_tasks(), 0u);
}

// A length-prefixed request/response client: `requests` round trips.
Task<int> Client(Loop& loop, uint16_t port, int id, int requests) {
  Result<Fd> conn = co_await ConnectTcp(loop, "127.0.0.1", port);
  if (!conn.ok()) co_return -1;
  int ok = 0;
  for (int i = 0; i < requests; ++i) {
    const std::string body = "client " + std::to_string(id) + " request " + std::to_string(i);
    uint32_t len = htonl(static_cast<uint32_t>(body.size()));
    std::string frame(reinterpret_cast<char*>(&len), 4);
    frame += body;
    if (!(co_await SendAll(loop, conn->get(), frame.data(), frame.size())).ok()) co_return -1;
    std::string reply(frame.size(), '\0');
    if (!(co_await RecvExactly(loop, conn->get(), reply.data(), reply.size())).ok()) co_return -1;
    if (reply == frame) ++ok;
  }
  co_return ok;
}

TEST_P(NetTest, ManyConcurrentConnections) {
  constexpr int kClients = 200;
  constexpr int kRequests = 10;
  auto listener = ListenTcp("127.0.0.1", 0);
  ASSERT_TRUE(listener.ok());
  auto port = LocalPort(listener->get());
  ASSERT_TRUE(port.ok());
  loop().Spawn(EchoServer(loop(), listener->get(), kClients));
  int total = 0, finished = 0;
  auto run = [&](int id) -> Task<void> {
    const int ok = co_await Client(loop(), *port, id, kRequests);
    EXPECT_EQ(ok, kRequests) << "client " << id;
    total += ok;
    ++finished;
  };
  for (int i = 0; i < kClients; ++i) loop().Spawn(run(i));
  ASSERT_TRUE(loop().Run().ok());
  EXPECT_EQ(finished, kClients);
  EXPECT_EQ(total, kClients * kRequests);
  EXPECT_EQ(loop().live_tasks(), 0u);
}

TEST_P(NetTest, LargeTransferInBothDirections) {
  int sv[2];
  ASSERT_EQ(socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, sv), 0);
  Fd a(sv[0]), b(sv[1]);
  std::string data(4 << 20, '\0');
  for (size_t i = 0; i < data.size(); ++i) data[i] = static_cast<char>(i * 131 + (i >> 12));
  std::string got(data.size(), '\0');
  auto sender = [&]() -> Task<void> {
    Status s = co_await SendAll(loop(), a.get(), data.data(), data.size());
    EXPECT_TRUE(s.ok());
    shutdown(a.get(), SHUT_WR);
  };
  auto receiver = [&]() -> Task<void> {
    Status s = co_await RecvExactly(loop(), b.get(), got.data(), got.size());
    EXPECT_TRUE(s.ok()) << s.error().ToString();
    char extra;
    Result<size_t> n = co_await loop().Recv(b.get(), &extra, 1);
    EXPECT_TRUE(n.ok() && *n == 0);  // then end of stream
  };
  loop().Spawn(sender());
  loop().Spawn(receiver());
  ASSERT_TRUE(loop().Run().ok());
  EXPECT_TRUE(got == data);
}

TEST_P(NetTest, RefusedConnectionIsAnErrorValue) {
  auto listener = ListenTcp("127.0.0.1", 0);
  ASSERT_TRUE(listener.ok());
  const uint16_t port = *LocalPort(listener->get());
  listener->Reset();  // nobody listens there any more
  auto task = [&]() -> Task<void> {
    Result<Fd> conn = co_await ConnectTcp(loop(), "127.0.0.1", port);
    EXPECT_FALSE(conn.ok());
    if (!conn.ok()) {
      EXPECT_EQ(conn.error().sys_errno(), ECONNREFUSED);
    }
  };
  ASSERT_TRUE(loop().RunUntilDone(task()).ok());
}

TEST_P(NetTest, BadAddressIsAnErrorValue) {
  auto listener = ListenTcp("not-an-address", 0);
  ASSERT_FALSE(listener.ok());
  EXPECT_EQ(listener.error().code(), ErrorCode::kInvalidArgument);
}

TEST_P(NetTest, CallbackAcceptAndSocketsOnIpv6) {
  auto listener = ListenTcp("::1", 0);
  if (!listener.ok()) GTEST_SKIP() << "no IPv6 loopback: " << listener.error().ToString();
  const uint16_t port = *LocalPort(listener->get());
  Fd accepted;
  loop().AsyncAccept(listener->get(), 0, [&](Result<Fd> c) {
    ASSERT_TRUE(c.ok()) << c.error().ToString();
    accepted = std::move(*c);
  });
  auto task = [&]() -> Task<void> {
    Result<Fd> conn = co_await ConnectTcp(loop(), "::1", port);
    EXPECT_TRUE(conn.ok());
  };
  loop().Spawn(task());
  ASSERT_TRUE(loop().Run().ok());
  EXPECT_TRUE(accepted.valid());
}

AEM_INSTANTIATE_ON_BACKENDS(NetTest);

}  // namespace
}  // namespace aem
