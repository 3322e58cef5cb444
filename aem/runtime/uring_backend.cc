// The io_uring backend (liburing). Every operation is one SQE whose
// user_data is its Op; the loop's Wait submits everything queued during the
// previous iteration and waits for completions in a single io_uring_enter.
// Cancellation is IORING_OP_ASYNC_CANCEL on the same user_data. A kernel
// that answers -EAGAIN for an fd (old kernels with O_NONBLOCK files) gets a
// poll SQE first and the operation again once the fd is ready.
//
// Where the kernel has it (6.1+), the ring is single-issuer with deferred
// task work: completions are processed only when the loop enters the
// kernel to wait, in its own thread, instead of interrupting it (the
// request/response benchmark in docs/benchmarks.md measures the gain). Such
// a ring belongs to the first thread that submits, so it starts disabled
// and is enabled by the first Wait, from the thread that runs the loop (a
// loop may be created in one thread and run in another); operations started
// before that wait in the backend.
#include <errno.h>
#include <liburing.h>
#include <poll.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <vector>

#include "aem/runtime/backend.h"

namespace aem::detail {
namespace {

constexpr uint64_t kIgnore = 0;  // user_data of cancel requests

class UringBackend final : public Backend {
 public:
  explicit UringBackend(CompletionSink* sink) : sink_(sink) {}
  ~UringBackend() override {
    if (initialized_) io_uring_queue_exit(&ring_);
  }

  int Init(unsigned entries) {
    io_uring_params p{};
    int rc = -EINVAL;
    // Newest first; a kernel that lacks a flag answers -EINVAL.
    for (const unsigned flags : {
             IORING_SETUP_SUBMIT_ALL | IORING_SETUP_SINGLE_ISSUER | IORING_SETUP_DEFER_TASKRUN |
                 IORING_SETUP_R_DISABLED,                          // 6.1
             IORING_SETUP_SUBMIT_ALL | IORING_SETUP_COOP_TASKRUN,  // 5.18/5.19
             0u,
         }) {
      p = io_uring_params{};
      p.flags = IORING_SETUP_CQSIZE | flags;
      p.cq_entries = entries * 4;
      rc = io_uring_queue_init_params(entries, &ring_, &p);
      if (rc != -EINVAL) break;
    }
    if (rc < 0) return rc;
    initialized_ = true;
    enabled_ = !(p.flags & IORING_SETUP_R_DISABLED);
    if (!(p.features & IORING_FEAT_NODROP)) return -ENOTSUP;
    io_uring_probe* probe = io_uring_get_probe_ring(&ring_);
    if (probe == nullptr) return -ENOTSUP;
    bool ok = true;
    for (int opcode :
         {IORING_OP_READ, IORING_OP_WRITE, IORING_OP_RECV, IORING_OP_SEND, IORING_OP_ACCEPT,
          IORING_OP_CONNECT, IORING_OP_POLL_ADD, IORING_OP_ASYNC_CANCEL})
      ok = ok && io_uring_opcode_supported(probe, opcode);
    io_uring_free_probe(probe);
    return ok ? 0 : -ENOTSUP;
  }

  void Submit(Op* op) override { Prep(op); }

  void Cancel(Op* op) override {
    io_uring_sqe* sqe = GetSqe();
    if (sqe == nullptr) {  // before the first Wait, with a full queue
      if (std::erase(before_enabled_, op) > 0) {
        sink_->Complete(op, -ECANCELED);  // it never reached the queue
      } else {
        cancels_before_enabled_.push_back(op);
      }
      return;
    }
    io_uring_prep_cancel(sqe, op, 0);
    io_uring_sqe_set_data64(sqe, kIgnore);
  }

  void Forget(int) override {}

  Status Wait(int64_t timeout_ns) override {
    if (!enabled_) {
      // The raw call: liburing 2.3's shared library does not export
      // io_uring_enable_rings (its static one does).
      if (syscall(__NR_io_uring_register, ring_.ring_fd, IORING_REGISTER_ENABLE_RINGS, nullptr,
                  0) != 0)
        return Error::FromErrno(errno, "io_uring_register(IORING_REGISTER_ENABLE_RINGS)");
      enabled_ = true;
      std::vector<Op*> early = std::move(before_enabled_);
      before_enabled_.clear();
      for (Op* op : early) Prep(op);
      std::vector<Op*> cancels = std::move(cancels_before_enabled_);
      cancels_before_enabled_.clear();
      for (Op* op : cancels) Cancel(op);
    }
    int rc;
    io_uring_cqe* cqe = nullptr;
    if (timeout_ns == 0) {
      rc = io_uring_submit_and_get_events(&ring_);
    } else if (timeout_ns < 0) {
      rc = io_uring_submit_and_wait_timeout(&ring_, &cqe, 1, nullptr, nullptr);
    } else {
      __kernel_timespec ts{timeout_ns / 1000000000, timeout_ns % 1000000000};
      rc = io_uring_submit_and_wait_timeout(&ring_, &cqe, 1, &ts, nullptr);
    }
    if (rc < 0 && rc != -ETIME && rc != -EINTR && rc != -EAGAIN && rc != -EBUSY)
      return Error::FromErrno(-rc, "io_uring_enter");
    Reap();
    return Status::Ok();
  }

