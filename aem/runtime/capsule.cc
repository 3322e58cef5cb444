#include "aem/runtime/capsule.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstring>

namespace aem {
namespace {

constexpr uint32_t kRequestMagic = 0x51454d41;  // "AEMQ"
constexpr uint32_t kReplyMagic = 0x52454d41;    // "AEMR"

// Every frame: this header, then `length` payload bytes. A request names
// the handler by its index in the registry (both sides hold the same one);
// a reply carries status 0 and the handler's bytes, or 1 + ErrorCode and
// the error message.
struct FrameHeader {
  uint32_t magic;
  uint32_t status;
  uint32_t handler;
  uint32_t length;
};
static_assert(sizeof(FrameHeader) == 16);

// 1 done, 0 end of file first, -1 error.
int ReadFull(int fd, void* data, size_t len) {
  char* p = static_cast<char*>(data);
  while (len > 0) {
    const ssize_t n = ::read(fd, p, len);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return -1;
    if (n == 0) return 0;
    p += n;
    len -= static_cast<size_t>(n);
  }
  return 1;
}

bool WriteFull(int fd, const FrameHeader& h, const std::string& body) {
  iovec iov[2] = {{const_cast<FrameHeader*>(&h), sizeof(h)},
                  {const_cast<char*>(body.data()), body.size()}};
  size_t total = sizeof(h) + body.size();
  int first = 0;
  while (total > 0) {
    const ssize_t n = ::writev(fd, iov + first, 2 - first);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    size_t done = static_cast<size_t>(n);
    total -= done;
    while (first < 2 && done >= iov[first].iov_len) done -= iov[first++].iov_len;
    if (first < 2) {
      iov[first].iov_base = static_cast<char*>(iov[first].iov_base) + done;
      iov[first].iov_len -= done;
    }
  }
  return true;
}

void CloseInheritedFds(int keep) {
  auto close_from = [](unsigned lo, unsigned hi) {
    if (lo > hi) return;
    if (close_range(lo, hi, 0) == 0) return;
    rlimit rl{};
    getrlimit(RLIMIT_NOFILE, &rl);
    const unsigned max = std::min<rlim_t>(rl.rlim_cur, 1u << 20);
    for (unsigned fd = lo; fd <= hi && fd < max; ++fd) ::close(static_cast<int>(fd));
  };
  if (keep > 3) close_from(3, static_cast<unsigned>(keep) - 1);
  close_from(static_cast<unsigned>(keep) + 1, ~0u);
}

[[noreturn]] void WorkerMain(int sock, pid_t parent,
                             const std::vector<std::pair<std::string, CapsuleHandler>>& handlers,
                             size_t max_message) {
  prctl(PR_SET_PDEATHSIG, SIGKILL);
  if (getppid() != parent) _exit(0);
  setpgid(0, 0);  // the terminal's ^C goes to the main process, which stops the pool
  sigset_t none;
  sigemptyset(&none);
  sigprocmask(SIG_SETMASK, &none, nullptr);
  CloseInheritedFds(sock);
  for (;;) {
    FrameHeader h;
    const int r = ReadFull(sock, &h, sizeof(h));
    if (r <= 0) _exit(r == 0 ? 0 : 1);
    if (h.magic != kRequestMagic || h.handler >= handlers.size() || h.length > max_message)
      _exit(2);
    std::string request(h.length, '\0');
    if (ReadFull(sock, request.data(), h.length) <= 0) _exit(1);
    Result<std::string> out = handlers[h.handler].second(request);
    fflush(stdout);
    fflush(stderr);
    FrameHeader reply{kReplyMagic, 0, h.handler, 0};
    std::string message;
    const std::string* body = &message;
    if (!out.ok()) {
      reply.status = 1 + static_cast<uint32_t>(out.error().code());
      message = out.error().message();
    } else if (out->size() > max_message) {
      reply.status = 1 + static_cast<uint32_t>(ErrorCode::kTooLarge);
      message = "reply of " + std::to_string(out->size()) + " bytes above the limit";
    } else {
      body = &*out;
    }
    reply.length = static_cast<uint32_t>(body->size());
    if (!WriteFull(sock, reply, *body)) _exit(1);
  }
}

}  // namespace

Status CapsuleRegistry::Register(std::string name, CapsuleHandler handler) {
  if (name.empty() || !handler)
    return Error(ErrorCode::kInvalidArgument, "a capsule handler needs a name and a function");
  for (const auto& h : handlers_)
    if (h.first == name)
      return Error(ErrorCode::kInvalidArgument, "capsule handler '" + name + "' registered twice");
  handlers_.emplace_back(std::move(name), std::move(handler));
  return Status::Ok();
}

struct CapsulePool::Pending {
  uint32_t handler = 0;
  std::string request;
  int priority = 0;
  uint64_t seq = 0;
  std::function<void(Result<std::string>)> done;  // empty: the caller went away
};

// One request/reply on one worker. Shared with the loop's pending
// operations, so the buffers the kernel reads and writes outlive a worker
// that died in the middle.
struct CapsulePool::Exchange {
  std::unique_ptr<Pending> call;
  std::string frame;  // header + request
  size_t sent = 0;
  FrameHeader header{};
  size_t header_got = 0;
  std::string payload;
  size_t payload_got = 0;
};

struct CapsulePool::Worker {
  std::optional<Child> child;
  Fd sock;
  uint64_t generation = 0;
  std::shared_ptr<Exchange> ex;  // the request it serves
  std::optional<Loop::WatchId> exit_watch;
  std::optional<Loop::TimerId> timer;
  bool timed_out = false;
  std::string broken;  // why the pool killed it
  bool alive() const { return child.has_value(); }
};

CapsulePool::CapsulePool(Loop& loop, CapsuleRegistry registry, const CapsuleOptions& options)
    : loop_(loop),
      registry_(std::move(registry)),
      options_(options),
      parent_pid_(getpid()),
      alive_(std::make_shared<bool>(true)) {}

Result<std::unique_ptr<CapsulePool>> CapsulePool::Create(Loop& loop, CapsuleRegistry registry,
                                                         const CapsuleOptions& options) {
  if (options.workers == 0)
    return Error(ErrorCode::kInvalidArgument, "a capsule pool needs at least one worker");
  if (registry.size() == 0)
    return Error(ErrorCode::kInvalidArgument, "no capsule handler registered");
  if (options.max_message > (1u << 30))
    return Error(ErrorCode::kInvalidArgument, "max_message above 1 GiB");
  std::unique_ptr<CapsulePool> pool(new CapsulePool(loop, std::move(registry), options));
  for (unsigned i = 0; i < options.workers; ++i) {
    pool->workers_.push_back(std::make_unique<Worker>());
    if (Status s = pool->SpawnWorker(*pool->workers_.back()); !s.ok()) return s.error();
  }
  CapsulePool* raw = pool.get();
  pool->stop_hook_ = loop.AddStopHook([raw] { raw->Shutdown(); });
  return pool;
}

CapsulePool::~CapsulePool() {
  loop_.RemoveStopHook(stop_hook_);
  Shutdown();
  *alive_ = false;
}

Status CapsulePool::SpawnWorker(Worker& w) {
  int sv[2];
  if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0)
    return Error::FromErrno(errno, "socketpair");
  fflush(nullptr);  // or the worker could write the parent's buffered output again
  const pid_t pid = fork();
  if (pid < 0) {
    const int err = errno;
    ::close(sv[0]);
    ::close(sv[1]);
    return Error::FromErrno(err, "fork");
  }
  if (pid == 0) {
    ::close(sv[0]);
    WorkerMain(sv[1], parent_pid_, registry_.handlers_, options_.max_message);
  }
  ::close(sv[1]);
  fcntl(sv[0], F_SETFL, fcntl(sv[0], F_GETFL) | O_NONBLOCK);
  w.sock.Reset(sv[0]);
  auto child = Child::Adopt(pid);
  if (!child.ok()) {
    kill(pid, SIGKILL);
    waitpid(pid, nullptr, 0);
    w.sock.Reset();
    return child.error();
  }
  w.child.emplace(std::move(*child));
  w.generation = ++next_generation_;
  w.timed_out = false;
  w.broken.clear();
  w.exit_watch = loop_.WatchFd(w.child->pidfd(), POLLIN, options_.control_priority,
                               [this, alive = alive_, &w](Result<uint32_t>) {
                                 if (*alive) OnExit(w);
                               });
  return Status::Ok();
}

