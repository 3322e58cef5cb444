// The interface the loop drives its two backends through (internal).
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "aem/runtime/error.h"
#include "aem/runtime/op.h"

namespace aem::detail {

class Backend {
 public:
  virtual ~Backend() = default;
  // Starts `op` (kRead..kPoll). The backend reports its completion to the
  // sink, possibly before Submit returns (then it is in the ready queue).
  virtual void Submit(Op* op) = 0;
  // Asks for `op` to complete early; it completes with -ECANCELED, or with
  // its own result if that was already on its way.
  virtual void Cancel(Op* op) = 0;
  // `fd` is about to be closed; no operation on it is pending.
  virtual void Forget(int fd) = 0;
  // Submits what is queued and waits up to `timeout_ns` (-1: no limit, 0:
  // just collect) for completions, which it reports to the sink.
  virtual Status Wait(int64_t timeout_ns) = 0;
};

// nullptr and the reason when io_uring cannot be set up here.
std::unique_ptr<Backend> MakeUringBackend(CompletionSink* sink, unsigned entries,
                                          std::string* why_not);
Result<std::unique_ptr<Backend>> MakeEpollBackend(CompletionSink* sink);

}  // namespace aem::detail
