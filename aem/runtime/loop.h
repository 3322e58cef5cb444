// The libaem event loop: one thread, one loop, completions delivered to
// callbacks or to coroutines (Task) in priority order.
//
// Backends. io_uring (liburing) by default; epoll when io_uring_queue_init
// fails (kernel without io_uring, io_uring_disabled, seccomp), when
// LoopOptions::backend says so, or when the environment has
// AEM_BACKEND=epoll (AEM_BACKEND=uring makes a failing io_uring an error).
// Both backends implement the same operations with the same results.
//
// Priorities ("jobs"). Every handler has a priority (an int, higher first;
// kDefaultPriority is 0). Each loop iteration collects every completion the
// kernel has ready (and every expired timer) into a ready queue, then runs
// that batch in priority order, first-come first-served among equal
// priorities. Handlers that become ready while the batch runs (a Post, a
// Yield, a task spawned by a handler, an operation that completed at once)
// wait for the next iteration. So priority orders work within an iteration
// and nothing starves: whatever is ready at the start of an iteration runs
// in that iteration, whatever its priority; a low-priority handler waits at
// most for the higher-priority handlers of its own batch.
//
// Shutdown. Stop() makes the running Run() cancel everything: stop hooks run
// (the capsule pool kills and reaps its workers), timers and pending
// operations complete with ErrorCode::kCancelled (io_uring cancel / epoll
// removal), awaiting coroutines resume with that error and unwind, and
// operations started from then on complete with kCancelled at once. When no
// operation is left in the kernel, the frames of spawned tasks that are
// still suspended are destroyed (their Fd members close), and Run() returns.
// Persistent callback registrations (periodic timers, fd watches) are
// dropped without a call; one-shot callbacks get kCancelled.
//
// Threads. A Loop and everything registered with it belong to the thread
// that runs it; run one loop per thread (SO_REUSEPORT servers do).
#pragma once

#include <poll.h>
#include <sys/socket.h>

#include <chrono>
#include <coroutine>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "aem/runtime/error.h"
#include "aem/runtime/fd.h"
#include "aem/runtime/op.h"
#include "aem/runtime/task.h"

namespace aem {

enum class BackendKind { kAuto, kUring, kEpoll };
const char* BackendName(BackendKind kind);  // "auto", "io_uring", "epoll"

struct LoopOptions {
  BackendKind backend = BackendKind::kAuto;
  unsigned uring_entries = 512;  // submission queue size (completion queue: 4x)
  // Busy polling: after an iteration that ran handlers, the loop polls for
  // completions without sleeping for up to this long before it blocks.
  // Trades CPU time for fewer sleeps and wake-ups (lower latency and
  // cheaper sends for the peers); for a loop with a core of its own. Zero
  // (the default) never spins; at most one second.
  std::chrono::nanoseconds busy_poll{0};
};

namespace detail {
class Backend;
void ResumeWaiter(Op* op);

// An awaitable over one Op in the awaiting coroutine's frame.
class OpAwaitable {
 public:
  bool await_ready() const noexcept { return false; }
  template <typename P>
  void await_suspend(std::coroutine_handle<P> h) {
    op_.priority = PriorityOf(h);
    op_.waiter = h.address();
    op_.complete = &ResumeWaiter;
    Start();
  }

 protected:
  explicit OpAwaitable(Loop* loop) : loop_(loop) {}
  // Returned as prvalues and awaited in place: an Op never moves.
  OpAwaitable(const OpAwaitable&) = delete;
  OpAwaitable& operator=(const OpAwaitable&) = delete;
  void Start();
  Status StatusResult(const char* what) const;
  Result<size_t> SizeResult(const char* what) const;

  Loop* loop_;
  Op op_;
};
}  // namespace detail

// co_await: Result<size_t>, 0 at end of file.
class IoAwaitable : public detail::OpAwaitable {
 public:
  IoAwaitable(Loop* loop, detail::OpKind kind, int fd, void* buf, size_t len, int flags);
  Result<size_t> await_resume() const;
};

// co_await: Result<Fd>, the accepted connection (non-blocking, close-on-exec).
class AcceptAwaitable : public detail::OpAwaitable {
 public:
  AcceptAwaitable(Loop* loop, int fd);
  Result<Fd> await_resume() const;
};

// co_await: Status (connect, sleep, yield).
class StatusAwaitable : public detail::OpAwaitable {
 public:
  StatusAwaitable(Loop* loop, detail::OpKind kind, const char* what, int64_t deadline_ns = 0);
  StatusAwaitable(Loop* loop, int fd, const sockaddr* addr, socklen_t len);  // connect
  Status await_resume() const;

