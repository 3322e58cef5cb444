// epoll-frontend: the benchmark's plain epoll peer of //aem/examples:frontend
// (peer_options.h has the command line). One thread, one epoll instance:
// the listener level-triggered (accept4 until EAGAIN), connections
// edge-triggered. A readable connection is read until EAGAIN; after each
// read every whole request is answered (frontend_protocol.h) with one send,
// as libaem's ServeConnection does. EPOLLOUT is asked for only when a send
// was partial, and the connection is not read again until its replies are
// out. SIGINT/SIGTERM arrive on a signalfd.
#include <errno.h>
#include <signal.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <cstdio>
#include <string>

#include "aem/bench/peer_options.h"

namespace {

using namespace aem;
using namespace aem::bench;

constexpr const char* kName = "epoll-frontend";
constexpr uint32_t kConnEvents = EPOLLIN | EPOLLRDHUP | EPOLLET;
constexpr int kMaxEvents = 512;

struct Conn {
  int fd = -1;
  frontend::RequestBuffer in;
  std::string out;
  size_t sent = 0;           // out[sent, size) is waiting for EPOLLOUT
  bool pending = false;      // EPOLLOUT is registered
  bool close_after = false;  // close once `out` is sent (Connection: close)
  Conn* prev = nullptr;      // every open connection, for the clean stop
  Conn* next = nullptr;
};

class Server {
 public:
  Server(int epfd, int listen_fd, int signal_fd, frontend::Protocol protocol)
      : epfd_(epfd), listen_fd_(listen_fd), signal_fd_(signal_fd), protocol_(protocol) {}

  ~Server() {
    while (head_ != nullptr) Close(head_);
  }

  // Watches the listener and the signalfd; their entries carry the addresses
  // of these members, a connection's its Conn.
  bool Start() {
    epoll_event ev{};
    ev.events = EPOLLIN;
    ev.data.ptr = &listen_fd_;
    if (epoll_ctl(epfd_, EPOLL_CTL_ADD, listen_fd_, &ev) < 0) return false;
    ev.data.ptr = &signal_fd_;
    return epoll_ctl(epfd_, EPOLL_CTL_ADD, signal_fd_, &ev) == 0;
  }

  // Serves until SIGINT or SIGTERM; returns the exit status.
  int Run() {
    epoll_event events[kMaxEvents];
    for (;;) {
      const int n = epoll_wait(epfd_, events, kMaxEvents, accept_paused_ ? 10 : -1);
      if (n < 0) {
        if (errno == EINTR) continue;
        std::perror("epoll-frontend: epoll_wait");
        return 1;
      }
      if (accept_paused_) ResumeAccept();
      for (int i = 0; i < n; ++i) {
        void* p = events[i].data.ptr;
        if (p == &listen_fd_) {
          Accept();
        } else if (p == &signal_fd_) {
          return 0;
        } else {
          Serve(static_cast<Conn*>(p), events[i].events);
        }
      }
    }
  }

  const frontend::ServerStats& stats() const { return stats_; }

