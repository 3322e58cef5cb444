// What the benchmark's peer servers (plain epoll, libuv, libevent, Asio)
// share with each other and with //aem/examples:frontend, so that they differ
// only in their event library: the command line, the listening socket, the
// "listening on" line and the statistics. The per-connection buffer is
// libaem's own (frontend_buffer.h).
//
//   NAME [--host ADDR] [--port N] [--protocol length|line|http] [--stats]
#pragma once

#include <cstdint>
#include <string>

#include "aem/examples/frontend_buffer.h"
#include "aem/examples/frontend_protocol.h"
#include "aem/runtime/error.h"
#include "aem/runtime/net.h"

namespace aem::bench {

struct PeerOptions {
  std::string host = "127.0.0.1";
  uint16_t port = 7000;  // 0: any free port
  frontend::Protocol protocol = frontend::Protocol::kLength;
  bool stats = false;  // print the counters to stderr at exit
};

inline constexpr int kListenBacklog = 4096;

// AF_INET or AF_INET6 for a numeric address (0 if neither).
int AddressFamily(const std::string& host);

// How every server starts: the command line parsed (a bad argument prints
// one line and exits with status 2), SIGPIPE ignored (sends to a closed
// peer are errors: libuv and libevent write with write(2)/writev(2)), the
// listening socket made with libaem's ListenTcp (non-blocking,
// close-on-exec, SO_REUSEADDR, backlog kListenBacklog) and its port known.
// An error is printed as "NAME: reason" and exits with status 1. LocalPort
// and SetNoDelay come from libaem's net.h too.
struct PeerSetup {
  PeerOptions options;
  int listen_fd = -1;  // the caller's to close
  uint16_t port = 0;
};
PeerSetup SetUpPeer(const char* name, int argc, char** argv);

// Writes "NAME: listening on HOST:PORT (protocol P)" to stdout and flushes.
void PrintListening(const char* name, const PeerOptions& options, uint16_t port);

// "NAME: N connections, M requests, K protocol errors" on stderr.
void PrintStats(const char* name, const frontend::ServerStats& stats);

}  // namespace aem::bench