Result<uint32_t> CapsulePool::Lookup(std::string_view name, size_t request_size) const {
  if (request_size > options_.max_message)
    return Error(ErrorCode::kTooLarge, "capsule request of " + std::to_string(request_size) +
                                           " bytes above the limit of " +
                                           std::to_string(options_.max_message));
  for (size_t i = 0; i < registry_.handlers_.size(); ++i)
    if (registry_.handlers_[i].first == name) return static_cast<uint32_t>(i);
  return Error(ErrorCode::kNotFound, "no capsule handler named '" + std::string(name) + "'");
}

bool CapsulePool::QueueLess(const std::unique_ptr<Pending>& a, const std::unique_ptr<Pending>& b) {
  if (a->priority != b->priority) return a->priority < b->priority;
  return a->seq > b->seq;
}

CapsulePool::Pending* CapsulePool::Enqueue(uint32_t handler, std::string request, int priority,
                                           std::function<void(Result<std::string>)> done) {
  if (shut_down_) {
    done(Error(ErrorCode::kCancelled, "the capsule pool stopped"));
    return nullptr;
  }
  auto p = std::make_unique<Pending>();
  p->handler = handler;
  p->request = std::move(request);
  p->priority = priority;
  p->seq = next_seq_++;
  p->done = std::move(done);
  Pending* raw = p.get();
  queue_.push_back(std::move(p));
  std::push_heap(queue_.begin(), queue_.end(), QueueLess);
  Dispatch();
  return raw;
}

