// frontend: a small request/response server on libaem, in the style of a
// telecom front end, for the benchmark against plain epoll, libuv, libevent
// and Asio servers doing the same work (frontend_protocol.h).
//
//   frontend [--host ADDR] [--port N] [--protocol length|line|http] [--threads N]
//            [--acceptors N] [--backend auto|uring|epoll] [--busy-poll-us N] [--stats]
//
// Prints "frontend: listening on HOST:PORT (...)" once it accepts (--port 0
// picks a free port), serves until SIGINT/SIGTERM, then stops every loop
// cleanly. --threads N runs N loops, each with its own SO_REUSEPORT
// listener, on N threads. --busy-poll-us N: each loop polls up to N
// microseconds before it sleeps (LoopOptions::busy_poll), for loops with a
// core of their own.
#include <signal.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "aem/examples/frontend_server.h"
#include "aem/runtime/aem.h"

namespace {

using namespace aem;
using namespace aem::frontend;

struct Options {
  std::string host = "127.0.0.1";
  uint16_t port = 7000;
  Protocol protocol = Protocol::kLength;
  unsigned threads = 1;
  unsigned acceptors = 4;
  BackendKind backend = BackendKind::kAuto;
  unsigned busy_poll_us = 0;
  bool stats = false;
};

[[noreturn]] void Usage(const std::string& why) {
  std::fprintf(stderr,
               "frontend: %s\n"
               "usage: frontend [--host ADDR] [--port N] [--protocol length|line|http] "
               "[--threads N]\n"
               "                [--acceptors N] [--backend auto|uring|epoll] [--busy-poll-us N] "
               "[--stats]\n",
               why.c_str());
  std::exit(2);
}

unsigned long Number(const char* s, unsigned long max, const std::string& what) {
  char* end = nullptr;
  const unsigned long v = std::strtoul(s, &end, 10);
  if (end == s || *end != '\0' || v > max || s[0] == '-') Usage(what);
  return v;
}

Options Parse(int argc, char** argv) {
  Options o;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    auto value = [&]() -> const char* {
      if (i + 1 >= argc) Usage(arg + " needs a value");
      return argv[++i];
    };
    if (arg == "--host") {
      o.host = value();
    } else if (arg == "--port") {
      o.port = static_cast<uint16_t>(Number(value(), 65535, "--port: 0 to 65535"));
    } else if (arg == "--protocol") {
      auto p = ParseProtocol(value());
      if (!p.ok()) Usage(p.error().message());
      o.protocol = *p;
    } else if (arg == "--threads") {
      o.threads = static_cast<unsigned>(Number(value(), 256, "--threads: 1 to 256"));
      if (o.threads == 0) Usage("--threads: 1 to 256");
    } else if (arg == "--acceptors") {
      o.acceptors = static_cast<unsigned>(Number(value(), 64, "--acceptors: 1 to 64"));
      if (o.acceptors == 0) Usage("--acceptors: 1 to 64");
    } else if (arg == "--backend") {
      const std::string b = value();
      if (b == "auto")
        o.backend = BackendKind::kAuto;
      else if (b == "uring" || b == "io_uring")
        o.backend = BackendKind::kUring;
      else if (b == "epoll")
        o.backend = BackendKind::kEpoll;
      else
        Usage("--backend: auto, uring or epoll");
    } else if (arg == "--busy-poll-us") {
      o.busy_poll_us =
          static_cast<unsigned>(Number(value(), 1000000, "--busy-poll-us: 0 to 1000000"));
    } else if (arg == "--stats") {
      o.stats = true;
    } else {
      Usage("unknown argument: " + arg);
    }
  }
  return o;
}

// One loop, its listener and the eventfd that tells it to stop.
struct Shard {
  std::unique_ptr<Loop> loop;
  Fd listener;
  Fd wake;
  ServerStats stats;
  Status result;
};

Status RunShard(Shard& s, const Options& o) {
  for (unsigned i = 0; i < o.acceptors; ++i)
    s.loop->Spawn(AcceptLoop(*s.loop, s.listener.get(), o.protocol, &s.stats));
  s.loop->WatchFd(s.wake.get(), POLLIN, 1 << 20, [&s](Result<uint32_t>) { s.loop->Stop(); });
  return s.loop->Run();
}

}  // namespace

int main(int argc, char** argv) {
  const Options o = Parse(argc, argv);
  // Blocked before any thread starts, so that every thread leaves them to
  // the signalfd of the main loop.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGINT);
  sigaddset(&stop_signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);

  std::vector<Shard> shards(o.threads);
  uint16_t port = o.port;
  LoopOptions lo;
  lo.backend = o.backend;
  lo.busy_poll = std::chrono::microseconds(o.busy_poll_us);
  for (auto& s : shards) {
    auto loop = Loop::Create(lo);
    if (!loop.ok()) {
      std::fprintf(stderr, "frontend: %s\n", loop.error().message().c_str());
      return 1;
    }
    s.loop = std::move(*loop);
    ListenOptions listen;
    listen.reuse_port = o.threads > 1;
    auto fd = ListenTcp(o.host, port, listen);
    if (!fd.ok()) {
      std::fprintf(stderr, "frontend: %s\n", fd.error().message().c_str());
      return 1;
    }
    s.listener = std::move(*fd);
    if (port == 0) port = *LocalPort(s.listener.get());
    s.wake.Reset(eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC));
    if (!s.wake) {
      std::perror("frontend: eventfd");
      return 1;
    }
  }
  auto signals = SignalSet::Create(*shards[0].loop, {SIGINT, SIGTERM});
  if (!signals.ok()) {
    std::fprintf(stderr, "frontend: %s\n", signals.error().message().c_str());
    return 1;
  }
  (*signals)->OnSignal(1 << 20, [&](const SignalInfo&) {
    for (auto& s : shards) {
      const uint64_t one = 1;
      (void)!write(s.wake.get(), &one, sizeof(one));
    }
  });
  std::printf("frontend: listening on %s:%u (protocol %s, %s, %u thread%s)\n", o.host.c_str(), port,
              ProtocolName(o.protocol), BackendName(shards[0].loop->backend()), o.threads,
              o.threads == 1 ? "" : "s");
  std::fflush(stdout);

  std::vector<std::thread> threads;
  for (size_t i = 1; i < shards.size(); ++i)
    threads.emplace_back([&s = shards[i], &o] { s.result = RunShard(s, o); });
  shards[0].result = RunShard(shards[0], o);
  for (auto& t : threads) t.join();

  int rc = 0;
  ServerStats total;
  for (auto& s : shards) {
    if (!s.result.ok()) {
      std::fprintf(stderr, "frontend: %s\n", s.result.error().message().c_str());
      rc = 1;
    }
    total.connections += s.stats.connections;
    total.requests += s.stats.requests;
    total.protocol_errors += s.stats.protocol_errors;
  }
  if (o.stats)
    std::fprintf(stderr, "frontend: %llu connections, %llu requests, %llu protocol errors\n",
                 static_cast<unsigned long long>(total.connections),
                 static_cast<unsigned long long>(total.requests),
                 static_cast<unsigned long long>(total.protocol_errors));
  signals->reset();
  return rc;
}
