#include "aem/runtime/process.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <utility>

extern char** environ;

namespace aem {
namespace {

int PidfdOpen(pid_t pid) { return static_cast<int>(syscall(SYS_pidfd_open, pid, 0)); }

}  // namespace

const char* SignalName(int signo) {
  if (const char* abbrev = sigabbrev_np(signo)) {
    thread_local char buf[16];
    snprintf(buf, sizeof(buf), "SIG%s", abbrev);
    return buf;
  }
  return "unknown signal";
}

int ExitStatus::wait_status() const {
  if (exited) return (code & 0xff) << 8;
  return (signal & 0x7f) | (core_dumped ? 0x80 : 0);
}

std::string ExitStatus::ToString() const {
  if (exited) return "exited with status " + std::to_string(code);
  std::string s = "killed by signal " + std::to_string(signal) + " (" + SignalName(signal) + ")";
  if (core_dumped) s += ", core dumped";
  return s;
}

Result<Child> Child::Adopt(pid_t pid) {
  Fd fd(PidfdOpen(pid));
  if (!fd) return Error::FromErrno(errno, "pidfd_open");  // close-on-exec by default
  return Child(pid, std::move(fd));
}

Child::Child(Child&& other) noexcept
    : pid_(std::exchange(other.pid_, -1)),
      pidfd_(std::move(other.pidfd_)),
      reaped_(std::exchange(other.reaped_, false)) {}

Child& Child::operator=(Child&& other) noexcept {
  if (this != &other) {
    if (pidfd_ && !reaped_) {
      (void)Kill(SIGKILL);
      (void)Reap(0);
    }
    pid_ = std::exchange(other.pid_, -1);
    pidfd_ = std::move(other.pidfd_);
    reaped_ = std::exchange(other.reaped_, false);
  }
  return *this;
}

Child::~Child() {
  if (pidfd_ && !reaped_) {
    (void)Kill(SIGKILL);
    (void)Reap(0);
  }
}

Status Child::Kill(int signo) const {
  if (reaped_) return Error(ErrorCode::kInvalidArgument, "the child was reaped");
  if (syscall(SYS_pidfd_send_signal, pidfd_.get(), signo, nullptr, 0) < 0)
    return Error::FromErrno(errno, "pidfd_send_signal");
  return Status::Ok();
}

Result<std::optional<ExitStatus>> Child::Reap(int flags) {
  if (reaped_) return Error(ErrorCode::kInvalidArgument, "the child was reaped");
  siginfo_t info;
  memset(&info, 0, sizeof(info));
  for (;;) {
    if (waitid(P_PIDFD, static_cast<id_t>(pidfd_.get()), &info, WEXITED | flags) == 0) break;
    if (errno != EINTR) return Error::FromErrno(errno, "waitid");
  }
  if (info.si_pid == 0) return std::optional<ExitStatus>();
  reaped_ = true;
  ExitStatus st;
  st.exited = info.si_code == CLD_EXITED;
  if (st.exited) {
    st.code = info.si_status;
  } else {
    st.signal = info.si_status;
    st.core_dumped = info.si_code == CLD_DUMPED;
  }
  return std::optional<ExitStatus>(st);
}

Result<std::optional<ExitStatus>> Child::TryWait() { return Reap(WNOHANG); }

Result<ExitStatus> Child::WaitBlocking() {
  auto r = Reap(0);
  if (!r.ok()) return r.error();
  return **r;
}

Task<Result<ExitStatus>> Child::Wait(Loop& loop) {
  for (;;) {
    auto r = TryWait();
    if (!r.ok()) co_return r.error();
    if (r->has_value()) co_return **r;
    Result<uint32_t> ready = co_await loop.Poll(pidfd_.get(), POLLIN);
    if (!ready.ok()) co_return ready.error();
  }
}

Result<Child> Spawn(const std::vector<std::string>& argv, const SpawnOptions& options) {
  if (argv.empty()) return Error(ErrorCode::kInvalidArgument, "spawn: empty argv");
  std::vector<char*> args;
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);

  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  const int fds[3] = {options.stdin_fd, options.stdout_fd, options.stderr_fd};
  for (int i = 0; i < 3; ++i)
    if (fds[i] >= 0) posix_spawn_file_actions_adddup2(&actions, fds[i], i);
  posix_spawnattr_t attr;
  posix_spawnattr_init(&attr);
  sigset_t none, all;
  sigemptyset(&none);
  sigfillset(&all);
  posix_spawnattr_setsigmask(&attr, &none);
  posix_spawnattr_setsigdefault(&attr, &all);
  posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
  pid_t pid = -1;
  const int rc = posix_spawnp(&pid, args[0], &actions, &attr, args.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  posix_spawnattr_destroy(&attr);
  if (rc != 0) return Error::FromErrno(rc, ("spawn " + argv[0]).c_str());
  auto child = Child::Adopt(pid);
  if (!child.ok()) {  // cannot watch it: do not leave it behind
    kill(pid, SIGKILL);
    waitpid(pid, nullptr, 0);
  }
  return child;
}

}  // namespace aem