 private:
  const char* what_;
  sockaddr_storage addr_{};
};

// co_await: Result<uint32_t>, the poll(2) events that are set (POLLIN...).
class PollAwaitable : public detail::OpAwaitable {
 public:
  PollAwaitable(Loop* loop, int fd, uint32_t events);
  Result<uint32_t> await_resume() const;
};

class Loop final : private detail::CompletionSink {
 public:
  using Clock = std::chrono::steady_clock;  // CLOCK_MONOTONIC, as aem.ko's time_ns
  using TimerId = uint64_t;
  using WatchId = uint64_t;
  using HookId = uint64_t;

  // Creates a loop on the backend the options (and AEM_BACKEND) select.
  static Result<std::unique_ptr<Loop>> Create(const LoopOptions& options = {});
  ~Loop();
  Loop(const Loop&) = delete;
  Loop& operator=(const Loop&) = delete;

  BackendKind backend() const { return kind_; }
  // Why the loop runs on epoll although io_uring was asked for ("" otherwise).
  const std::string& fallback_reason() const { return fallback_reason_; }

  // --- running ---------------------------------------------------------------
  // Runs until Stop() has completed the shutdown, or until there is nothing
  // left to wait for (no pending operation, timer or ready handler).
  Status Run();
  // Spawns `task` and runs the loop until it finishes; its result, or
  // kCancelled when the loop stopped first.
  template <typename T>
  Result<T> RunUntilDone(Task<T> task, int priority = kDefaultPriority);
  Status RunUntilDone(Task<void> task, int priority = kDefaultPriority);
  // Requests the shutdown described above; safe from any handler.
  void Stop();
  bool stopping() const { return stop_requested_; }

  // --- coroutines --------------------------------------------------------------
  // The loop takes the task over and starts it at `priority`.
  void Spawn(Task<void> task, int priority = kDefaultPriority);
  size_t live_tasks() const { return live_tasks_; }

  IoAwaitable Read(int fd, void* buf, size_t len) {
    return IoAwaitable(this, detail::OpKind::kRead, fd, buf, len, 0);
  }
  IoAwaitable Write(int fd, const void* buf, size_t len) {
    return IoAwaitable(this, detail::OpKind::kWrite, fd, const_cast<void*>(buf), len, 0);
  }
  IoAwaitable Recv(int fd, void* buf, size_t len, int flags = 0) {
    return IoAwaitable(this, detail::OpKind::kRecv, fd, buf, len, flags);
  }
  // MSG_NOSIGNAL is always added: a closed peer is an error value, not SIGPIPE.
  IoAwaitable Send(int fd, const void* buf, size_t len, int flags = 0) {
    return IoAwaitable(this, detail::OpKind::kSend, fd, const_cast<void*>(buf), len, flags);
  }
  // Containers of bytes: std::string, std::vector<char>, std::array<uint8_t, N>, spans.
  template <typename Bytes>
  IoAwaitable Read(int fd, Bytes& buf) {
    static_assert(sizeof(*std::data(buf)) == 1, "a buffer of bytes");
    return Read(fd, std::data(buf), std::size(buf));
  }
  template <typename Bytes>
  IoAwaitable Write(int fd, const Bytes& buf) {
    static_assert(sizeof(*std::data(buf)) == 1, "a buffer of bytes");
    return Write(fd, std::data(buf), std::size(buf));
  }
  AcceptAwaitable Accept(int listen_fd) { return AcceptAwaitable(this, listen_fd); }
  StatusAwaitable Connect(int fd, const sockaddr* addr, socklen_t len) {
    return StatusAwaitable(this, fd, addr, len);
  }
  PollAwaitable Poll(int fd, uint32_t events) { return PollAwaitable(this, fd, events); }
  StatusAwaitable Sleep(Clock::duration d);
  StatusAwaitable SleepUntil(Clock::time_point t);
  // Lets the rest of this iteration's batch and the next iteration's I/O run.
  StatusAwaitable Yield() { return StatusAwaitable(this, detail::OpKind::kPost, "yield"); }

