// One asynchronous operation as the loop and its backends see it. Awaitables
// embed an Op in the coroutine frame (no allocation per await); callback
// registrations allocate one. Internal to the runtime, but in a header
// because the awaitables in loop.h are templates.
#pragma once

#include <sys/socket.h>

#include <cstddef>
#include <cstdint>

namespace aem::detail {

enum class OpKind : uint8_t {
  kRead,     // read(2) at the current position
  kWrite,    // write(2)
  kRecv,     // recv(2) with flags
  kSend,     // send(2) with flags (MSG_NOSIGNAL always added)
  kAccept,   // accept4(2), SOCK_NONBLOCK | SOCK_CLOEXEC; res is the new fd
  kConnect,  // connect(2); res 0
  kPoll,     // readiness: res is the poll(2) revents that matched
  kTimer,    // the loop's timer heap: res 0 at the deadline
  kPost,     // runs at the next loop iteration: res 0
};

enum class OpState : uint8_t {
  kIdle,     // not known to the loop
  kPending,  // in a backend or the timer heap
  kReady,    // completed, waiting in the ready queue for its handler
};

struct Op {
  using CompleteFn = void (*)(Op* op);

  OpKind kind = OpKind::kPost;
  OpState state = OpState::kIdle;
  bool cancel_requested = false;
  // epoll backend: RWF_NOWAIT is not supported on this fd, do plain
  // syscalls after readiness; io_uring backend: a poll runs before a retry.
  bool no_nowait = false;
  bool uring_polling = false;
  int fd = -1;
  int priority = 0;
  int flags = 0;           // kRecv / kSend message flags
  uint32_t poll_mask = 0;  // kPoll
  void* buf = nullptr;
  size_t len = 0;
  const sockaddr* addr = nullptr;  // kConnect
  socklen_t addrlen = 0;
  int64_t res = 0;          // >= 0 the result, < 0 a negated errno
  uint64_t seq = 0;         // when it became ready: FIFO among equal priorities
  int64_t deadline_ns = 0;  // kTimer, on the loop's clock
  size_t heap_index = 0;    // kTimer: position in the timer heap
  void* waiter = nullptr;   // coroutine to resume (coroutine_handle address)
  CompleteFn complete = nullptr;
  CompleteFn discard = nullptr;  // a stopped loop drops the op without running it
  Op* prev = nullptr;            // the loop's list of pending backend ops
  Op* next = nullptr;
};

// What backends report completions to (the Loop).
class CompletionSink {
 public:
  virtual void Complete(Op* op, int64_t res) = 0;

 protected:
  ~CompletionSink() = default;
};

}  // namespace aem::detail
