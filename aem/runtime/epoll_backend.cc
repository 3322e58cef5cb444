// The epoll backend: readiness turned into completions.
//
// An operation is first tried at once when that cannot block (recv/send with
// MSG_DONTWAIT, read/write with RWF_NOWAIT, accept on a non-blocking
// socket); when the kernel says EAGAIN it waits in its fd's queue. Every fd
// is registered level-triggered with the union of what its queued operations
// need; an event runs the queued operations in order until one would block.
// Interest is lowered lazily: only an event that finds no operation waiting
// for it removes it, so a connection that alternates read and write costs no
// epoll_ctl per request. Regular files (which epoll refuses) are always
// ready: their operations run synchronously.
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <deque>
#include <unordered_map>
#include <vector>

#include "aem/runtime/backend.h"
#include "aem/runtime/fd.h"

namespace aem::detail {
namespace {

constexpr uint32_t kReadEvents = EPOLLIN | EPOLLRDHUP | EPOLLHUP | EPOLLERR;
constexpr uint32_t kWriteEvents = EPOLLOUT | EPOLLHUP | EPOLLERR;

bool IsReader(OpKind kind) {
  return kind == OpKind::kRead || kind == OpKind::kRecv || kind == OpKind::kAccept;
}

class EpollBackend final : public Backend {
 public:
  EpollBackend(CompletionSink* sink, Fd epfd) : sink_(sink), epfd_(std::move(epfd)) {
    events_.resize(256);
  }

  void Submit(Op* op) override {
    if (op->kind == OpKind::kConnect) {
      if (::connect(op->fd, op->addr, op->addrlen) == 0) return sink_->Complete(op, 0);
      if (errno != EINPROGRESS) return sink_->Complete(op, -errno);
    } else if (op->kind != OpKind::kPoll) {
      const int64_t res = Attempt(op, /*after_ready=*/false);
      if (res != -EAGAIN) return sink_->Complete(op, res);
    }
    FdState& st = fds_[op->fd];
    st.fd = op->fd;
    const bool was_idle = st.readers.empty() && st.writers.empty() && st.pollers.empty();
    if (op->kind == OpKind::kPoll)
      st.pollers.push_back(op);
    else if (IsReader(op->kind))
      st.readers.push_back(op);
    else
      st.writers.push_back(op);
    Arm(st, was_idle);
  }

  void Cancel(Op* op) override {
    auto it = fds_.find(op->fd);
    if (it == fds_.end()) return;
    FdState& st = it->second;
    for (auto* q : {&st.readers, &st.writers, &st.pollers}) {
      for (auto i = q->begin(); i != q->end(); ++i) {
        if (*i == op) {
          q->erase(i);
          if (op->kind == OpKind::kPoll) DropIfIdle(it);
          sink_->Complete(op, -ECANCELED);
          return;
        }
      }
    }
  }

  void Forget(int fd) override {
    auto it = fds_.find(fd);
    if (it == fds_.end()) return;
    if (it->second.registered) epoll_ctl(epfd_.get(), EPOLL_CTL_DEL, fd, nullptr);
    fds_.erase(it);
  }

  Status Wait(int64_t timeout_ns) override {
    int n;
    if (timeout_ns < 0) {
      n = epoll_wait(epfd_.get(), events_.data(), static_cast<int>(events_.size()), -1);
    } else if (timeout_ns == 0) {
      n = epoll_wait(epfd_.get(), events_.data(), static_cast<int>(events_.size()), 0);
    } else if (have_pwait2_) {
      timespec ts{static_cast<time_t>(timeout_ns / 1000000000), timeout_ns % 1000000000};
      n = epoll_pwait2(epfd_.get(), events_.data(), static_cast<int>(events_.size()), &ts, nullptr);
      if (n < 0 && errno == ENOSYS) {
        have_pwait2_ = false;
        return Status::Ok();  // the loop computes the timeout again
      }
    } else {
      const int64_t ms = (timeout_ns + 999999) / 1000000;
      n = epoll_wait(epfd_.get(), events_.data(), static_cast<int>(events_.size()),
                     static_cast<int>(std::min<int64_t>(ms, 1 << 30)));
    }
    if (n < 0) {
      if (errno == EINTR) return Status::Ok();
      return Error::FromErrno(errno, "epoll_wait");
    }
    for (int i = 0; i < n; ++i) Dispatch(events_[i].data.fd, events_[i].events);
    if (n == static_cast<int>(events_.size()) && events_.size() < 4096)
      events_.resize(events_.size() * 2);
    return Status::Ok();
  }

 private:
  struct FdState {
    int fd = -1;
    bool registered = false;
    bool always_ready = false;  // a regular file: epoll refuses it
    uint32_t armed = 0;
    std::deque<Op*> readers, writers, pollers;
  };

