// The front-end example: its protocols, the libaem server on both backends,
// and the binary.
#include <arpa/inet.h>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <optional>
#include <string>
#include <vector>

#include "aem/examples/frontend_protocol.h"
#include "aem/examples/frontend_server.h"
#include "aem/tests/backend_test_util.h"

namespace aem::frontend {
namespace {

using namespace std::chrono_literals;

std::string Frame(const std::string& body) {
  const uint32_t len = htonl(static_cast<uint32_t>(body.size()));
  return std::string(reinterpret_cast<const char*>(&len), 4) + body;
}

constexpr std::string_view kOk =
    "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 13\r\n\r\nHello, World!";

TEST(FrontendProtocol, LinesArePipelined) {
  std::string out;
  auto c = HandleRequests(Protocol::kLine, "one\ntwo\nthr", out);
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->bytes, 8u);
  EXPECT_EQ(c->requests, 2u);
  EXPECT_EQ(out, "one\ntwo\n");
}

TEST(FrontendProtocol, LengthPrefixedFrames) {
  std::string in = Frame("hello") + Frame("") + Frame("world").substr(0, 6);
  std::string out;
  auto c = HandleRequests(Protocol::kLength, in, out);
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->requests, 2u);
  EXPECT_EQ(out, Frame("hello") + Frame(""));
  EXPECT_EQ(c->bytes, 13u);
  std::string big = Frame("x");
  big[0] = 0x7f;  // 2 GiB claimed
  EXPECT_EQ(HandleRequests(Protocol::kLength, big, out).error().code(), ErrorCode::kTooLarge);
}

TEST(FrontendProtocol, HttpKeepAliveBodiesAndClose) {
  std::string out;
  const std::string get = "GET / HTTP/1.1\r\nHost: x\r\n\r\n";
  const std::string post = "POST /p HTTP/1.1\r\nContent-Length: 4\r\n\r\nbody";
  auto c = HandleRequests(Protocol::kHttp, get + post + get.substr(0, 10), out);
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->requests, 2u);
  EXPECT_EQ(c->bytes, get.size() + post.size());
  EXPECT_EQ(out, std::string(kOk) + std::string(kOk));
  EXPECT_FALSE(c->close);
  out.clear();
  c = HandleRequests(Protocol::kHttp, "GET / HTTP/1.1\r\nConnection: close\r\n\r\n" + get, out);
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->requests, 1u);
  EXPECT_TRUE(c->close);
  EXPECT_FALSE(HandleRequests(Protocol::kHttp, "garbage\r\n\r\n", out).ok());
  EXPECT_FALSE(
      HandleRequests(Protocol::kHttp, "GET / HTTP/1.1\r\nContent-Length: x\r\n\r\n", out).ok());
  EXPECT_EQ(HandleRequests(Protocol::kLine, std::string(kMaxRequest + 1, 'a'), out).error().code(),
            ErrorCode::kTooLarge);
}

class FrontendServerTest : public aem::testing::BackendTest {};

Task<int> Client(Loop& loop, uint16_t port, Protocol protocol, int id, int requests) {
  Result<Fd> conn = co_await ConnectTcp(loop, "127.0.0.1", port);
  if (!conn.ok()) co_return -1;
  int ok = 0;
  for (int i = 0; i < requests; ++i) {
    std::string req, want;
    const std::string body = "c" + std::to_string(id) + "r" + std::to_string(i);
    if (protocol == Protocol::kLine) {
      req = want = body + "\n";
    } else if (protocol == Protocol::kLength) {
      req = want = Frame(body);
    } else {
      req = "GET /" + body + " HTTP/1.1\r\nHost: t\r\n\r\n";
      want = kOk;
    }
    if (!(co_await SendAll(loop, conn->get(), req.data(), req.size())).ok()) co_return -1;
    std::string got(want.size(), '\0');
    if (!(co_await RecvExactly(loop, conn->get(), got.data(), got.size())).ok()) co_return -1;
    if (got == want) ++ok;
  }
  co_return ok;
}