void CapsulePool::Call(std::string_view handler, std::string request, int priority,
                       std::function<void(Result<std::string>)> done) {
  auto index = Lookup(handler, request.size());
  if (!index.ok()) {
    loop_.Post([done = std::move(done), e = index.error()] { done(e); }, priority);
    return;
  }
  Enqueue(*index, std::move(request), priority, std::move(done));
}

CapsuleCall CapsulePool::Call(std::string_view handler, std::string request) {
  auto index = Lookup(handler, request.size());
  return CapsuleCall(this, std::move(index), std::move(request));
}

void CapsulePool::Complete(std::unique_ptr<Pending> call, Result<std::string> result) {
  if (call == nullptr || !call->done) return;
  auto done = std::move(call->done);
  call.reset();
  done(std::move(result));
}

void CapsulePool::Dispatch() {
  if (shut_down_) return;
  for (auto& wp : workers_) {
    Worker& w = *wp;
    if (!w.alive() || w.ex != nullptr) continue;
    std::unique_ptr<Pending> call;
    while (!queue_.empty() && call == nullptr) {
      std::pop_heap(queue_.begin(), queue_.end(), QueueLess);
      call = std::move(queue_.back());
      queue_.pop_back();
      if (!call->done) call.reset();  // its caller went away
    }
    if (call == nullptr) return;
    auto ex = std::make_shared<Exchange>();
    FrameHeader h{kRequestMagic, 0, call->handler, static_cast<uint32_t>(call->request.size())};
    ex->frame.reserve(sizeof(h) + call->request.size());
    ex->frame.append(reinterpret_cast<const char*>(&h), sizeof(h));
    ex->frame.append(call->request);
    call->request.clear();
    ex->call = std::move(call);
    w.ex = ex;
    if (options_.timeout.count() > 0) {
      const uint64_t generation = w.generation;
      w.timer = loop_.AddTimer(options_.timeout, {}, options_.control_priority,
                               [this, alive = alive_, &w, generation](uint64_t) {
                                 if (!*alive || w.generation != generation || !w.alive()) return;
                                 w.timer.reset();
                                 w.timed_out = true;
                                 (void)w.child->Kill(SIGKILL);
                               });
    }
    SendMore(w, std::move(ex));
  }
}

