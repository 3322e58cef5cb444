// Capsules: handlers that run in pre-spawned worker processes, isolated from
// the main one (AEM's EVF_CAPSULE).
//
// Handlers are registered by name in a CapsuleRegistry before the pool
// starts; CapsulePool::Create forks the workers, each of which inherits the
// registry and serves one request at a time over its own socketpair with a
// small framed protocol (16-byte header: magic, handler index or status,
// length; then the payload). The main loop sends a request and awaits the
// reply without blocking: `Result<std::string> r = co_await pool->Call("parse", bytes);`
//
// Crash containment: a worker that dies (SIGSEGV, abort, exit, or killed on
// a timeout) is reaped through its pidfd, the request it was serving
// completes with ErrorCode::kCrashed (kTimeout after a timeout) naming the
// exit status, and a fresh worker is forked in its place; the other workers
// and the queued requests are not affected.
//
// Workers are forked from the main process: create the pool while the
// process is single-threaded (restarts fork it again; libaem itself starts no
// threads). A worker closes every inherited fd except 0, 1, 2 and its
// socket, unblocks all signals, leaves the terminal's process group, dies
// with its parent (PR_SET_PDEATHSIG) and ends with _exit.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <coroutine>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "aem/runtime/error.h"
#include "aem/runtime/fd.h"
#include "aem/runtime/loop.h"
#include "aem/runtime/process.h"

namespace aem {

// Runs in a worker: the request's bytes in, the reply's bytes or an error out.
using CapsuleHandler = std::function<Result<std::string>(std::string_view request)>;

class CapsuleRegistry {
 public:
  Status Register(std::string name, CapsuleHandler handler);
  size_t size() const { return handlers_.size(); }

 private:
  friend class CapsulePool;
  std::vector<std::pair<std::string, CapsuleHandler>> handlers_;
};

struct CapsuleOptions {
  unsigned workers = 2;
  size_t max_message = 16u << 20;        // request and reply payload limit (kTooLarge)
  std::chrono::milliseconds timeout{0};  // per call, 0: none; the worker is killed and replaced
  int control_priority = 1 << 20;        // the pool's own handlers (worker exits, restarts)
};

struct CapsuleStats {
  uint64_t completed = 0;  // replies received (handler errors included)
  uint64_t crashed = 0;    // calls that failed because their worker died
  uint64_t timed_out = 0;
  uint64_t restarts = 0;  // workers forked after the initial ones
};

class CapsuleCall;

class CapsulePool {
 public:
  static Result<std::unique_ptr<CapsulePool>> Create(Loop& loop, CapsuleRegistry registry,
                                                     const CapsuleOptions& options = {});
  // Kills and reaps the workers; calls not answered yet complete with kCancelled.
  ~CapsulePool();
  CapsulePool(const CapsulePool&) = delete;
  CapsulePool& operator=(const CapsulePool&) = delete;

  // co_await: Result<std::string>. Queued by the awaiting task's priority.
  CapsuleCall Call(std::string_view handler, std::string request);
  // The same with a callback.
  void Call(std::string_view handler, std::string request, int priority,
            std::function<void(Result<std::string>)> done);

  std::vector<pid_t> worker_pids() const;  // the live workers
  const CapsuleStats& stats() const { return stats_; }

 private:
  friend class CapsuleCall;
  struct Pending;
  struct Exchange;
  struct Worker;

  CapsulePool(Loop& loop, CapsuleRegistry registry, const CapsuleOptions& options);
  Result<uint32_t> Lookup(std::string_view name, size_t request_size) const;
  Pending* Enqueue(uint32_t handler, std::string request, int priority,
                   std::function<void(Result<std::string>)> done);
  Status SpawnWorker(Worker& w);
  void Dispatch();
  void SendMore(Worker& w, std::shared_ptr<Exchange> ex);
  void RecvMore(Worker& w, std::shared_ptr<Exchange> ex);
  void Finish(Worker& w, const std::shared_ptr<Exchange>& ex);
  void Broken(Worker& w, const Error& why);
  void OnExit(Worker& w);
  void Shutdown();
  static void Complete(std::unique_ptr<Pending> call, Result<std::string> result);
  static bool QueueLess(const std::unique_ptr<Pending>& a, const std::unique_ptr<Pending>& b);

  Loop& loop_;
  CapsuleRegistry registry_;
  CapsuleOptions options_;
  pid_t parent_pid_;
  std::vector<std::unique_ptr<Worker>> workers_;
  std::vector<std::unique_ptr<Pending>> queue_;  // heap: priority, then arrival
  uint64_t next_seq_ = 0;
  uint64_t next_generation_ = 0;
  CapsuleStats stats_;
  bool shut_down_ = false;
  Loop::HookId stop_hook_ = 0;
  std::shared_ptr<bool> alive_;  // callbacks still queued in the loop check it
};

// The awaitable CapsulePool::Call returns.
class CapsuleCall {
 public:
  CapsuleCall(const CapsuleCall&) = delete;
  CapsuleCall& operator=(const CapsuleCall&) = delete;
  ~CapsuleCall();

  bool await_ready() const noexcept { return result_.has_value(); }
  template <typename P>
  void await_suspend(std::coroutine_handle<P> h) {
    op_.priority = detail::PriorityOf(h);
    op_.waiter = h.address();
    op_.complete = &detail::ResumeWaiter;
    Enqueue();
  }
  Result<std::string> await_resume() { return std::move(*result_); }

 private:
  friend class CapsulePool;
  CapsuleCall(CapsulePool* pool, Result<uint32_t> handler, std::string request);
  void Enqueue();

  CapsulePool* pool_;
  uint32_t handler_ = 0;
  std::string request_;
  std::optional<Result<std::string>> result_;
  CapsulePool::Pending* pending_ = nullptr;
  detail::Op op_;
};

}  // namespace aem
