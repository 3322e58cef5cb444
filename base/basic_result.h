// The errors-as-values templates every library of the project uses
// (digsig in signer/lib/result.h, libaem in aem/runtime/error.h): each
// library defines its own Error type and names Result<T> = BasicResult<T,
// Error> and Status = BasicStatus<Error>. Header only, no dependencies.
#pragma once

#include <optional>
#include <utility>
#include <variant>

namespace digsig::base {

template <typename T, typename E>
class [[nodiscard]] BasicResult {
 public:
  BasicResult(T value) : v_(std::move(value)) {}  // NOLINT: implicit by design
  BasicResult(E error) : v_(std::move(error)) {}  // NOLINT: implicit by design

  bool ok() const { return v_.index() == 0; }
  explicit operator bool() const { return ok(); }

  T& value() & { return std::get<0>(v_); }
  const T& value() const& { return std::get<0>(v_); }
  T&& value() && { return std::get<0>(std::move(v_)); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }

  const E& error() const { return std::get<1>(v_); }

 private:
  std::variant<T, E> v_;
};

// A result for operations that return nothing on success.
template <typename E>
class [[nodiscard]] BasicStatus {
 public:
  BasicStatus() = default;
  BasicStatus(E error) : error_(std::move(error)) {}  // NOLINT: implicit by design
  static BasicStatus Ok() { return BasicStatus(); }

  bool ok() const { return !error_.has_value(); }
  explicit operator bool() const { return ok(); }
  const E& error() const { return *error_; }

 private:
  std::optional<E> error_;
};

}  // namespace digsig::base
