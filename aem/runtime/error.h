// Errors as values for libaem: every fallible operation returns Result<T> or
// Status, and every completion a handler receives carries one. Nothing in
// the runtime throws, exits or prints (the same contract as
// signer/lib/result.h, with the codes an event runtime needs).
#pragma once

#include <string>
#include <utility>

#include "base/basic_result.h"

namespace aem {

enum class ErrorCode {
  kCancelled,        // Loop::Stop() or Loop::Close(fd) ended the operation
  kClosed,           // the peer or the device reached end of file where data was expected
  kIo,               // the operating system refused; errno() says why
  kInvalidArgument,  // the caller asked for something impossible
  kNotFound,         // a device, handler or file that is not there (e.g. /dev/aem absent)
  kMalformed,        // bytes that break the format they claim (an event record, a frame)
  kTooLarge,         // beyond a documented size limit
  kTimeout,          // a deadline passed
  kCrashed,          // a capsule worker died while serving the request
  kUnsupported,      // the kernel lacks what the operation needs
  kHandler,          // a capsule handler returned an error of its own (message says which)
};

// Stable, short, lower-case names ("cancelled", "io", ...).
const char* ErrorCodeName(ErrorCode code);

class Error {
 public:
  Error(ErrorCode code, std::string message, int sys_errno = 0)
      : code_(code), errno_(sys_errno), message_(std::move(message)) {}

  // From a negative or positive errno value: ECANCELED becomes kCancelled,
  // ETIME/ETIMEDOUT kTimeout, everything else kIo. `what` names the call.
  static Error FromErrno(int err, const char* what);

  ErrorCode code() const { return code_; }
  int sys_errno() const { return errno_; }  // 0 when not from the system
  const std::string& message() const { return message_; }
  std::string ToString() const;  // "cancelled: read: Operation canceled"

  Error Wrap(const std::string& context) const {
    return Error(code_, context + ": " + message_, errno_);
  }

 private:
  ErrorCode code_;
  int errno_;
  std::string message_;
};

template <typename T>
using Result = digsig::base::BasicResult<T, Error>;
using Status = digsig::base::BasicStatus<Error>;

}  // namespace aem

// Returns early from the enclosing function when `expr` (a Status) failed.
#define AEM_RETURN_IF_ERROR(expr)                      \
  do {                                                 \
    auto aem_status_ = (expr);                         \
    if (!aem_status_.ok()) return aem_status_.error(); \
  } while (0)
