// Errors as values: every fallible operation in the signer library returns
// Result<T> (or Status), never throws and never exits.
#pragma once

#include <string>
#include <utility>

#include "base/basic_result.h"

namespace digsig {

// Why an operation failed. Verification outcomes map one-to-one onto the
// reasons `digsig verify` prints, so callers can act on the code alone.
enum class ErrorCode {
  kInvalidArgument,  // the caller asked for something impossible
  kIo,               // the operating system refused (open, read, write, rename)
  kNotElf,           // input is not an ELF file
  kMalformed,        // input claims a format but breaks its rules
  kUnsigned,         // no signature present
  kAltered,          // signature present, content does not match it
  kUnknownSigner,    // signature made by a key none of the trusted certs hold
  kUnsupported,      // algorithm or format version this build cannot handle
  kTooLarge,         // beyond a size limit: an input's (bounded time and memory) or a format's
  kCrypto,           // OpenSSL failed for a reason outside the input's control
  kKey,              // key or certificate could not be loaded or is unsafe
  kConfig,           // configuration file invalid
  // A certificate without what the operation needs (a subject key identifier).
  kUnsuitableCertificate,
};

// Stable, short, lower-case names used in CLI and JSON output.
const char* ErrorCodeName(ErrorCode code);

class Error {
 public:
  Error(ErrorCode code, std::string message) : code_(code), message_(std::move(message)) {}
  ErrorCode code() const { return code_; }
  const std::string& message() const { return message_; }

  // Prefixes context ("reading foo: ") the way callers up the stack add it.
  Error Wrap(const std::string& context) const { return Error(code_, context + ": " + message_); }

 private:
  ErrorCode code_;
  std::string message_;
};

template <typename T>
using Result = digsig::base::BasicResult<T, Error>;
using Status = digsig::base::BasicStatus<Error>;

}  // namespace digsig

// Returns early from the enclosing function when `expr` (a Status) failed.
#define DIGSIG_RETURN_IF_ERROR(expr)                         \
  do {                                                       \
    auto digsig_status_ = (expr);                            \
    if (!digsig_status_.ok()) return digsig_status_.error(); \
  } while (0)
