#include "aem/bench/peer_options.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>

#include <cstdio>
#include <cstdlib>

namespace aem::bench {
namespace {

[[noreturn]] void Usage(const char* name, const std::string& why) {
  std::fprintf(stderr,
               "%s: %s (usage: %s [--host ADDR] [--port N] [--protocol length|line|http] "
               "[--stats])\n",
               name, why.c_str(), name);
  std::exit(2);
}

Result<int> Listen(const PeerOptions& options) {
  ListenOptions listen;
  listen.backlog = kListenBacklog;
  Result<Fd> fd = ListenTcp(options.host, options.port, listen);
  if (!fd.ok()) return fd.error();
  return fd->Release();
}

PeerOptions ParsePeerOptions(const char* name, int argc, char** argv) {
  PeerOptions o;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    auto value = [&]() -> std::string {
      if (i + 1 >= argc) Usage(name, arg + " needs a value");
      return argv[++i];
    };
    if (arg == "--host") {
      o.host = value();
      if (AddressFamily(o.host) == 0)
        Usage(name, "--host: not a numeric IPv4 or IPv6 address: " + o.host);
    } else if (arg == "--port") {
      const std::string v = value();
      char* end = nullptr;
      const unsigned long port = std::strtoul(v.c_str(), &end, 10);
      if (v.empty() || v[0] == '-' || *end != '\0' || port > 65535)
        Usage(name, "--port: 0 to 65535, not '" + v + "'");
      o.port = static_cast<uint16_t>(port);
    } else if (arg == "--protocol") {
      Result<frontend::Protocol> p = frontend::ParseProtocol(value());
      if (!p.ok()) Usage(name, "--protocol: " + p.error().message());
      o.protocol = *p;
    } else if (arg == "--stats") {
      o.stats = true;
    } else {
      Usage(name, "unknown argument '" + arg + "'");
    }
  }
  return o;
}

}  // namespace

int AddressFamily(const std::string& host) {
  unsigned char addr[sizeof(in6_addr)];
  if (inet_pton(AF_INET, host.c_str(), addr) == 1) return AF_INET;
  if (inet_pton(AF_INET6, host.c_str(), addr) == 1) return AF_INET6;
  return 0;
}

PeerSetup SetUpPeer(const char* name, int argc, char** argv) {
  PeerSetup setup;
  setup.options = ParsePeerOptions(name, argc, argv);
  signal(SIGPIPE, SIG_IGN);
  Result<int> fd = Listen(setup.options);
  if (!fd.ok()) {
    std::fprintf(stderr, "%s: %s\n", name, fd.error().message().c_str());
    std::exit(1);
  }
  setup.listen_fd = *fd;
  Result<uint16_t> port = LocalPort(*fd);
  if (!port.ok()) {
    std::fprintf(stderr, "%s: %s\n", name, port.error().message().c_str());
    std::exit(1);
  }
  setup.port = *port;
  return setup;
}

void PrintListening(const char* name, const PeerOptions& options, uint16_t port) {
  std::printf("%s: listening on %s:%u (protocol %s)\n", name, options.host.c_str(),
              static_cast<unsigned>(port), frontend::ProtocolName(options.protocol));
  std::fflush(stdout);
}

void PrintStats(const char* name, const frontend::ServerStats& stats) {
  std::fprintf(stderr, "%s: %llu connections, %llu requests, %llu protocol errors\n", name,
               static_cast<unsigned long long>(stats.connections),
               static_cast<unsigned long long>(stats.requests),
               static_cast<unsigned long long>(stats.protocol_errors));
}

}  // namespace aem::bench