 private:
  struct Cqe {
    uint64_t user_data;
    int32_t res;
  };

  // nullptr: the ring is not enabled yet and its submission queue is full.
  io_uring_sqe* GetSqe() {
    for (;;) {
      if (!enabled_) return io_uring_get_sqe(&ring_);
      if (io_uring_sqe* sqe = io_uring_get_sqe(&ring_)) return sqe;
      const int rc = io_uring_submit(&ring_);
      if (rc == -EBUSY || rc == -EAGAIN) Reap();  // completions first, then room to submit
    }
  }

  void Prep(Op* op) {
    io_uring_sqe* sqe = GetSqe();
    if (sqe == nullptr) {
      before_enabled_.push_back(op);
      return;
    }
    if (op->uring_polling) {
      const bool in =
          op->kind == OpKind::kRead || op->kind == OpKind::kRecv || op->kind == OpKind::kAccept;
      io_uring_prep_poll_add(sqe, op->fd, in ? POLLIN : POLLOUT);
    } else {
      switch (op->kind) {
        case OpKind::kRead:
          io_uring_prep_read(sqe, op->fd, op->buf, static_cast<unsigned>(op->len), ~0ull);
          break;
        case OpKind::kWrite:
          io_uring_prep_write(sqe, op->fd, op->buf, static_cast<unsigned>(op->len), ~0ull);
          break;
        case OpKind::kRecv: io_uring_prep_recv(sqe, op->fd, op->buf, op->len, op->flags); break;
        case OpKind::kSend:
          io_uring_prep_send(sqe, op->fd, op->buf, op->len, op->flags | MSG_NOSIGNAL);
          break;
        case OpKind::kAccept:
          io_uring_prep_accept(sqe, op->fd, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
          break;
        case OpKind::kConnect: io_uring_prep_connect(sqe, op->fd, op->addr, op->addrlen); break;
        case OpKind::kPoll: io_uring_prep_poll_add(sqe, op->fd, op->poll_mask); break;
        default: io_uring_prep_nop(sqe); break;
      }
    }
    io_uring_sqe_set_data(sqe, op);
  }

  void Reap() {
    unsigned head;
    unsigned n = 0;
    io_uring_cqe* cqe;
    // Handling a completion may submit (and, with a full queue, reap again):
    // the batch is this call's own.
    std::vector<Cqe> batch = std::move(spare_);
    batch.clear();
    io_uring_for_each_cqe(&ring_, head, cqe) {
      batch.push_back(Cqe{cqe->user_data, cqe->res});
      ++n;
    }
    io_uring_cq_advance(&ring_, n);
    for (const Cqe& c : batch) {
      if (c.user_data == kIgnore) continue;
      Op* op = reinterpret_cast<Op*>(c.user_data);
      if (op->uring_polling) {
        op->uring_polling = false;
        if (c.res < 0 || op->cancel_requested) {
          sink_->Complete(op, c.res < 0 ? c.res : -ECANCELED);
        } else {
          Prep(op);  // ready now: the operation itself
        }
        continue;
      }
      if (c.res == -EAGAIN && !op->cancel_requested && op->kind != OpKind::kPoll &&
          op->kind != OpKind::kConnect) {
        op->uring_polling = true;
        Prep(op);
        continue;
      }
      sink_->Complete(op, c.res);
    }
    spare_ = std::move(batch);
  }

  CompletionSink* sink_;
  io_uring ring_{};
  bool initialized_ = false;
  bool enabled_ = true;
  // Started or cancelled before the first Wait, beyond the queue's room.
  std::vector<Op*> before_enabled_;
  std::vector<Op*> cancels_before_enabled_;
  std::vector<Cqe> spare_;
};

}  // namespace

std::unique_ptr<Backend> MakeUringBackend(CompletionSink* sink, unsigned entries,
                                          std::string* why_not) {
  auto backend = std::make_unique<UringBackend>(sink);
  const int rc = backend->Init(entries);
  if (rc < 0) {
    *why_not = rc == -ENOTSUP ? "this kernel lacks io_uring operations libaem needs"
                              : std::string("io_uring_queue_init: ") + strerror(-rc);
    return nullptr;
  }
  return backend;
}

}  // namespace aem::detail
