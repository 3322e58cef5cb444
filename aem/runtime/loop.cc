#include "aem/runtime/loop.h"

#include <errno.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>

#include "aem/runtime/backend.h"

namespace aem {

using detail::Op;
using detail::OpKind;
using detail::OpState;

namespace {

// A stopped loop keeps running rounds while handlers answer cancellations by
// starting new operations (each completes with kCancelled at once); after
// this many it frees what is left.
constexpr int kMaxShutdownRounds = 1000;

// The ready queue is a max-heap: higher priority first, then lower seq.
bool ReadyLess(const Op* a, const Op* b) {
  if (a->priority != b->priority) return a->priority < b->priority;
  return a->seq > b->seq;
}

bool TimerBefore(const Op* a, const Op* b) {
  if (a->deadline_ns != b->deadline_ns) return a->deadline_ns < b->deadline_ns;
  return a->seq < b->seq;
}

const char* OpName(OpKind kind) {
  switch (kind) {
    case OpKind::kRead: return "read";
    case OpKind::kWrite: return "write";
    case OpKind::kRecv: return "recv";
    case OpKind::kSend: return "send";
    case OpKind::kAccept: return "accept";
    case OpKind::kConnect: return "connect";
    case OpKind::kPoll: return "poll";
    case OpKind::kTimer: return "timer";
    case OpKind::kPost: return "post";
  }
  return "op";
}

}  // namespace

const char* BackendName(BackendKind kind) {
  switch (kind) {
    case BackendKind::kAuto: return "auto";
    case BackendKind::kUring: return "io_uring";
    case BackendKind::kEpoll: return "epoll";
  }
  return "unknown";
}

namespace detail {

void ResumeWaiter(Op* op) { std::coroutine_handle<>::from_address(op->waiter).resume(); }

void SpawnedTaskDone(PromiseBase* p) {
  Loop* loop = p->loop;
  p->prev_task->next_task = p->next_task;
  p->next_task->prev_task = p->prev_task;
  --loop->live_tasks_;
  p->self.destroy();
}

void OpAwaitable::Start() { loop_->Start(&op_); }

Status OpAwaitable::StatusResult(const char* what) const {
  if (op_.res < 0) return Error::FromErrno(static_cast<int>(-op_.res), what);
  return Status::Ok();
}

Result<size_t> OpAwaitable::SizeResult(const char* what) const {
  if (op_.res < 0) return Error::FromErrno(static_cast<int>(-op_.res), what);
  return static_cast<size_t>(op_.res);
}

}  // namespace detail

// --- awaitables ------------------------------------------------------------------

IoAwaitable::IoAwaitable(Loop* loop, OpKind kind, int fd, void* buf, size_t len, int flags)
    : OpAwaitable(loop) {
  op_.kind = kind;
  op_.fd = fd;
  op_.buf = buf;
  op_.len = std::min<size_t>(len, size_t{1} << 30);
  op_.flags = flags;
}

Result<size_t> IoAwaitable::await_resume() const { return SizeResult(OpName(op_.kind)); }

AcceptAwaitable::AcceptAwaitable(Loop* loop, int fd) : OpAwaitable(loop) {
  op_.kind = OpKind::kAccept;
  op_.fd = fd;
}

Result<Fd> AcceptAwaitable::await_resume() const {
  if (op_.res < 0) return Error::FromErrno(static_cast<int>(-op_.res), "accept");
  return Fd(static_cast<int>(op_.res));
}

StatusAwaitable::StatusAwaitable(Loop* loop, OpKind kind, const char* what, int64_t deadline_ns)
    : OpAwaitable(loop), what_(what) {
  op_.kind = kind;
  op_.deadline_ns = deadline_ns;
}

StatusAwaitable::StatusAwaitable(Loop* loop, int fd, const sockaddr* addr, socklen_t len)
    : OpAwaitable(loop), what_("connect") {
  op_.kind = OpKind::kConnect;
  op_.fd = fd;
  len = std::min<socklen_t>(len, sizeof(addr_));
  std::memcpy(&addr_, addr, len);
  op_.addr = reinterpret_cast<const sockaddr*>(&addr_);
  op_.addrlen = len;
}

Status StatusAwaitable::await_resume() const { return StatusResult(what_); }

PollAwaitable::PollAwaitable(Loop* loop, int fd, uint32_t events) : OpAwaitable(loop) {
  op_.kind = OpKind::kPoll;
  op_.fd = fd;
  op_.poll_mask = events;
}

Result<uint32_t> PollAwaitable::await_resume() const {
  if (op_.res < 0) return Error::FromErrno(static_cast<int>(-op_.res), "poll");
  return static_cast<uint32_t>(op_.res);
}

// --- callback registrations ----------------------------------------------------------

struct Loop::CallbackOp : Op {
  std::function<void(int64_t)> done;