void CapsulePool::SendMore(Worker& w, std::shared_ptr<Exchange> ex) {
  const char* data = ex->frame.data() + ex->sent;
  const size_t len = ex->frame.size() - ex->sent;
  const int priority = ex->call->priority;
  loop_.AsyncSend(w.sock.get(), data, len, priority,
                  [this, alive = alive_, &w, ex](Result<size_t> r) {
                    if (!*alive || w.ex != ex) return;  // the worker is gone
                    if (!r.ok()) return Broken(w, r.error());
                    ex->sent += *r;
                    if (ex->sent < ex->frame.size()) return SendMore(w, ex);
                    RecvMore(w, ex);
                  });
}

void CapsulePool::RecvMore(Worker& w, std::shared_ptr<Exchange> ex) {
  void* dst;
  size_t want;
  if (ex->header_got < sizeof(FrameHeader)) {
    dst = reinterpret_cast<char*>(&ex->header) + ex->header_got;
    want = sizeof(FrameHeader) - ex->header_got;
  } else {
    dst = ex->payload.data() + ex->payload_got;
    want = ex->payload.size() - ex->payload_got;
  }
  const int priority = ex->call->priority;
  loop_.AsyncRecv(
      w.sock.get(), dst, want, priority, [this, alive = alive_, &w, ex](Result<size_t> r) {
        if (!*alive || w.ex != ex) return;
        if (!r.ok()) return Broken(w, r.error());
        if (*r == 0) return Broken(w, Error(ErrorCode::kClosed, "the worker closed its socket"));
        if (ex->header_got < sizeof(FrameHeader)) {
          ex->header_got += *r;
          if (ex->header_got == sizeof(FrameHeader)) {
            if (ex->header.magic != kReplyMagic || ex->header.length > options_.max_message)
              return Broken(w, Error(ErrorCode::kMalformed, "a malformed reply frame"));
            ex->payload.resize(ex->header.length);
          }
        } else {
          ex->payload_got += *r;
        }
        if (ex->header_got == sizeof(FrameHeader) && ex->payload_got == ex->payload.size())
          return Finish(w, ex);
        RecvMore(w, ex);
      });
}

void CapsulePool::Finish(Worker& w, const std::shared_ptr<Exchange>& ex) {
  if (w.timer) {
    loop_.CancelTimer(*w.timer);
    w.timer.reset();
  }
  w.ex.reset();
  ++stats_.completed;
  const std::string& name = registry_.handlers_[ex->call->handler].first;
  if (ex->header.status == 0) {
    Complete(std::move(ex->call), std::move(ex->payload));
  } else {
    const uint32_t code = ex->header.status - 1;
    const ErrorCode ec = code <= static_cast<uint32_t>(ErrorCode::kHandler)
                             ? static_cast<ErrorCode>(code)
                             : ErrorCode::kHandler;
    Complete(std::move(ex->call), Error(ec, "capsule handler '" + name + "': " + ex->payload));
  }
  Dispatch();
}

void CapsulePool::Broken(Worker& w, const Error& why) {
  // Whatever happened, the worker is not trusted any more: kill it, and let
  // its exit (OnExit) fail the request and start a replacement.
  if (w.broken.empty()) w.broken = why.message();
  if (w.alive()) (void)w.child->Kill(SIGKILL);
}