TEST_P(FrontendServerTest, ServesEveryProtocolToManyClients) {
  for (Protocol protocol : {Protocol::kLength, Protocol::kLine, Protocol::kHttp}) {
    SCOPED_TRACE(ProtocolName(protocol));
    auto listener = ListenTcp("127.0.0.1", 0);
    ASSERT_TRUE(listener.ok());
    const uint16_t port = *LocalPort(listener->get());
    ServerStats stats;
    for (int i = 0; i < 2; ++i) loop().Spawn(AcceptLoop(loop(), listener->get(), protocol, &stats));
    int total = 0, done = 0;
    auto run = [&](int id) -> Task<void> {
      total += co_await Client(loop(), port, protocol, id, 20);
      ++done;
    };
    for (int i = 0; i < 50; ++i) loop().Spawn(run(i));
    auto wait = [&]() -> Task<void> {
      while (done < 50) (void)co_await loop().Sleep(1ms);
      // Let the servers see the clients' end of stream.
      while (stats.requests < 1000) (void)co_await loop().Sleep(1ms);
    };
    ASSERT_TRUE(loop().RunUntilDone(wait()).ok());
    EXPECT_EQ(total, 50 * 20);
    EXPECT_EQ(stats.connections, 50u);
    EXPECT_EQ(stats.requests, 1000u);
    EXPECT_EQ(stats.protocol_errors, 0u);
    loop().Close(*listener);  // ends the accept loops (kCancelled)
    ASSERT_TRUE(loop().Run().ok());
    EXPECT_EQ(loop().live_tasks(), 0u);
  }
}

AEM_INSTANTIATE_ON_BACKENDS(FrontendServerTest);

// --- the binary ----------------------------------------------------------------------

std::string Runfile(const std::string& path) {
  const char* srcdir = std::getenv("TEST_SRCDIR");
  const char* ws = std::getenv("TEST_WORKSPACE");
  return std::string(srcdir ? srcdir : ".") + "/" + (ws ? ws : "digsig") + "/" + path;
}

// Starts the frontend; its port from the "listening on" line.
std::optional<Child> StartFrontend(const std::vector<std::string>& extra, uint16_t* port, Fd* out) {
  int fds[2];
  EXPECT_EQ(pipe2(fds, O_CLOEXEC), 0);
  Fd r(fds[0]), w(fds[1]);
  std::vector<std::string> argv = {Runfile("aem/examples/frontend"), "--port", "0"};
  argv.insert(argv.end(), extra.begin(), extra.end());
  SpawnOptions so;
  so.stdout_fd = w.get();
  auto child = Spawn(argv, so);
  if (!child.ok()) {
    ADD_FAILURE() << argv[0] << ": " << child.error().ToString();
    return std::nullopt;
  }
  w.Reset();
  std::string line;
  char c;
  while (read(r.get(), &c, 1) == 1 && c != '\n') line += c;
  const size_t colon = line.rfind(':', line.find(" ("));
  *port = static_cast<uint16_t>(std::atoi(line.c_str() + colon + 1));
  EXPECT_NE(line.find("frontend: listening on 127.0.0.1:"), std::string::npos) << line;
  *out = std::move(r);
  return std::optional<Child>(std::move(*child));
}

std::string BlockingRoundTrip(uint16_t port, const std::string& req, size_t reply_len) {
  Fd s(socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(port);
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (connect(s.get(), reinterpret_cast<sockaddr*>(&a), sizeof(a)) != 0) return "connect failed";
  if (write(s.get(), req.data(), req.size()) != static_cast<ssize_t>(req.size()))
    return "short write";
  std::string got(reply_len, '\0');
  size_t have = 0;
  while (have < reply_len) {
    const ssize_t n = read(s.get(), got.data() + have, reply_len - have);
    if (n <= 0) break;
    have += static_cast<size_t>(n);
  }
  got.resize(have);
  return got;
}

TEST(FrontendBinary, ServesAndStopsOnSigterm) {
  for (const std::vector<std::string>& extra :
       {std::vector<std::string>{"--protocol", "line"},
        std::vector<std::string>{"--protocol", "line", "--threads", "2", "--backend", "epoll"}}) {
    uint16_t port = 0;
    Fd out;
    std::optional<Child> child = StartFrontend(extra, &port, &out);
    ASSERT_TRUE(child.has_value());
    ASSERT_NE(port, 0);
    for (int i = 0; i < 4; ++i) EXPECT_EQ(BlockingRoundTrip(port, "ping\n", 5), "ping\n");
    ASSERT_TRUE(child->Kill(SIGTERM).ok());
    auto st = child->WaitBlocking();
    ASSERT_TRUE(st.ok());
    EXPECT_TRUE(st->success()) << st->ToString();
  }
}

}  // namespace
}  // namespace aem::frontend