  static void Complete(Op* op) {
    auto* self = static_cast<CallbackOp*>(op);
    auto done = std::move(self->done);
    const int64_t res = self->res;
    delete self;
    done(res);
  }
  static void Discard(Op* op) { delete static_cast<CallbackOp*>(op); }
};

struct Loop::Timer : Op {
  Loop* loop = nullptr;
  TimerId id = 0;
  int64_t period_ns = 0;
  bool cancelled = false;
  bool in_callback = false;
  std::function<void(uint64_t)> fn;

  static void Discard(Op* op) {
    auto* t = static_cast<Timer*>(op);
    t->loop->timer_ids_.erase(t->id);
    delete t;
  }
};

struct Loop::Watch : Op {
  Loop* loop = nullptr;
  WatchId id = 0;
  bool cancelled = false;
  bool in_callback = false;
  std::function<void(Result<uint32_t>)> fn;

  static void Discard(Op* op) {
    auto* w = static_cast<Watch*>(op);
    w->loop->watch_ids_.erase(w->id);
    delete w;
  }
};

// --- the loop ----------------------------------------------------------------------

Result<std::unique_ptr<Loop>> Loop::Create(const LoopOptions& options) {
  BackendKind want = options.backend;
  if (want == BackendKind::kAuto) {
    if (const char* env = std::getenv("AEM_BACKEND"); env != nullptr && *env != '\0') {
      if (std::strcmp(env, "epoll") == 0) {
        want = BackendKind::kEpoll;
      } else if (std::strcmp(env, "uring") == 0 || std::strcmp(env, "io_uring") == 0) {
        want = BackendKind::kUring;
      } else if (std::strcmp(env, "auto") != 0) {
        return Error(ErrorCode::kInvalidArgument,
                     std::string("AEM_BACKEND=") + env + ": expected uring, epoll or auto");
      }
    }
  }
  const int64_t busy_poll_ns =
      std::chrono::duration_cast<std::chrono::nanoseconds>(options.busy_poll).count();
  if (busy_poll_ns < 0 || busy_poll_ns > 1000000000)
    return Error(ErrorCode::kInvalidArgument, "busy_poll: 0 to 1 s");
  std::unique_ptr<Loop> loop(new Loop(BackendKind::kEpoll, nullptr, "", busy_poll_ns));
  if (want != BackendKind::kEpoll) {
    std::string why;
    loop->backend_ =
        detail::MakeUringBackend(loop.get(), std::max(options.uring_entries, 8u), &why);
    if (loop->backend_ != nullptr) {
      loop->kind_ = BackendKind::kUring;
      return loop;
    }
    if (want == BackendKind::kUring) return Error(ErrorCode::kUnsupported, "io_uring: " + why);
    loop->fallback_reason_ = "io_uring: " + why;
  }
  auto epoll = detail::MakeEpollBackend(loop.get());
  if (!epoll.ok()) return epoll.error();
  loop->backend_ = std::move(*epoll);
  loop->kind_ = BackendKind::kEpoll;
  return loop;
}

Loop::Loop(BackendKind kind, std::unique_ptr<detail::Backend> backend, std::string fallback_reason,
           int64_t busy_poll_ns)
    : kind_(kind),
      backend_(std::move(backend)),
      fallback_reason_(std::move(fallback_reason)),
      busy_poll_ns_(busy_poll_ns) {
  pending_head_.prev = pending_head_.next = &pending_head_;
  tasks_head_.prev_task = tasks_head_.next_task = &tasks_head_;
}

Loop::~Loop() {
  if (!shut_down_ && backend_ != nullptr && !running_) {
    stop_requested_ = true;
    (void)RunWhile([] { return true; });
  }
}

int64_t Loop::NowNs() {
  timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<int64_t>(ts.tv_sec) * 1000000000 + ts.tv_nsec;
}

Status Loop::Run() {
  return RunWhile([] { return true; });
}

Status Loop::RunUntilDone(Task<void> task, int priority) {
  auto done = std::make_shared<bool>(false);
  auto wrapper = [](Task<void> t, std::shared_ptr<bool> d) -> Task<void> {
    co_await t;
    *d = true;
  };
  Spawn(wrapper(std::move(task), done), priority);
  Status status = RunWhile([&done] { return !*done; });
  if (*done) return Status::Ok();
  if (!status.ok()) return status;
  return Error(ErrorCode::kCancelled, "the loop stopped before the task finished");
}

void Loop::Stop() { stop_requested_ = true; }

bool Loop::HasWork() const { return pending_count_ > 0 || !ready_.empty() || !timers_.empty(); }

Status Loop::RunWhile(const std::function<bool()>& keep_going) {
  if (running_) return Error(ErrorCode::kInvalidArgument, "the loop is already running");
  if (shut_down_) return Status::Ok();
  running_ = true;
  Status result;
  int shutdown_rounds = 0;
  for (;;) {
    if (stop_requested_ && !shutting_down_) BeginShutdown();
    if (shutting_down_) {
      if (pending_count_ == 0 &&
          ((ready_.empty() && timers_.empty()) || ++shutdown_rounds > kMaxShutdownRounds)) {
        FinishShutdown();
        break;
      }
    } else if (!keep_going() || !HasWork()) {
      break;
    }
    if (ready_.empty() && busy_poll_ns_ > 0 && ran_last_iteration_ > 0 && !stop_requested_) {
      if (Status s = BusyPoll(); !s.ok()) {
        result = s;
        break;
      }
    }
    int64_t timeout = -1;
    if (!ready_.empty()) {
      timeout = 0;
    } else if (!timers_.empty()) {
      timeout = std::max<int64_t>(0, timers_[0]->deadline_ns - NowNs());
    }
    if (Status s = backend_->Wait(timeout); !s.ok()) {
      result = s;
      break;
    }
    ExpireTimers();
    DrainReady();
  }
  running_ = false;
  return result;
}

// Collects completions without sleeping until one arrives, the next timer is
// due or the busy-poll time is up. A loop that sleeps less is woken less: a
// wake-up costs the waking side (the peer's send path) more than a poll
// here, which is what a dedicated core has to spare.
Status Loop::BusyPoll() {
  int64_t until = NowNs() + busy_poll_ns_;
  if (!timers_.empty()) until = std::min(until, timers_[0]->deadline_ns);
  while (ready_.empty() && NowNs() < until) {
    if (Status s = backend_->Wait(0); !s.ok()) return s;
  }
  return Status::Ok();
}

void Loop::Start(Op* op) {
  op->cancel_requested = false;
  op->res = 0;
  if (shut_down_) {  // from a destructor after the shutdown: nothing will run it
    if (op->discard != nullptr) op->discard(op);
    return;
  }
  if (shutting_down_) {
    op->res = -ECANCELED;
    PushReady(op);
    return;
  }
  switch (op->kind) {
    case OpKind::kPost: PushReady(op); return;
    case OpKind::kTimer: TimerPush(op); return;
    default: break;
  }
  op->state = OpState::kPending;
  op->prev = pending_head_.prev;
  op->next = &pending_head_;
  pending_head_.prev->next = op;
  pending_head_.prev = op;
  ++pending_count_;
  backend_->Submit(op);
}

void Loop::Complete(Op* op, int64_t res) {
  if (op->state == OpState::kPending && op->kind != OpKind::kTimer) {
    op->prev->next = op->next;
    op->next->prev = op->prev;
    op->prev = op->next = nullptr;
    --pending_count_;
  }
  if (op->cancel_requested && res < 0) res = -ECANCELED;
  op->res = res;
  PushReady(op);
}

void Loop::PushReady(Op* op) {
  op->state = OpState::kReady;
  op->seq = next_seq_++;
  ready_.push_back(op);
  std::push_heap(ready_.begin(), ready_.end(), ReadyLess);
}

void Loop::CancelOp(Op* op) {
  if (op->state != OpState::kPending) return;
  if (op->kind == OpKind::kTimer) {
    TimerRemove(op);
    op->res = -ECANCELED;
    PushReady(op);
    return;
  }
  if (op->cancel_requested) return;
  op->cancel_requested = true;
  backend_->Cancel(op);
}

void Loop::ExpireTimers() {
  if (timers_.empty()) return;
  const int64_t now = NowNs();
  while (!timers_.empty() && timers_[0]->deadline_ns <= now) {
    Op* op = timers_[0];
    TimerRemove(op);
    op->res = 0;
    PushReady(op);
  }
}

void Loop::DrainReady() {
  ran_last_iteration_ = ready_.size();
  draining_.swap(ready_);
  while (!draining_.empty()) {
    std::pop_heap(draining_.begin(), draining_.end(), ReadyLess);
    Op* op = draining_.back();
    draining_.pop_back();
    op->state = OpState::kIdle;
    op->complete(op);
  }
}

void Loop::BeginShutdown() {
  shutting_down_ = true;
  auto hooks = std::move(stop_hooks_);
  stop_hooks_.clear();
  for (auto& hook : hooks) hook.second();
  while (!timers_.empty()) {
    Op* op = timers_[0];
    TimerRemove(op);
    op->res = -ECANCELED;
    PushReady(op);
  }
  std::vector<Op*> pending;
  for (Op* op = pending_head_.next; op != &pending_head_; op = op->next) pending.push_back(op);
  for (Op* op : pending) CancelOp(op);
}

void Loop::FinishShutdown() {
  for (Op* op : ready_) {
    op->state = OpState::kIdle;
    if (op->discard != nullptr) op->discard(op);
  }
  ready_.clear();
  shut_down_ = true;
  while (tasks_head_.next_task != &tasks_head_) {
    detail::PromiseBase* p = tasks_head_.next_task;
    p->prev_task->next_task = p->next_task;
    p->next_task->prev_task = p->prev_task;
    --live_tasks_;
    p->self.destroy();
  }
}

// --- tasks ----------------------------------------------------------------------------

void Loop::Spawn(Task<void> task, int priority) {
  auto h = task.Release();
  if (!h) return;
  if (shut_down_) {
    h.destroy();
    return;
  }
  auto& p = h.promise();
  p.loop = this;
  p.priority = priority;
  p.detached = true;
  p.prev_task = tasks_head_.prev_task;
  p.next_task = &tasks_head_;
  tasks_head_.prev_task->next_task = &p;
  tasks_head_.prev_task = &p;
  ++live_tasks_;
  p.start.kind = OpKind::kPost;
  p.start.priority = priority;
  p.start.waiter = h.address();
  p.start.complete = &detail::ResumeWaiter;
  Start(&p.start);
}

StatusAwaitable Loop::Sleep(Clock::duration d) {
  const int64_t ns = std::chrono::duration_cast<std::chrono::nanoseconds>(d).count();
  return StatusAwaitable(this, OpKind::kTimer, "sleep", NowNs() + std::max<int64_t>(0, ns));
}

StatusAwaitable Loop::SleepUntil(Clock::time_point t) {
  const int64_t ns =
      std::chrono::duration_cast<std::chrono::nanoseconds>(t.time_since_epoch()).count();
  return StatusAwaitable(this, OpKind::kTimer, "sleep", ns);
}

// --- callbacks -------------------------------------------------------------------------

void Loop::StartCallback(OpKind kind, int fd, void* buf, size_t len, int priority,
                         std::function<void(int64_t)> done) {
  auto* op = new CallbackOp;
  op->kind = kind;
  op->fd = fd;
  op->buf = buf;
  op->len = std::min<size_t>(len, size_t{1} << 30);
  op->priority = priority;
  op->done = std::move(done);
  op->complete = &CallbackOp::Complete;
  op->discard = &CallbackOp::Discard;
  Start(op);
}

void Loop::Post(std::function<void()> fn, int priority) {
  StartCallback(OpKind::kPost, -1, nullptr, 0, priority, [fn = std::move(fn)](int64_t res) {
    if (res >= 0) fn();  // a stopping loop drops posted work
  });
}

void Loop::AsyncRead(int fd, void* buf, size_t len, int priority,
                     std::function<void(Result<size_t>)> done) {
  StartCallback(OpKind::kRead, fd, buf, len, priority, [done = std::move(done)](int64_t res) {
    if (res < 0) return done(Error::FromErrno(static_cast<int>(-res), "read"));
    done(static_cast<size_t>(res));
  });
}

void Loop::AsyncWrite(int fd, const void* buf, size_t len, int priority,
                      std::function<void(Result<size_t>)> done) {
  StartCallback(OpKind::kWrite, fd, const_cast<void*>(buf), len, priority,
                [done = std::move(done)](int64_t res) {
                  if (res < 0) return done(Error::FromErrno(static_cast<int>(-res), "write"));
                  done(static_cast<size_t>(res));
                });
}

void Loop::AsyncRecv(int fd, void* buf, size_t len, int priority,
                     std::function<void(Result<size_t>)> done) {
  StartCallback(OpKind::kRecv, fd, buf, len, priority, [done = std::move(done)](int64_t res) {
    if (res < 0) return done(Error::FromErrno(static_cast<int>(-res), "recv"));
    done(static_cast<size_t>(res));
  });
}

void Loop::AsyncSend(int fd, const void* buf, size_t len, int priority,
                     std::function<void(Result<size_t>)> done) {
  StartCallback(OpKind::kSend, fd, const_cast<void*>(buf), len, priority,
                [done = std::move(done)](int64_t res) {
                  if (res < 0) return done(Error::FromErrno(static_cast<int>(-res), "send"));
                  done(static_cast<size_t>(res));
                });
}

void Loop::AsyncAccept(int fd, int priority, std::function<void(Result<Fd>)> done) {
  StartCallback(OpKind::kAccept, fd, nullptr, 0, priority, [done = std::move(done)](int64_t res) {
    if (res < 0) return done(Error::FromErrno(static_cast<int>(-res), "accept"));
    done(Fd(static_cast<int>(res)));
  });
}

Loop::TimerId Loop::AddTimer(Clock::duration first, Clock::duration period, int priority,
                             std::function<void(uint64_t)> fn) {
  auto* t = new Timer;
  t->loop = this;
  t->id = next_id_++;
  t->kind = OpKind::kTimer;
  t->priority = priority;
  t->deadline_ns =
      NowNs() +
      std::max<int64_t>(0, std::chrono::duration_cast<std::chrono::nanoseconds>(first).count());
  t->period_ns =
      std::max<int64_t>(0, std::chrono::duration_cast<std::chrono::nanoseconds>(period).count());
  t->fn = std::move(fn);
  t->complete = &TimerFired;
  t->discard = &Timer::Discard;
  timer_ids_[t->id] = t;
  const TimerId id = t->id;
  Start(t);
  return id;
}

void Loop::TimerFired(Op* op) {
  auto* t = static_cast<Timer*>(op);
  Loop* loop = t->loop;
  if (t->cancelled || t->res < 0) {
    loop->timer_ids_.erase(t->id);
    delete t;
    return;
  }
  if (t->period_ns == 0) {
    loop->timer_ids_.erase(t->id);
    auto fn = std::move(t->fn);
    delete t;
    fn(1);
    return;
  }
  uint64_t expirations = 1;
  const int64_t now = NowNs();
  if (now >= t->deadline_ns + t->period_ns)
    expirations += static_cast<uint64_t>((now - t->deadline_ns) / t->period_ns);
  t->deadline_ns += static_cast<int64_t>(expirations) * t->period_ns;
  loop->Start(t);  // armed before the call, so that the callback may cancel it
  t->in_callback = true;
  t->fn(expirations);
  t->in_callback = false;
  if (t->cancelled) {
    if (t->state == OpState::kPending) loop->TimerRemove(t);
    if (t->state != OpState::kReady) delete t;  // a ready one is freed when it runs
  }
}

bool Loop::CancelTimer(TimerId id) {
  auto it = timer_ids_.find(id);
  if (it == timer_ids_.end()) return false;
  Timer* t = it->second;
  timer_ids_.erase(it);
  t->cancelled = true;
  if (t->in_callback) return true;  // TimerFired frees it after the call
  if (t->state == OpState::kPending) {
    TimerRemove(t);
    delete t;
  }
  return true;
}

Loop::WatchId Loop::WatchFd(int fd, uint32_t events, int priority,
                            std::function<void(Result<uint32_t>)> fn) {
  auto* w = new Watch;
  w->loop = this;
  w->id = next_id_++;
  w->kind = OpKind::kPoll;
  w->fd = fd;
  w->poll_mask = events;
  w->priority = priority;
  w->fn = std::move(fn);
  w->complete = &WatchFired;
  w->discard = &Watch::Discard;
  watch_ids_[w->id] = w;
  const WatchId id = w->id;
  Start(w);
  return id;
}

void Loop::WatchFired(Op* op) {
  auto* w = static_cast<Watch*>(op);
  Loop* loop = w->loop;
  if (w->cancelled) {
    delete w;
    return;
  }
  if (w->res < 0) {
    loop->watch_ids_.erase(w->id);
    auto fn = std::move(w->fn);
    const int64_t res = w->res;
    delete w;
    if (!loop->shutting_down_) fn(Error::FromErrno(static_cast<int>(-res), "poll"));
    return;
  }
  w->in_callback = true;
  w->fn(static_cast<uint32_t>(w->res));
  w->in_callback = false;
  if (w->cancelled) {
    delete w;
    return;
  }
  loop->Start(w);
}

bool Loop::Unwatch(WatchId id) {
  auto it = watch_ids_.find(id);
  if (it == watch_ids_.end()) return false;
  Watch* w = it->second;
  watch_ids_.erase(it);
  w->cancelled = true;
  if (!w->in_callback && w->state == OpState::kPending) CancelOp(w);
  return true;
}

void Loop::Cancel(int fd) {
  std::vector<Op*> ops;
  for (Op* op = pending_head_.next; op != &pending_head_; op = op->next)
    if (op->fd == fd) ops.push_back(op);
  for (Op* op : ops) CancelOp(op);
}

void Loop::Close(int fd) {
  if (fd < 0) return;
  Cancel(fd);
  backend_->Forget(fd);
  ::close(fd);
}

Loop::HookId Loop::AddStopHook(std::function<void()> hook) {
  const HookId id = next_id_++;
  stop_hooks_.emplace_back(id, std::move(hook));
  return id;
}

void Loop::RemoveStopHook(HookId id) {
  std::erase_if(stop_hooks_, [id](const auto& h) { return h.first == id; });
}

// --- timer heap --------------------------------------------------------------------------

void Loop::TimerPush(Op* op) {
  op->state = OpState::kPending;
  op->seq = next_seq_++;
  op->heap_index = timers_.size();
  timers_.push_back(op);
  TimerSiftUp(op->heap_index);
}

void Loop::TimerRemove(Op* op) {
  const size_t i = op->heap_index;
  Op* last = timers_.back();
  timers_.pop_back();
  op->state = OpState::kIdle;
  if (last == op) return;
  timers_[i] = last;
  last->heap_index = i;
  TimerSiftDown(i);
  TimerSiftUp(last->heap_index);
}

void Loop::TimerSiftUp(size_t i) {
  while (i > 0) {
    const size_t parent = (i - 1) / 2;
    if (!TimerBefore(timers_[i], timers_[parent])) break;
    std::swap(timers_[i], timers_[parent]);
    timers_[i]->heap_index = i;
    timers_[parent]->heap_index = parent;
    i = parent;
  }
}

void Loop::TimerSiftDown(size_t i) {
  for (;;) {
    size_t best = i;
    const size_t l = 2 * i + 1, r = 2 * i + 2;
    if (l < timers_.size() && TimerBefore(timers_[l], timers_[best])) best = l;
    if (r < timers_.size() && TimerBefore(timers_[r], timers_[best])) best = r;
    if (best == i) return;
    std::swap(timers_[i], timers_[best]);
    timers_[i]->heap_index = i;
    timers_[best]->heap_index = best;
    i = best;
  }
}

}  // namespace aem
