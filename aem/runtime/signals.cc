#include "aem/runtime/signals.h"

#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <sys/signalfd.h>
#include <unistd.h>

namespace aem {

Result<std::unique_ptr<SignalSet>> SignalSet::Create(Loop& loop,
                                                     std::initializer_list<int> signals) {
  sigset_t set, old, newly;
  sigemptyset(&set);
  sigemptyset(&newly);
  for (int s : signals) {
    if (s == SIGKILL || s == SIGSTOP || sigaddset(&set, s) < 0)
      return Error(ErrorCode::kInvalidArgument,
                   "signal " + std::to_string(s) + " cannot be caught");
  }
  if (int rc = pthread_sigmask(SIG_BLOCK, &set, &old); rc != 0)
    return Error::FromErrno(rc, "pthread_sigmask");
  for (int s : signals)
    if (!sigismember(&old, s)) sigaddset(&newly, s);
  Fd fd(signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC));
  if (!fd) {
    const int err = errno;
    pthread_sigmask(SIG_UNBLOCK, &newly, nullptr);
    return Error::FromErrno(err, "signalfd");
  }
  return std::unique_ptr<SignalSet>(new SignalSet(loop, std::move(fd), set, newly));
}

SignalSet::SignalSet(Loop& loop, Fd fd, sigset_t set, sigset_t newly_blocked)
    : loop_(loop), fd_(std::move(fd)), set_(set), newly_blocked_(newly_blocked) {}

SignalSet::~SignalSet() {
  if (watch_) loop_.Unwatch(*watch_);
  // Consume what is pending, so that unblocking does not deliver it with
  // its default action.
  for (;;) {
    auto r = ReadOne();
    if (!r.ok() || !r->has_value()) break;
  }
  loop_.Close(fd_);
  pthread_sigmask(SIG_UNBLOCK, &newly_blocked_, nullptr);
}

Result<std::optional<SignalInfo>> SignalSet::ReadOne() {
  signalfd_siginfo si;
  const ssize_t n = ::read(fd_.get(), &si, sizeof(si));
  if (n < 0) {
    if (errno == EAGAIN || errno == EINTR) return std::optional<SignalInfo>();
    return Error::FromErrno(errno, "read(signalfd)");
  }
  if (n != sizeof(si)) return Error(ErrorCode::kMalformed, "short read from signalfd");
  SignalInfo info;
  info.signo = static_cast<int>(si.ssi_signo);
  info.code = si.ssi_code;
  info.pid = static_cast<pid_t>(si.ssi_pid);
  info.uid = static_cast<uid_t>(si.ssi_uid);
  info.status = si.ssi_status;
  return std::optional<SignalInfo>(info);
}

Task<Result<SignalInfo>> SignalSet::Next() {
  for (;;) {
    auto r = ReadOne();
    if (!r.ok()) co_return r.error();
    if (r->has_value()) co_return **r;
    Result<uint32_t> ready = co_await loop_.Poll(fd_.get(), POLLIN);
    if (!ready.ok()) co_return ready.error();
  }
}

void SignalSet::OnSignal(int priority, std::function<void(const SignalInfo&)> fn) {
  if (watch_) loop_.Unwatch(*watch_);
  watch_ = loop_.WatchFd(fd_.get(), POLLIN, priority,
                         [this, fn = std::move(fn)](Result<uint32_t> ready) {
                           if (!ready.ok()) return;
                           for (;;) {
                             auto r = ReadOne();
                             if (!r.ok() || !r->has_value()) return;
                             fn(**r);
                           }
                         });
}

}  // namespace aem
