// Errors as values: every fallible operation in the signer library returns
// Result<T> (or Status), never throws and never exits.
#pragma once

#include <optional>
#include <string>
#include <utility>
#include <variant>

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
  kTooLarge,         // input beyond a size limit set to keep time and memory bounded
  kCrypto,           // OpenSSL failed for a reason outside the input's control
  kKey,              // key or certificate could not be loaded or is unsafe
  kConfig,           // configuration file invalid
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
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::move(value)) {}      // NOLINT: implicit by design
  Result(Error error) : v_(std::move(error)) {}  // NOLINT: implicit by design

  bool ok() const { return v_.index() == 0; }
  explicit operator bool() const { return ok(); }

  T& value() & { return std::get<0>(v_); }
  const T& value() const& { return std::get<0>(v_); }
  T&& value() && { return std::get<0>(std::move(v_)); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }

  const Error& error() const { return std::get<1>(v_); }

 private:
  std::variant<T, Error> v_;
};

// Result for operations that return nothing on success.
class [[nodiscard]] Status {
 public:
  Status() = default;
  Status(Error error) : error_(std::move(error)) {}  // NOLINT: implicit by design
  static Status Ok() { return Status(); }

  bool ok() const { return !error_.has_value(); }
  explicit operator bool() const { return ok(); }
  const Error& error() const { return *error_; }

 private:
  std::optional<Error> error_;
};

}  // namespace digsig

// Returns early from the enclosing function when `expr` (a Status) failed.
#define DIGSIG_RETURN_IF_ERROR(expr)                         \
  do {                                                       \
    auto digsig_status_ = (expr);                            \
    if (!digsig_status_.ok()) return digsig_status_.error(); \
  } while (0)