  // Runs `op` without blocking: its result, or -EAGAIN.
  int64_t Attempt(Op* op, bool after_ready) {
    ssize_t r = -1;
    switch (op->kind) {
      case OpKind::kRecv: r = ::recv(op->fd, op->buf, op->len, op->flags | MSG_DONTWAIT); break;
      case OpKind::kSend:
        r = ::send(op->fd, op->buf, op->len, op->flags | MSG_DONTWAIT | MSG_NOSIGNAL);
        break;
      case OpKind::kRead:
      case OpKind::kWrite: {
        iovec iov{op->buf, op->len};
        if (!op->no_nowait) {
          r = op->kind == OpKind::kRead ? preadv2(op->fd, &iov, 1, -1, RWF_NOWAIT)
                                        : pwritev2(op->fd, &iov, 1, -1, RWF_NOWAIT);
          if (r < 0 && (errno == EOPNOTSUPP || errno == EINVAL)) op->no_nowait = true;
          if (r >= 0 || !op->no_nowait) break;
        }
        // Without RWF_NOWAIT: only once the fd was reported ready (a
        // non-blocking fd may still say EAGAIN, then it waits again).
        if (!after_ready) return -EAGAIN;
        r = op->kind == OpKind::kRead ? ::read(op->fd, op->buf, op->len)
                                      : ::write(op->fd, op->buf, op->len);
        break;
      }
      case OpKind::kAccept: {
        if (!after_ready) {
          const int fl = fcntl(op->fd, F_GETFL);
          if (fl < 0) return -errno;
          if (!(fl & O_NONBLOCK)) return -EAGAIN;  // a blocking socket: wait for readiness
        }
        r = accept4(op->fd, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (r < 0 && (errno == ECONNABORTED || errno == EPROTO)) return -EAGAIN;
        break;
      }
      case OpKind::kConnect: {
        int err = 0;
        socklen_t len = sizeof(err);
        if (getsockopt(op->fd, SOL_SOCKET, SO_ERROR, &err, &len) < 0) return -errno;
        return -err;
      }
      default: return -EINVAL;
    }
    if (r >= 0) return r;
    if (errno == EWOULDBLOCK) return -EAGAIN;
    return errno == EINTR ? -EAGAIN : -errno;
  }

  // Registers what the queued operations need. An fd that had no operation
  // queued may have been closed and its number reused since it was
  // registered (epoll forgets a closed file by itself): then its
  // registration is made again (MOD, and ADD when MOD says ENOENT), which
  // also drops stale interest. An fd with operations queued cannot have
  // been closed (Loop::Close cancels them first), so only new interest costs
  // an epoll_ctl.
  void Arm(FdState& st, bool was_idle) {
    if (st.always_ready) return RunAlwaysReady(st);
    uint32_t want = 0;
    if (!st.readers.empty()) want |= EPOLLIN | EPOLLRDHUP;
    if (!st.writers.empty()) want |= EPOLLOUT;
    for (Op* p : st.pollers) want |= p->poll_mask & (EPOLLIN | EPOLLOUT | EPOLLPRI | EPOLLRDHUP);
    if (st.registered && !was_idle && (want & ~st.armed) == 0) return;
    epoll_event ev{};
    ev.events = was_idle ? want : st.armed | want;
    ev.data.fd = st.fd;
    int rc;
    if (st.registered) {
      rc = epoll_ctl(epfd_.get(), EPOLL_CTL_MOD, st.fd, &ev);
      if (rc < 0 && errno == ENOENT) rc = epoll_ctl(epfd_.get(), EPOLL_CTL_ADD, st.fd, &ev);
    } else {
      rc = epoll_ctl(epfd_.get(), EPOLL_CTL_ADD, st.fd, &ev);
      if (rc < 0 && errno == EEXIST) rc = epoll_ctl(epfd_.get(), EPOLL_CTL_MOD, st.fd, &ev);
    }
    if (rc == 0) {
      st.registered = true;
      st.armed = ev.events;
      return;
    }
    if (errno == EPERM) {  // a regular file or a directory
      st.always_ready = true;
      return RunAlwaysReady(st);
    }
    FailAll(st.fd, -errno);
  }

  // Regular files: plain (blocking, but never for long) syscalls.
  void RunAlwaysReady(FdState& st) {
    for (Op* op : st.readers) op->no_nowait = true;
    for (Op* op : st.writers) op->no_nowait = true;
    Dispatch(st.fd, EPOLLIN | EPOLLOUT);
  }

  // Completes every queued operation on `fd` with `res` (a failed epoll_ctl).
  void FailAll(int fd, int64_t res) {
    auto it = fds_.find(fd);
    if (it == fds_.end()) return;
    std::vector<Op*> ops;
    for (auto* q : {&it->second.readers, &it->second.writers, &it->second.pollers}) {
      ops.insert(ops.end(), q->begin(), q->end());
      q->clear();
    }
    for (Op* op : ops) sink_->Complete(op, res);
  }

  void Dispatch(int fd, uint32_t events) {
    auto it = fds_.find(fd);
    if (it == fds_.end()) {
      epoll_ctl(epfd_.get(), EPOLL_CTL_DEL, fd, nullptr);  // a stale registration
      return;
    }
    FdState& st = it->second;
    const bool had_readers = !st.readers.empty();
    const bool had_writers = !st.writers.empty();
    const bool had_pollers = !st.pollers.empty();
    if (events & kReadEvents) RunQueue(st.readers);
    if (events & kWriteEvents) RunQueue(st.writers);
    if (had_pollers) {
      for (auto i = st.pollers.begin(); i != st.pollers.end();) {
        Op* op = *i;
        const uint32_t got = events & (op->poll_mask | POLLERR | POLLHUP | POLLNVAL);
        if (got != 0) {
          i = st.pollers.erase(i);
          sink_->Complete(op, got);
        } else {
          ++i;
        }
      }
    }
    if (st.always_ready) {
      if (st.readers.empty() && st.writers.empty() && st.pollers.empty()) fds_.erase(it);
      return;
    }
    if (had_pollers && st.pollers.empty() && st.readers.empty() && st.writers.empty()) {
      // Readiness waits (pidfds, signalfds, /dev/aem, watches) are rare and
      // long: their fd leaves the epoll set as soon as nobody waits, while it
      // is still open. Otherwise a registration could outlive the fd number:
      // epoll keeps it as long as the file is open anywhere (a forked child
      // that has not closed its inherited copy yet) and would report it
      // under the number's next owner. Sockets keep theirs (lazily lowered
      // below): a stale one only costs them a retry that says EAGAIN.
      epoll_ctl(epfd_.get(), EPOLL_CTL_DEL, fd, nullptr);
      fds_.erase(it);
      return;
    }
    if (!had_readers && !had_writers && !had_pollers) {
      // Nobody waits on this fd any more: drop it (its interest, or an error
      // or hang-up that level-triggered epoll would report forever).
      epoll_ctl(epfd_.get(), EPOLL_CTL_DEL, fd, nullptr);
      fds_.erase(it);
      return;
    }
    // Lower the interest that this event found nobody waiting for.
    uint32_t unused = 0;
    if ((events & EPOLLIN) && !had_readers) unused |= EPOLLIN | EPOLLRDHUP;
    if ((events & EPOLLOUT) && !had_writers) unused |= EPOLLOUT;
    if (had_pollers || (st.armed & unused) == 0) return;
    uint32_t keep = 0;
    if (!st.readers.empty()) keep |= EPOLLIN | EPOLLRDHUP;
    if (!st.writers.empty()) keep |= EPOLLOUT;
    for (Op* p : st.pollers) keep |= p->poll_mask & (EPOLLIN | EPOLLOUT | EPOLLPRI | EPOLLRDHUP);
    const uint32_t next = (st.armed & ~unused) | keep;
    if (next == 0) {
      epoll_ctl(epfd_.get(), EPOLL_CTL_DEL, fd, nullptr);
      fds_.erase(it);
      return;
    }
    epoll_event ev{};
    ev.events = next;
    ev.data.fd = fd;
    if (epoll_ctl(epfd_.get(), EPOLL_CTL_MOD, fd, &ev) == 0) st.armed = next;
  }

  void DropIfIdle(std::unordered_map<int, FdState>::iterator it) {
    FdState& st = it->second;
    if (!st.readers.empty() || !st.writers.empty() || !st.pollers.empty()) return;
    if (st.registered) epoll_ctl(epfd_.get(), EPOLL_CTL_DEL, st.fd, nullptr);
    fds_.erase(it);
  }

  void RunQueue(std::deque<Op*>& q) {
    while (!q.empty()) {
      Op* op = q.front();
      const int64_t res = Attempt(op, /*after_ready=*/true);
      if (res == -EAGAIN) return;
      q.pop_front();
      sink_->Complete(op, res);
    }
  }

  CompletionSink* sink_;
  Fd epfd_;
  std::vector<epoll_event> events_;
  std::unordered_map<int, FdState> fds_;
  bool have_pwait2_ = true;
};

}  // namespace

Result<std::unique_ptr<Backend>> MakeEpollBackend(CompletionSink* sink) {
  Fd epfd(epoll_create1(EPOLL_CLOEXEC));
  if (!epfd) return Error::FromErrno(errno, "epoll_create1");
  return std::unique_ptr<Backend>(new EpollBackend(sink, std::move(epfd)));
}

}  // namespace aem::detail
