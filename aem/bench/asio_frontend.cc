// asio-frontend / asio-uring-frontend: the benchmark's standalone Asio peers
// of //aem/examples:frontend (peer_options.h has the command line). One
// io_context run by one thread: an acceptor on the listening socket
// (acceptor.assign) and a session per connection, its own shared_ptr kept
// alive by the pending operation: async_read_some into the connection's
// frontend::RequestBuffer, every whole request answered (frontend_protocol.h), the
// replies sent with async_write before the next read, as libaem does.
// SIGINT/SIGTERM through a signal_set shut the listener and every socket
// down; the handlers release the sessions and io_context::run returns.
//
// The same source builds on both of Asio's Linux backends (aem/bench/BUILD):
// epoll (the default) and io_uring (ASIO_HAS_IO_URING with
// ASIO_DISABLE_EPOLL, which makes io_uring the default for sockets too).
#include <signal.h>
#include <sys/socket.h>

#include <asio.hpp>
#include <chrono>
#include <cstdio>
#include <memory>
#include <string>
#include <system_error>
#include <unordered_set>
#include <utility>

#include "aem/bench/peer_options.h"

namespace {

using namespace aem;
using namespace aem::bench;
using asio::ip::tcp;

#if defined(ASIO_HAS_IO_URING_AS_DEFAULT)
constexpr const char* kName = "asio-uring-frontend";
#else
constexpr const char* kName = "asio-frontend";
#endif

class Session;
using SessionSet = std::unordered_set<Session*>;

class Session : public std::enable_shared_from_this<Session> {
 public:
  Session(tcp::socket socket, frontend::Protocol protocol, frontend::ServerStats& stats,
          SessionSet& live)
      : socket_(std::move(socket)), protocol_(protocol), stats_(stats), live_(live) {
    live_.insert(this);
  }
  ~Session() { live_.erase(this); }

  // Reads until the peer closes, breaks the protocol or asks to close; the
  // last handler to go releases the session and closes the socket.
  void Read() {
    char* space = in_.space();
    if (space == nullptr) return;  // a full buffer at its maximum
    socket_.async_read_some(asio::buffer(space, in_.space_size()),
                            [self = shared_from_this()](std::error_code ec, size_t n) {
                              if (!ec) self->OnRead(n);
                            });
  }

  // Ends the pending operation with the end of the stream (or EPIPE), so
  // that its handler releases the session, and the socket is closed with
  // nothing pending. Closing it with an operation pending would make the
  // io_uring backend cancel it, which Asio 1.22 gets wrong with liburing
  // 2.3: its IORING_OP_ASYNC_CANCEL entry keeps a stale user_data (prep_rw
  // no longer clears it), and the completion lands on whichever queue used
  // that slot before.
  void Shutdown() {
    std::error_code ignored;
    socket_.shutdown(tcp::socket::shutdown_both, ignored);
  }

 private:
  void OnRead(size_t n) {
    in_.Commit(n);
    out_.clear();
    Result<frontend::Consumed> r = in_.Handle(protocol_, out_, stats_);
    if (!r.ok()) return;
    const bool close = r->close;
    if (out_.empty()) {
      if (!close) Read();
      return;
    }
    asio::async_write(socket_, asio::buffer(out_),
                      [self = shared_from_this(), close](std::error_code ec, size_t) {
                        if (!ec && !close) self->Read();
                      });
  }

  tcp::socket socket_;
  frontend::Protocol protocol_;
  frontend::ServerStats& stats_;
  SessionSet& live_;
  frontend::RequestBuffer in_;
  std::string out_;
};

class Server {
 public:
  Server(asio::io_context& io, tcp::acceptor& acceptor, frontend::Protocol protocol)
      : acceptor_(acceptor), protocol_(protocol), retry_(io) {}

  void Accept() {
    acceptor_.async_accept([this](std::error_code ec, tcp::socket socket) {
      if (stopping_ || ec == asio::error::operation_aborted || ec == asio::error::bad_descriptor)
        return;
      if (ec == asio::error::no_descriptors || ec == asio::error::no_buffer_space ||
          ec == asio::error::no_memory) {
        // Out of descriptors: let connections end first, as libaem does.
        retry_.expires_after(std::chrono::milliseconds(10));
        retry_.async_wait([this](std::error_code wait_ec) {
          if (!wait_ec && !stopping_) Accept();
        });
        return;
      }
      if (!ec) {
        std::error_code ignored;
        socket.set_option(tcp::no_delay(true), ignored);
        ++stats_.connections;
        std::make_shared<Session>(std::move(socket), protocol_, stats_, live_)->Read();
      }
      Accept();
    });
  }

  // Ends the pending accept and every connection's pending operation with
  // shutdown(2) (see Session::Shutdown): the handlers release the sessions
  // and io_context::run returns, out of work.
  void Stop() {
    stopping_ = true;
    ::shutdown(acceptor_.native_handle(), SHUT_RDWR);  // the accept fails with EINVAL
    retry_.cancel();
    for (Session* s : live_) s->Shutdown();
  }

  const frontend::ServerStats& stats() const { return stats_; }

 private:
  tcp::acceptor& acceptor_;
  frontend::Protocol protocol_;
  asio::steady_timer retry_;
  frontend::ServerStats stats_;
  SessionSet live_;
  bool stopping_ = false;
};

}  // namespace

int main(int argc, char** argv) {
  const PeerSetup setup = SetUpPeer(kName, argc, argv);
  const PeerOptions& o = setup.options;

  frontend::ServerStats stats;
  {
    asio::io_context io(1);  // one thread runs it
    tcp::acceptor acceptor(io);
    std::error_code ec;
    acceptor.assign(AddressFamily(o.host) == AF_INET6 ? tcp::v6() : tcp::v4(), setup.listen_fd, ec);
    if (ec) {
      std::fprintf(stderr, "%s: acceptor.assign: %s\n", kName, ec.message().c_str());
      return 1;
    }
    Server server(io, acceptor, o.protocol);
    asio::signal_set signals(io, SIGINT, SIGTERM);
    signals.async_wait([&server](std::error_code ec, int) {
      if (!ec) server.Stop();
    });
    server.Accept();
    PrintListening(kName, o, setup.port);
    io.run();  // until Stop() has ended every operation
    stats = server.stats();
  }
  if (o.stats) PrintStats(kName, stats);
  return 0;
}