 private:
  void Accept() {
    for (;;) {
      const int fd = accept4(listen_fd_, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
      if (fd < 0) {
        if (errno == EMFILE || errno == ENFILE || errno == ENOBUFS || errno == ENOMEM) {
          PauseAccept();  // out of descriptors: let connections end first
          return;
        }
        if (errno == EINTR || errno == ECONNABORTED || errno == EPERM) continue;
        return;  // EAGAIN, or the listener is gone
      }
      (void)SetNoDelay(fd);
      auto* c = new Conn;
      c->fd = fd;
      epoll_event ev{};
      ev.events = kConnEvents;
      ev.data.ptr = c;
      if (epoll_ctl(epfd_, EPOLL_CTL_ADD, fd, &ev) < 0) {
        close(fd);
        delete c;
        continue;
      }
      c->next = head_;
      if (head_ != nullptr) head_->prev = c;
      head_ = c;
      ++stats_.connections;
    }
  }

  // Stops watching the listener for 10 ms (libaem's AcceptLoop sleeps as long).
  void PauseAccept() {
    epoll_ctl(epfd_, EPOLL_CTL_DEL, listen_fd_, nullptr);
    accept_paused_ = true;
    clock_gettime(CLOCK_MONOTONIC, &paused_at_);
  }

  void ResumeAccept() {
    timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    const long long ms =
        (now.tv_sec - paused_at_.tv_sec) * 1000LL + (now.tv_nsec - paused_at_.tv_nsec) / 1000000;
    if (ms < 10) return;
    epoll_event ev{};
    ev.events = EPOLLIN;
    ev.data.ptr = &listen_fd_;
    epoll_ctl(epfd_, EPOLL_CTL_ADD, listen_fd_, &ev);
    accept_paused_ = false;
  }

  void Close(Conn* c) {
    close(c->fd);  // also leaves the epoll set
    if (c->prev != nullptr) c->prev->next = c->next;
    if (c->next != nullptr) c->next->prev = c->prev;
    if (head_ == c) head_ = c->next;
    delete c;
  }

  bool Watch(Conn* c, uint32_t events) {
    epoll_event ev{};
    ev.events = events;
    ev.data.ptr = c;
    return epoll_ctl(epfd_, EPOLL_CTL_MOD, c->fd, &ev) == 0;
  }

  // Sends out[sent, size). Returns false on an error; leaves `sent` short
  // when the socket is full.
  static bool Send(Conn* c) {
    while (c->sent < c->out.size()) {
      const ssize_t n = send(c->fd, c->out.data() + c->sent, c->out.size() - c->sent, MSG_NOSIGNAL);
      if (n < 0) {
        if (errno == EINTR) continue;
        return errno == EAGAIN;
      }
      c->sent += static_cast<size_t>(n);
    }
    return true;
  }

  void Serve(Conn* c, uint32_t events) {
    if (c->pending) {
      if (events & (EPOLLERR | EPOLLHUP)) return Close(c);
      if (!(events & EPOLLOUT)) return;  // read once the replies are out
      if (!Send(c)) return Close(c);
      if (c->sent < c->out.size()) return;
      if (c->close_after) return Close(c);
      c->pending = false;
      // Back to reading: what arrived meanwhile raised no new edge.
      if (!Watch(c, kConnEvents)) return Close(c);
    }
    for (;;) {
      char* space = c->in.space();
      if (space == nullptr) return Close(c);
      const ssize_t n = recv(c->fd, space, c->in.space_size(), 0);
      if (n <= 0) {
        if (n < 0 && errno == EAGAIN) return;
        if (n < 0 && errno == EINTR) continue;
        return Close(c);  // end of stream or error
      }
      c->in.Commit(static_cast<size_t>(n));
      c->out.clear();
      Result<frontend::Consumed> r = c->in.Handle(protocol_, c->out, stats_);
      if (!r.ok()) return Close(c);
      if (!c->out.empty()) {
        c->sent = 0;
        if (!Send(c)) return Close(c);
        if (c->sent < c->out.size()) {
          c->pending = true;
          c->close_after = r->close;
          if (!Watch(c, kConnEvents | EPOLLOUT)) Close(c);
          return;
        }
      }
      if (r->close) return Close(c);
    }
  }

  int epfd_;
  int listen_fd_;
  int signal_fd_;
  frontend::Protocol protocol_;
  frontend::ServerStats stats_;
  Conn* head_ = nullptr;
  bool accept_paused_ = false;
  timespec paused_at_{};
};

}  // namespace

int main(int argc, char** argv) {
  const PeerSetup setup = SetUpPeer(kName, argc, argv);
  const PeerOptions& o = setup.options;
  sigset_t stop;
  sigemptyset(&stop);
  sigaddset(&stop, SIGINT);
  sigaddset(&stop, SIGTERM);
  sigprocmask(SIG_BLOCK, &stop, nullptr);
  const int signal_fd = signalfd(-1, &stop, SFD_NONBLOCK | SFD_CLOEXEC);
  const int epfd = epoll_create1(EPOLL_CLOEXEC);
  if (signal_fd < 0 || epfd < 0) {
    std::perror("epoll-frontend: signalfd/epoll_create1");
    return 1;
  }

  int rc = 0;
  frontend::ServerStats stats;
  {
    Server server(epfd, setup.listen_fd, signal_fd, o.protocol);
    if (!server.Start()) {
      std::perror("epoll-frontend: epoll_ctl");
      return 1;
    }
    PrintListening(kName, o, setup.port);
    rc = server.Run();
    stats = server.stats();
  }
  close(setup.listen_fd);
  close(signal_fd);
  close(epfd);
  if (o.stats) PrintStats(kName, stats);
  return rc;
}
