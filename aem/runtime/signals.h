// Signals as events (signalfd). A SignalSet blocks its signals in the
// calling thread (create it before starting other threads, or block them
// there too, so that the kernel queues them for the signalfd instead of
// running their default action) and restores the mask when it goes away,
// after reading whatever of its signals is still pending.
#pragma once

#include <signal.h>
#include <sys/types.h>

#include <functional>
#include <initializer_list>
#include <memory>
#include <optional>

#include "aem/runtime/error.h"
#include "aem/runtime/fd.h"
#include "aem/runtime/loop.h"
#include "aem/runtime/task.h"

namespace aem {

struct SignalInfo {
  int signo = 0;
  int code = 0;    // si_code (SI_USER, SI_QUEUE, CLD_EXITED...)
  pid_t pid = 0;   // sender
  uid_t uid = 0;   // sender's real uid
  int status = 0;  // SIGCHLD: exit status or signal
};

class SignalSet {
 public:
  static Result<std::unique_ptr<SignalSet>> Create(Loop& loop, std::initializer_list<int> signals);
  ~SignalSet();
  SignalSet(const SignalSet&) = delete;
  SignalSet& operator=(const SignalSet&) = delete;

  // The next signal of the set (co_await).
  Task<Result<SignalInfo>> Next();
  // Calls `fn` for every signal of the set until the set or the loop goes.
  void OnSignal(int priority, std::function<void(const SignalInfo&)> fn);

  int fd() const { return fd_.get(); }

 private:
  SignalSet(Loop& loop, Fd fd, sigset_t set, sigset_t newly_blocked);
  // One queued signal, nullopt when none is.
  Result<std::optional<SignalInfo>> ReadOne();

  Loop& loop_;
  Fd fd_;
  sigset_t set_;
  sigset_t newly_blocked_;  // what the destructor unblocks
  std::optional<Loop::WatchId> watch_;
};

}  // namespace aem