void CapsulePool::OnExit(Worker& w) {
  if (!w.alive()) return;
  const pid_t pid = w.child->pid();
  auto st = w.child->TryWait();
  // A wake-up for a worker that still runs is spurious (readiness may be:
  // with epoll, a registration of a closed pidfd that a fork still held
  // reports under a reused fd number). The watch stays.
  if (st.ok() && !st->has_value()) return;
  const std::string how = st.ok() ? (*st)->ToString() : st.error().message();
  if (w.exit_watch) {
    loop_.Unwatch(*w.exit_watch);
    w.exit_watch.reset();
  }
  if (w.timer) {
    loop_.CancelTimer(*w.timer);
    w.timer.reset();
  }
  if (!st.ok()) {  // cannot reap it through its pidfd: make sure it is gone
    (void)w.child->Kill(SIGKILL);
    (void)w.child->WaitBlocking();
  }
  w.child.reset();
  loop_.Close(w.sock);  // cancels the exchange's operations; they see a stale exchange
  if (auto ex = std::move(w.ex)) {
    const std::string& name = registry_.handlers_[ex->call->handler].first;
    std::string what = "capsule handler '" + name + "': worker " + std::to_string(pid) + " " + how;
    if (!w.broken.empty() && !w.timed_out) what += " (" + w.broken + ")";
    if (w.timed_out) {
      ++stats_.timed_out;
      Complete(
          std::move(ex->call),
          Error(ErrorCode::kTimeout,
                what + " after the " + std::to_string(options_.timeout.count()) + " ms timeout"));
    } else {
      ++stats_.crashed;
      Complete(std::move(ex->call), Error(ErrorCode::kCrashed, what));
    }
  }
  if (shut_down_) return;
  ++stats_.restarts;
  if (Status s = SpawnWorker(w); !s.ok()) {
    // No process to be had right now (EAGAIN, ENOMEM): try again shortly.
    loop_.AddTimer(std::chrono::milliseconds(100), {}, options_.control_priority,
                   [this, alive = alive_, &w](uint64_t) {
                     if (!*alive || shut_down_ || w.alive()) return;
                     if (SpawnWorker(w).ok()) Dispatch();
                   });
    return;
  }
  Dispatch();
}

void CapsulePool::Shutdown() {
  if (shut_down_) return;
  shut_down_ = true;
  for (auto& wp : workers_) {
    Worker& w = *wp;
    if (w.exit_watch) loop_.Unwatch(*w.exit_watch);
    w.exit_watch.reset();
    if (w.timer) loop_.CancelTimer(*w.timer);
    w.timer.reset();
    if (w.alive()) {
      (void)w.child->Kill(SIGKILL);
      (void)w.child->WaitBlocking();
      w.child.reset();
    }
    loop_.Close(w.sock);
    if (auto ex = std::move(w.ex))
      Complete(std::move(ex->call), Error(ErrorCode::kCancelled, "the capsule pool stopped"));
  }
  auto queue = std::move(queue_);
  queue_.clear();
  for (auto& call : queue)
    Complete(std::move(call), Error(ErrorCode::kCancelled, "the capsule pool stopped"));
}

std::vector<pid_t> CapsulePool::worker_pids() const {
  std::vector<pid_t> pids;
  for (const auto& w : workers_)
    if (w->alive()) pids.push_back(w->child->pid());
  return pids;
}

// --- the awaitable -------------------------------------------------------------------

CapsuleCall::CapsuleCall(CapsulePool* pool, Result<uint32_t> handler, std::string request)
    : pool_(pool), request_(std::move(request)) {
  op_.kind = detail::OpKind::kPost;
  if (handler.ok())
    handler_ = *handler;
  else
    result_.emplace(handler.error());
}

CapsuleCall::~CapsuleCall() {
  if (pending_ != nullptr) pending_->done = nullptr;
}

void CapsuleCall::Enqueue() {
  pending_ =
      pool_->Enqueue(handler_, std::move(request_), op_.priority, [this](Result<std::string> r) {
        pending_ = nullptr;
        result_.emplace(std::move(r));
        pool_->loop_.Start(&op_);
      });
}

}  // namespace aem
