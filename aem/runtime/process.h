// Child processes as events: a pidfd (pidfd_open) becomes readable when its
// process exits, so waiting for it is one more fd for the loop, and reaping
// (waitid P_PIDFD) names exactly that child: no SIGCHLD handler, no
// pid reuse race. The parent must not ignore SIGCHLD (SIG_IGN reaps
// children before anyone can wait for them).
#pragma once

#include <sys/types.h>

#include <optional>
#include <string>
#include <vector>

#include "aem/runtime/error.h"
#include "aem/runtime/fd.h"
#include "aem/runtime/loop.h"
#include "aem/runtime/task.h"

namespace aem {

struct ExitStatus {
  bool exited = false;  // exit(code); otherwise killed by `signal`
  int code = 0;
  int signal = 0;
  bool core_dumped = false;

  bool success() const { return exited && code == 0; }
  int wait_status() const;       // encoded as wait(2) does
  std::string ToString() const;  // "exited with status 3", "killed by signal 11 (SIGSEGV)"
};

// An owned child process. Destroying a Child that was not reaped kills it
// (SIGKILL) and reaps it, so that no process outlives its owner unnoticed.
class Child {
 public:
  // Takes over a child of this process (fork, clone): opens its pidfd.
  static Result<Child> Adopt(pid_t pid);
  Child(Child&& other) noexcept;
  Child& operator=(Child&& other) noexcept;
  ~Child();

  pid_t pid() const { return pid_; }
  int pidfd() const { return pidfd_.get(); }
  bool reaped() const { return reaped_; }

  Status Kill(int signo) const;  // pidfd_send_signal
  // Reaps the child if it has exited (nullopt if it still runs).
  Result<std::optional<ExitStatus>> TryWait();
  // Blocks until it exits and reaps it.
  Result<ExitStatus> WaitBlocking();
  // Waits through the loop (co_await) and reaps it.
  Task<Result<ExitStatus>> Wait(Loop& loop);

 private:
  Child(pid_t pid, Fd pidfd) : pid_(pid), pidfd_(std::move(pidfd)) {}
  Result<std::optional<ExitStatus>> Reap(int flags);

  pid_t pid_ = -1;
  Fd pidfd_;
  bool reaped_ = false;
};

struct SpawnOptions {
  int stdin_fd = -1;  // -1: inherit
  int stdout_fd = -1;
  int stderr_fd = -1;
};

// Starts argv[0] (searched in PATH) with argv, the current environment, all
// signals unblocked and at their default action.
Result<Child> Spawn(const std::vector<std::string>& argv, const SpawnOptions& options = {});

const char* SignalName(int signo);  // "SIGSEGV", or "signal N"

}  // namespace aem