  // --- callbacks ------------------------------------------------------------------
  void Post(std::function<void()> fn, int priority = kDefaultPriority);
  void AsyncRead(int fd, void* buf, size_t len, int priority,
                 std::function<void(Result<size_t>)> done);
  void AsyncWrite(int fd, const void* buf, size_t len, int priority,
                  std::function<void(Result<size_t>)> done);
  void AsyncRecv(int fd, void* buf, size_t len, int priority,
                 std::function<void(Result<size_t>)> done);
  void AsyncSend(int fd, const void* buf, size_t len, int priority,
                 std::function<void(Result<size_t>)> done);
  void AsyncAccept(int fd, int priority, std::function<void(Result<Fd>)> done);
  // Calls `fn` after `first`, then every `period` (zero: once). A late tick
  // reports how many periods passed (expirations >= 1) and does not drift.
  TimerId AddTimer(Clock::duration first, Clock::duration period, int priority,
                   std::function<void(uint64_t expirations)> fn);
  bool CancelTimer(TimerId id);
  // Calls `fn` with the poll(2) events each time `fd` is ready for `events`
  // (level-triggered), until Unwatch. An error ends the watch after one call.
  WatchId WatchFd(int fd, uint32_t events, int priority, std::function<void(Result<uint32_t>)> fn);
  bool Unwatch(WatchId id);

  // Cancels every pending operation on `fd` (they complete with kCancelled).
  void Cancel(int fd);
  // Cancels them and closes `fd`; the way to close an fd the loop waits on.
  void Close(int fd);
  void Close(Fd& fd) { Close(fd.Release()); }

  // Components with processes or kernel state to tear down (the capsule pool)
  // run first when the loop stops.
  HookId AddStopHook(std::function<void()> hook);
  void RemoveStopHook(HookId id);

  // --- for awaitables and extensions ----------------------------------------------
  void Start(detail::Op* op);
  static int64_t NowNs();  // Clock, in nanoseconds

 private:
  struct Timer;
  struct Watch;
  struct CallbackOp;

  Loop(BackendKind kind, std::unique_ptr<detail::Backend> backend, std::string fallback_reason,
       int64_t busy_poll_ns);
  Status BusyPoll();
  void Complete(detail::Op* op, int64_t res) override;
  void CancelOp(detail::Op* op);
  Status RunWhile(const std::function<bool()>& keep_going);
  bool HasWork() const;
  void ExpireTimers();
  void DrainReady();
  void BeginShutdown();
  void FinishShutdown();
  void PushReady(detail::Op* op);
  void TimerPush(detail::Op* op);
  void TimerRemove(detail::Op* op);
  void TimerSiftUp(size_t i);
  void TimerSiftDown(size_t i);
  void StartCallback(detail::OpKind kind, int fd, void* buf, size_t len, int priority,
                     std::function<void(int64_t)> done);
  static void TimerFired(detail::Op* op);
  static void WatchFired(detail::Op* op);
  friend void detail::SpawnedTaskDone(detail::PromiseBase* promise);

  BackendKind kind_;
  std::unique_ptr<detail::Backend> backend_;
  std::string fallback_reason_;
  bool running_ = false;
  bool stop_requested_ = false;
  bool shutting_down_ = false;
  bool shut_down_ = false;
  int64_t busy_poll_ns_ = 0;
  size_t ran_last_iteration_ = 0;  // handlers the last DrainReady ran
  uint64_t next_seq_ = 1;
  uint64_t next_id_ = 1;
  std::vector<detail::Op*> ready_;     // heap: priority, then seq
  std::vector<detail::Op*> draining_;  // the batch being run
  std::vector<detail::Op*> timers_;    // min-heap: deadline, then seq
  detail::Op pending_head_;            // circular list of ops in the backend
  size_t pending_count_ = 0;
  detail::PromiseBase tasks_head_;  // circular list of spawned tasks
  size_t live_tasks_ = 0;
  std::unordered_map<TimerId, Timer*> timer_ids_;
  std::unordered_map<WatchId, Watch*> watch_ids_;
  std::vector<std::pair<HookId, std::function<void()>>> stop_hooks_;
};

template <typename T>
Result<T> Loop::RunUntilDone(Task<T> task, int priority) {
  // Shared with the frame: it may outlive this call when the loop ran out
  // of work before the task finished.
  struct State {
    std::optional<T> out;
  };
  auto state = std::make_shared<State>();
  auto wrapper = [](Task<T> t, std::shared_ptr<State> s) -> Task<void> {
    s->out.emplace(co_await t);
  };
  Spawn(wrapper(std::move(task), state), priority);
  Status status = RunWhile([&state] { return !state->out.has_value(); });
  if (state->out.has_value()) return std::move(*state->out);
  if (!status.ok()) return status.error();
  return Error(ErrorCode::kCancelled, "the loop stopped before the task finished");
}

}  // namespace aem
