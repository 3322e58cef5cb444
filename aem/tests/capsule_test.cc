// The capsule pool, on both backends: replies, handler errors, crash
// containment and restart, timeouts, priorities, shutdown.
#include "aem/runtime/capsule.h"

#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <string>
#include <thread>
#include <vector>

#include "aem/tests/backend_test_util.h"

namespace aem {
namespace {

using namespace std::chrono_literals;
using testing::BackendTest;

bool ProcessExists(pid_t pid) { return kill(pid, 0) == 0 || errno != ESRCH; }

CapsuleRegistry Handlers() {
  CapsuleRegistry reg;
  EXPECT_TRUE(reg.Register("upper",
                           [](std::string_view in) -> Result<std::string> {
                             std::string out(in);
                             for (char& c : out) c = static_cast<char>(std::toupper(c));
                             return out;
                           })
                  .ok());
  EXPECT_TRUE(
      reg.Register("pid",
                   [](std::string_view) -> Result<std::string> { return std::to_string(getpid()); })
          .ok());
  EXPECT_TRUE(reg.Register("fail",
                           [](std::string_view in) -> Result<std::string> {
                             return Error(ErrorCode::kInvalidArgument,
                                          "refusing " + std::string(in));
                           })
                  .ok());
  EXPECT_TRUE(reg.Register("segv",
                           [](std::string_view) -> Result<std::string> {
                             volatile int* p = nullptr;
                             *p = 1;  // a real crash, on purpose
                             return std::string("unreachable");
                           })
                  .ok());
  EXPECT_TRUE(
      reg.Register("abort", [](std::string_view) -> Result<std::string> { std::abort(); }).ok());
  EXPECT_TRUE(reg.Register("exit", [](std::string_view) -> Result<std::string> { _exit(3); }).ok());
  EXPECT_TRUE(reg.Register("sleep",
                           [](std::string_view in) -> Result<std::string> {
                             std::this_thread::sleep_for(
                                 std::chrono::milliseconds(std::atoi(std::string(in).c_str())));
                             return std::string(in);
                           })
                  .ok());
  EXPECT_TRUE(reg.Register("big",
                           [](std::string_view in) -> Result<std::string> {
                             return std::string(
                                 static_cast<size_t>(std::atoi(std::string(in).c_str())), 'x');
                           })
                  .ok());
  return reg;
}

class CapsuleTest : public BackendTest {
 protected:
  std::unique_ptr<CapsulePool> MakePool(CapsuleOptions options = {}) {
    auto pool = CapsulePool::Create(loop(), Handlers(), options);
    EXPECT_TRUE(pool.ok()) << pool.error().ToString();
    return pool.ok() ? std::move(*pool) : nullptr;
  }
};

TEST_P(CapsuleTest, HandlersRunInWorkerProcesses) {
  auto pool = MakePool();
  ASSERT_NE(pool, nullptr);
  const auto workers = pool->worker_pids();
  ASSERT_EQ(workers.size(), 2u);
  auto task = [&]() -> Task<void> {
    Result<std::string> up = co_await pool->Call("upper", "hello capsule");
    EXPECT_TRUE(up.ok());
    if (up.ok()) {
      EXPECT_EQ(*up, "HELLO CAPSULE");
    }
    Result<std::string> pid = co_await pool->Call("pid", "");
    EXPECT_TRUE(pid.ok());
    if (pid.ok()) {
      const pid_t p = std::atoi(pid->c_str());
      EXPECT_NE(p, getpid());
      EXPECT_NE(std::find(workers.begin(), workers.end(), p), workers.end());
    }
  };
  ASSERT_TRUE(loop().RunUntilDone(task()).ok());
}

TEST_P(CapsuleTest, ManyConcurrentCallsAreAllAnswered) {
  auto pool = MakePool();
  ASSERT_NE(pool, nullptr);
  int ok = 0;
  auto call = [&](int i) -> Task<void> {
    const std::string in = "request " + std::to_string(i);
    Result<std::string> r = co_await pool->Call("upper", in);
    if (r.ok() && *r == "REQUEST " + std::to_string(i)) ++ok;
  };
  for (int i = 0; i < 100; ++i) loop().Spawn(call(i));
  auto done = [&]() -> Task<void> {
    while (ok < 100) (void)co_await loop().Sleep(1ms);
  };
  ASSERT_TRUE(loop().RunUntilDone(done()).ok());
  EXPECT_EQ(ok, 100);
  EXPECT_EQ(pool->stats().completed, 100u);
}

TEST_P(CapsuleTest, HandlerErrorsAreValues) {
  auto pool = MakePool();
  ASSERT_NE(pool, nullptr);
  auto task = [&]() -> Task<Result<std::string>> { co_return co_await pool->Call("fail", "this"); };
  Result<Result<std::string>> r = loop().RunUntilDone(task());
  ASSERT_TRUE(r.ok());
  ASSERT_FALSE(r->ok());
  EXPECT_EQ(r->error().code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(r->error().message(), "capsule handler 'fail': refusing this");
  EXPECT_EQ(pool->stats().crashed, 0u);
}

TEST_P(CapsuleTest, CrashesAreContainedAndWorkersRestarted) {
  auto pool = MakePool();
  ASSERT_NE(pool, nullptr);
  const auto before = pool->worker_pids();
  std::vector<std::string> errors;
  auto task = [&]() -> Task<void> {
    for (const char* crash : {"segv", "abort", "exit"}) {
      Result<std::string> r = co_await pool->Call(crash, "");
      EXPECT_FALSE(r.ok()) << crash;
      if (!r.ok()) {
        EXPECT_EQ(r.error().code(), ErrorCode::kCrashed) << r.error().ToString();
        errors.push_back(r.error().message());
      }
      // The pool keeps serving.
      Result<std::string> up = co_await pool->Call("upper", "still here");
      EXPECT_TRUE(up.ok() && *up == "STILL HERE");
    }
  };
  ASSERT_TRUE(loop().RunUntilDone(task()).ok());
  ASSERT_EQ(errors.size(), 3u);
  // SIGSEGV: a signal death, or exit status 1 when a sanitizer reports it.
  EXPECT_TRUE(errors[0].find("killed by signal 11 (SIGSEGV)") != std::string::npos ||
              errors[0].find("exited with status 1") != std::string::npos)
      << errors[0];
  EXPECT_NE(errors[1].find("killed by signal 6 (SIGABRT)"), std::string::npos) << errors[1];
  EXPECT_NE(errors[2].find("exited with status 3"), std::string::npos) << errors[2];
  EXPECT_EQ(pool->stats().crashed, 3u);
  EXPECT_EQ(pool->stats().restarts, 3u);
  const auto after = pool->worker_pids();
  EXPECT_EQ(after.size(), 2u);
  for (pid_t p : before) {
    if (std::find(after.begin(), after.end(), p) == after.end()) {
      EXPECT_FALSE(ProcessExists(p));
    }
  }
}

TEST_P(CapsuleTest, ACrashFailsOnlyItsOwnRequest) {
  auto pool = MakePool();
  ASSERT_NE(pool, nullptr);
  int ok = 0, crashed = 0;
  auto call = [&](int i) -> Task<void> {
    Result<std::string> r = co_await pool->Call(i == 7 ? "abort" : "upper", "x");
    if (r.ok()) ++ok;
    if (!r.ok() && r.error().code() == ErrorCode::kCrashed) ++crashed;
  };
  for (int i = 0; i < 20; ++i) loop().Spawn(call(i));
  auto done = [&]() -> Task<void> {
    while (ok + crashed < 20) (void)co_await loop().Sleep(1ms);
  };
  ASSERT_TRUE(loop().RunUntilDone(done()).ok());
  EXPECT_EQ(ok, 19);
  EXPECT_EQ(crashed, 1);
}

TEST_P(CapsuleTest, ATimeoutKillsAndReplacesTheWorker) {
  CapsuleOptions options;
  options.workers = 1;
  options.timeout = 100ms;
  auto pool = MakePool(options);
  ASSERT_NE(pool, nullptr);
  const pid_t first = pool->worker_pids().at(0);
  auto task = [&]() -> Task<void> {
    Result<std::string> r = co_await pool->Call("sleep", "10000");
    EXPECT_FALSE(r.ok());
    if (!r.ok()) {
      EXPECT_EQ(r.error().code(), ErrorCode::kTimeout) << r.error().ToString();
    }
    Result<std::string> quick = co_await pool->Call("sleep", "1");
    EXPECT_TRUE(quick.ok() && *quick == "1");
  };
  const auto start = Loop::Clock::now();
  ASSERT_TRUE(loop().RunUntilDone(task()).ok());
  EXPECT_LT(Loop::Clock::now() - start, 5s);
  EXPECT_EQ(pool->stats().timed_out, 1u);
  EXPECT_NE(pool->worker_pids().at(0), first);
  EXPECT_FALSE(ProcessExists(first));
}

TEST_P(CapsuleTest, QueuedCallsAreServedByPriority) {
  CapsuleOptions options;
  options.workers = 1;
  auto pool = MakePool(options);
  ASSERT_NE(pool, nullptr);
  std::vector<int> order;
  auto call = [&](int prio) -> Task<void> {
    Result<std::string> r = co_await pool->Call("upper", std::to_string(prio));
    if (r.ok()) order.push_back(std::atoi(r->c_str()));
  };
  auto blocker = [&]() -> Task<void> { (void)co_await pool->Call("sleep", "50"); };
  // Enqueued in the order 1, 3, 2 (one per iteration) while the only worker
  // is busy; served 3, 2, 1 once it is free.
  auto driver = [&]() -> Task<void> {
    loop().Spawn(blocker());
    (void)co_await loop().Yield();
    for (int prio : {1, 3, 2}) {
      loop().Spawn(call(prio), prio);
      (void)co_await loop().Yield();
    }
    while (order.size() < 3) (void)co_await loop().Sleep(1ms);
  };
  ASSERT_TRUE(loop().RunUntilDone(driver()).ok());
  EXPECT_EQ(order, (std::vector<int>{3, 2, 1}));
}

TEST_P(CapsuleTest, CallbackCalls) {
  auto pool = MakePool();
  ASSERT_NE(pool, nullptr);
  std::vector<std::string> got;
  pool->Call("upper", "cb", 0,
             [&](Result<std::string> r) { got.push_back(r.ok() ? *r : r.error().ToString()); });
  pool->Call("nosuch", "", 0, [&](Result<std::string> r) {
    got.push_back(r.ok() ? *r : ErrorCodeName(r.error().code()));
  });
  auto done = [&]() -> Task<void> {
    while (got.size() < 2) (void)co_await loop().Sleep(1ms);
  };
  ASSERT_TRUE(loop().RunUntilDone(done()).ok());
  std::sort(got.begin(), got.end());
  EXPECT_EQ(got, (std::vector<std::string>{"CB", "not-found"}));
}

TEST_P(CapsuleTest, SizeLimitsAreEnforcedBothWays) {
  CapsuleOptions options;
  options.max_message = 1000;
  auto pool = MakePool(options);
  ASSERT_NE(pool, nullptr);
  auto task = [&]() -> Task<void> {
    Result<std::string> r = co_await pool->Call("upper", std::string(1001, 'a'));
    EXPECT_TRUE(!r.ok() && r.error().code() == ErrorCode::kTooLarge);
    r = co_await pool->Call("big", "5000");
    EXPECT_TRUE(!r.ok() && r.error().code() == ErrorCode::kTooLarge);
    r = co_await pool->Call("big", "1000");
    EXPECT_TRUE(r.ok() && r->size() == 1000);
  };
  ASSERT_TRUE(loop().RunUntilDone(task()).ok());
}

TEST_P(CapsuleTest, StopCancelsCallsAndReapsWorkers) {
  auto pool = MakePool();
  ASSERT_NE(pool, nullptr);
  const auto workers = pool->worker_pids();
  int cancelled = 0;
  auto call = [&]() -> Task<void> {
    Result<std::string> r = co_await pool->Call("sleep", "10000");
    if (!r.ok() && r.error().code() == ErrorCode::kCancelled) ++cancelled;
  };
  for (int i = 0; i < 5; ++i) loop().Spawn(call());  // two in workers, three queued
  loop().AddTimer(20ms, {}, 0, [&](uint64_t) { loop().Stop(); });
  const auto start = Loop::Clock::now();
  ASSERT_TRUE(loop().Run().ok());
  EXPECT_LT(Loop::Clock::now() - start, 5s);
  EXPECT_EQ(cancelled, 5);
  for (pid_t p : workers) EXPECT_FALSE(ProcessExists(p));
  EXPECT_TRUE(pool->worker_pids().empty());
}

TEST_P(CapsuleTest, DestroyingThePoolReapsWorkers) {
  auto pool = MakePool();
  ASSERT_NE(pool, nullptr);
  const auto workers = pool->worker_pids();
  pool.reset();
  for (pid_t p : workers) EXPECT_FALSE(ProcessExists(p));
  EXPECT_TRUE(loop().Run().ok());
}

TEST_P(CapsuleTest, BadConfigurationsAreRefused) {
  EXPECT_FALSE(CapsulePool::Create(loop(), CapsuleRegistry()).ok());
  CapsuleOptions none;
  none.workers = 0;
  EXPECT_FALSE(CapsulePool::Create(loop(), Handlers(), none).ok());
  CapsuleRegistry reg;
  EXPECT_TRUE(
      reg.Register("a", [](std::string_view) -> Result<std::string> { return std::string(); })
          .ok());
  EXPECT_FALSE(
      reg.Register("a", [](std::string_view) -> Result<std::string> { return std::string(); })
          .ok());
}

AEM_INSTANTIATE_ON_BACKENDS(CapsuleTest);

}  // namespace
}  // namespace aem
