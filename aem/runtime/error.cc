#include "aem/runtime/error.h"

#include <errno.h>
#include <string.h>

namespace aem {

const char* ErrorCodeName(ErrorCode code) {
  switch (code) {
    case ErrorCode::kCancelled: return "cancelled";
    case ErrorCode::kClosed: return "closed";
    case ErrorCode::kIo: return "io";
    case ErrorCode::kInvalidArgument: return "invalid-argument";
    case ErrorCode::kNotFound: return "not-found";
    case ErrorCode::kMalformed: return "malformed";
    case ErrorCode::kTooLarge: return "too-large";
    case ErrorCode::kTimeout: return "timeout";
    case ErrorCode::kCrashed: return "crashed";
    case ErrorCode::kUnsupported: return "unsupported";
    case ErrorCode::kHandler: return "handler";
  }
  return "unknown";
}

Error Error::FromErrno(int err, const char* what) {
  if (err < 0) err = -err;
  ErrorCode code = ErrorCode::kIo;
  if (err == ECANCELED) code = ErrorCode::kCancelled;
  if (err == ETIME || err == ETIMEDOUT) code = ErrorCode::kTimeout;
  if (err == ENOSYS || err == EOPNOTSUPP) code = ErrorCode::kUnsupported;
  const char* text = strerrordesc_np(err);
  std::string message = what;
  message += ": ";
  if (text != nullptr)
    message += text;
  else
    message += "errno " + std::to_string(err);
  return Error(code, std::move(message), err);
}

std::string Error::ToString() const { return std::string(ErrorCodeName(code_)) + ": " + message_; }

}  // namespace aem
