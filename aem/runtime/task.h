// Task<T>: a lazily started C++20 coroutine that returns T. A task runs when
// it is awaited (`T v = co_await Child();`, inheriting the awaiting task's
// loop and priority) or when Loop::Spawn() takes it over (the loop owns the
// frame, starts it at the given priority and frees it when it finishes, or
// when the loop stops). Tasks never throw: failures are Result/Status values,
// and an exception escaping a task terminates the process.
#pragma once

#include <coroutine>
#include <exception>
#include <optional>
#include <type_traits>
#include <utility>

#include "aem/runtime/op.h"

namespace aem {

class Loop;

// Higher runs first when several handlers are ready in one loop iteration.
inline constexpr int kDefaultPriority = 0;

namespace detail {

struct PromiseBase {
  Loop* loop = nullptr;
  int priority = kDefaultPriority;
  std::coroutine_handle<> continuation;  // the awaiting task; none when spawned
  std::coroutine_handle<> self;
  // Spawned tasks: owned by the loop, linked in its list of live tasks.
  bool detached = false;
  PromiseBase* prev_task = nullptr;
  PromiseBase* next_task = nullptr;
  Op start;  // starts a spawned task from the ready queue
};

// Unlinks a finished spawned task from its loop and frees its frame.
void SpawnedTaskDone(PromiseBase* promise);

template <typename P>
int PriorityOf(std::coroutine_handle<P> h) {
  if constexpr (std::is_base_of_v<PromiseBase, P>) {
    return h.promise().priority;
  } else {
    return kDefaultPriority;
  }
}

struct FinalAwaiter {
  bool await_ready() const noexcept { return false; }
  template <typename P>
  std::coroutine_handle<> await_suspend(std::coroutine_handle<P> h) noexcept {
    PromiseBase& p = h.promise();
    if (p.detached) {
      SpawnedTaskDone(&p);  // destroys the frame: nothing of it is touched after this
      return std::noop_coroutine();
    }
    if (p.continuation) return p.continuation;
    return std::noop_coroutine();
  }
  void await_resume() const noexcept {}
};

template <typename Promise>
class TaskBase {
 public:
  using Handle = std::coroutine_handle<Promise>;

  TaskBase() = default;
  explicit TaskBase(Handle h) : h_(h) {}
  TaskBase(TaskBase&& other) noexcept : h_(std::exchange(other.h_, {})) {}
  TaskBase& operator=(TaskBase&& other) noexcept {
    if (this != &other) {
      if (h_) h_.destroy();
      h_ = std::exchange(other.h_, {});
    }
    return *this;
  }
  ~TaskBase() {
    if (h_) h_.destroy();
  }

  bool valid() const { return static_cast<bool>(h_); }

  bool await_ready() const noexcept { return !h_ || h_.done(); }
  template <typename P>
  std::coroutine_handle<> await_suspend(std::coroutine_handle<P> parent) noexcept {
    Promise& p = h_.promise();
    p.continuation = parent;
    if constexpr (std::is_base_of_v<PromiseBase, P>) {
      p.loop = parent.promise().loop;
      p.priority = parent.promise().priority;
    }
    return h_;
  }

  // For Loop::Spawn: hands the frame over.
  Handle Release() { return std::exchange(h_, {}); }

 protected:
  Handle h_;
};

}  // namespace detail

template <typename T = void>
class [[nodiscard]] Task;

template <typename T>
struct TaskPromise : detail::PromiseBase {
  std::optional<T> value;
  Task<T> get_return_object();
  std::suspend_always initial_suspend() noexcept { return {}; }
  detail::FinalAwaiter final_suspend() noexcept { return {}; }
  template <typename U>
  void return_value(U&& v) {
    value.emplace(std::forward<U>(v));
  }
  void unhandled_exception() noexcept { std::terminate(); }
};

template <>
struct TaskPromise<void> : detail::PromiseBase {
  Task<void> get_return_object();
  std::suspend_always initial_suspend() noexcept { return {}; }
  detail::FinalAwaiter final_suspend() noexcept { return {}; }
  void return_void() {}
  void unhandled_exception() noexcept { std::terminate(); }
};

template <typename T>
class [[nodiscard]] Task : public detail::TaskBase<TaskPromise<T>> {
 public:
  using promise_type = TaskPromise<T>;
  using detail::TaskBase<TaskPromise<T>>::TaskBase;
  T await_resume() { return std::move(*this->h_.promise().value); }
};

template <>
class [[nodiscard]] Task<void> : public detail::TaskBase<TaskPromise<void>> {
 public:
  using promise_type = TaskPromise<void>;
  using detail::TaskBase<TaskPromise<void>>::TaskBase;
  void await_resume() {}
};

template <typename T>
Task<T> TaskPromise<T>::get_return_object() {
  self = std::coroutine_handle<TaskPromise<T>>::from_promise(*this);
  return Task<T>(std::coroutine_handle<TaskPromise<T>>::from_promise(*this));
}

inline Task<void> TaskPromise<void>::get_return_object() {
  self = std::coroutine_handle<TaskPromise<void>>::from_promise(*this);
  return Task<void>(std::coroutine_handle<TaskPromise<void>>::from_promise(*this));
}

// `co_await SetPriority(p);` changes the priority of the running task (and
// of the tasks it awaits from then on) without suspending it.
struct SetPriority {
  int priority;
  bool await_ready() const noexcept { return false; }
  template <typename P>
  bool await_suspend(std::coroutine_handle<P> h) noexcept {
    static_assert(std::is_base_of_v<detail::PromiseBase, P>, "SetPriority is for aem::Task");
    h.promise().priority = priority;
    return false;  // continue without suspending
  }
  void await_resume() const noexcept {}
};

}  // namespace aem
