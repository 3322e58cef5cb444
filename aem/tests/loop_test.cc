// The loop on both backends: timers, priorities, tasks, cancellation.
#include "aem/runtime/loop.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <poll.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <string>
#include <thread>
#include <vector>

#include "aem/runtime/net.h"
#include "aem/tests/backend_test_util.h"

namespace aem {
namespace {

using namespace std::chrono_literals;
using testing::BackendTest;

struct Pipe {
  Pipe() {
    int fds[2];
    EXPECT_EQ(pipe2(fds, O_NONBLOCK | O_CLOEXEC), 0);
    r.Reset(fds[0]);
    w.Reset(fds[1]);
  }
  Fd r, w;
};

class LoopTest : public BackendTest {};

TEST_P(LoopTest, RunReturnsWhenThereIsNothingToWaitFor) { EXPECT_TRUE(loop().Run().ok()); }

TEST_P(LoopTest, TimersFireInDeadlineOrder) {
  std::vector<int> order;
  const auto start = Loop::Clock::now();
  loop().AddTimer(30ms, {}, 0, [&](uint64_t) { order.push_back(30); });
  loop().AddTimer(10ms, {}, 0, [&](uint64_t) { order.push_back(10); });
  loop().AddTimer(20ms, {}, 0, [&](uint64_t) { order.push_back(20); });
  loop().AddTimer(0ms, {}, 0, [&](uint64_t) { order.push_back(0); });
  ASSERT_TRUE(loop().Run().ok());
  EXPECT_EQ(order, (std::vector<int>{0, 10, 20, 30}));
  EXPECT_GE(Loop::Clock::now() - start, 30ms);
}

TEST_P(LoopTest, SleepingTasksWakeInDeadlineOrder) {
  std::vector<int> order;
  auto sleeper = [&](int ms) -> Task<void> {
    Status s = co_await loop().Sleep(std::chrono::milliseconds(ms));
    EXPECT_TRUE(s.ok()) << s.error().ToString();
    order.push_back(ms);
  };
  for (int ms : {25, 5, 15, 0}) loop().Spawn(sleeper(ms));
  ASSERT_TRUE(loop().Run().ok());
  EXPECT_EQ(order, (std::vector<int>{0, 5, 15, 25}));
  EXPECT_EQ(loop().live_tasks(), 0u);
}

TEST_P(LoopTest, PeriodicTimerTicksUntilCancelled) {
  int calls = 0;
  uint64_t expirations = 0;
  Loop::TimerId id = 0;
  const auto start = Loop::Clock::now();
  id = loop().AddTimer(5ms, 5ms, 0, [&](uint64_t n) {
    expirations += n;
    if (++calls == 5) {
      EXPECT_TRUE(loop().CancelTimer(id));
    }
  });
  ASSERT_TRUE(loop().Run().ok());
  EXPECT_EQ(calls, 5);
  EXPECT_GE(expirations, 5u);
  EXPECT_GE(Loop::Clock::now() - start, 25ms);
  EXPECT_FALSE(loop().CancelTimer(id));
}

TEST_P(LoopTest, LatePeriodicTimerReportsMissedTicksWithoutDrift) {
  // Ticks may come late (a busy handler, a loaded machine); each reports the
  // periods that passed, and the deadlines stay on the original grid, so
  // the expirations always add up to the periods elapsed.
  constexpr int64_t kPeriod = 2000000;
  std::vector<uint64_t> ticks;
  uint64_t total = 0;
  int64_t last_call = 0;
  const int64_t created = Loop::NowNs();
  Loop::TimerId id = loop().AddTimer(2ms, 2ms, 0, [&](uint64_t n) {
    ticks.push_back(n);
    total += n;
    last_call = Loop::NowNs();
    if (ticks.size() == 1) std::this_thread::sleep_for(11ms);  // a busy handler
  });
  loop().AddTimer(20ms, {}, 0, [&](uint64_t) { loop().CancelTimer(id); });
  ASSERT_TRUE(loop().Run().ok());
  ASSERT_GE(ticks.size(), 2u);
  EXPECT_GE(ticks[1], 5u);  // at least 11 ms late: at least 5 periods passed
  const int64_t first_deadline = created + kPeriod;
  const uint64_t elapsed_periods =
      static_cast<uint64_t>((last_call - first_deadline) / kPeriod) + 1;
  EXPECT_LE(total, elapsed_periods + 1);
  EXPECT_GE(total + 1, elapsed_periods);
}

TEST_P(LoopTest, CancelledTimerNeverFires) {
  bool fired = false;
  Loop::TimerId id = loop().AddTimer(5ms, {}, 0, [&](uint64_t) { fired = true; });
  EXPECT_TRUE(loop().CancelTimer(id));
  loop().AddTimer(10ms, {}, 0, [](uint64_t) {});
  ASSERT_TRUE(loop().Run().ok());
  EXPECT_FALSE(fired);
}

TEST_P(LoopTest, ReadyTasksRunByPriorityThenArrival) {
  std::vector<std::string> order;
  auto task = [&](std::string name) -> Task<void> {
    order.push_back(name);
    co_return;
  };
  loop().Spawn(task("low"), -2);
  loop().Spawn(task("mid-a"), 3);
  loop().Spawn(task("high"), 5);
  loop().Spawn(task("default"));
  loop().Spawn(task("mid-b"), 3);
  ASSERT_TRUE(loop().Run().ok());
  EXPECT_EQ(order, (std::vector<std::string>{"high", "mid-a", "mid-b", "default", "low"}));
}

TEST_P(LoopTest, CompletionsOfOneBatchRunByPriority) {
  // Three tasks wait on three pipes; one write makes all three ready in the
  // same iteration; they must then run highest priority first, whatever the
  // order in which they started waiting or the data arrived.
  Pipe p[3];
  std::vector<int> order;
  auto reader = [&](int i) -> Task<void> {
    char c;
    Result<size_t> n = co_await loop().Read(p[i].r.get(), &c, 1);
    EXPECT_TRUE(n.ok() && *n == 1);
    order.push_back(i);
  };
  auto writer = [&]() -> Task<void> {
    for (int i : {0, 2, 1}) EXPECT_EQ(write(p[i].w.get(), "x", 1), 1);
    co_return;
  };
  loop().Spawn(reader(0), 1);
  loop().Spawn(reader(1), 30);
  loop().Spawn(reader(2), 20);
  loop().Spawn(writer(), -1);  // runs last in the first batch, after every reader waits
  ASSERT_TRUE(loop().Run().ok());
  EXPECT_EQ(order, (std::vector<int>{1, 2, 0}));
}

TEST_P(LoopTest, SameDeadlineTimersRunByPriority) {
  std::vector<int> order;
  for (int prio : {1, 7, 3})
    loop().AddTimer(5ms, {}, prio, [&order, prio](uint64_t) { order.push_back(prio); });
  // A busy first iteration: all three have expired at the next check.
  loop().Post([] { std::this_thread::sleep_for(10ms); });
  ASSERT_TRUE(loop().Run().ok());
  EXPECT_EQ(order, (std::vector<int>{7, 3, 1}));
}

TEST_P(LoopTest, LowPriorityWorkIsNotStarved) {
  // A high-priority task that yields forever gets one step per iteration;
  // the low-priority handler that was ready in the first batch runs in it.
  std::vector<std::string> order;
  auto busy = [&]() -> Task<void> {
    for (int i = 0; i < 3; ++i) {
      order.push_back("high" + std::to_string(i));
      Status s = co_await loop().Yield();
      EXPECT_TRUE(s.ok());
    }
  };
  loop().Spawn(busy(), 100);
  loop().Post([&] { order.push_back("low"); }, -100);
  ASSERT_TRUE(loop().Run().ok());
  EXPECT_EQ(order, (std::vector<std::string>{"high0", "low", "high1", "high2"}));
}

TEST_P(LoopTest, YieldInterleavesEqualPriorities) {
  std::string trace;
  auto task = [&](char name) -> Task<void> {
    for (int i = 0; i < 3; ++i) {
      trace += name;
      (void)co_await loop().Yield();
    }
  };
  loop().Spawn(task('a'));
  loop().Spawn(task('b'));
  ASSERT_TRUE(loop().Run().ok());
  EXPECT_EQ(trace, "ababab");
}

TEST_P(LoopTest, SetPriorityReordersTheRestOfATask) {
  std::vector<std::string> order;
  auto task = [&](std::string name, int later) -> Task<void> {
    co_await SetPriority(later);
    (void)co_await loop().Yield();
    order.push_back(name);
  };
  loop().Spawn(task("a", 1), 10);
  loop().Spawn(task("b", 20), 0);
  ASSERT_TRUE(loop().Run().ok());
  EXPECT_EQ(order, (std::vector<std::string>{"b", "a"}));
}

TEST_P(LoopTest, PostedCallbacksRunByPriority) {
  std::vector<int> order;
  for (int prio : {0, 2, 1}) loop().Post([&order, prio] { order.push_back(prio); }, prio);
  ASSERT_TRUE(loop().Run().ok());
  EXPECT_EQ(order, (std::vector<int>{2, 1, 0}));
}

Task<int> Square(Loop& loop, int x) {
  (void)co_await loop.Sleep(1ms);
  co_return x* x;
}

Task<int> SumOfSquares(Loop& loop, int n) {
  int sum = 0;
  for (int i = 1; i <= n; ++i) sum += co_await Square(loop, i);  // sync and async code mixed
  co_return sum;
}

TEST_P(LoopTest, NestedTasksReturnValues) {
  Result<int> r = loop().RunUntilDone(SumOfSquares(loop(), 4));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(*r, 30);
}

TEST_P(LoopTest, AwaitedTasksInheritPriority) {
  std::vector<std::string> order;
  auto child = [&](std::string name) -> Task<void> {
    (void)co_await loop().Yield();  // queued at the child's (inherited) priority
    order.push_back(name);
  };
  auto parent = [&](std::string name) -> Task<void> { co_await child(name); };
  loop().Spawn(parent("low"), 1);
  loop().Spawn(parent("high"), 9);
  ASSERT_TRUE(loop().Run().ok());
  EXPECT_EQ(order, (std::vector<std::string>{"high", "low"}));
}

TEST_P(LoopTest, ReadsReportDataAndEndOfFile) {
  Pipe p;
  ASSERT_EQ(write(p.w.get(), "abc", 3), 3);
  p.w.Reset();
  auto task = [&]() -> Task<void> {
    char buf[8];
    Result<size_t> n = co_await loop().Read(p.r.get(), buf, sizeof(buf));
    EXPECT_TRUE(n.ok() && *n == 3);
    n = co_await loop().Read(p.r.get(), buf, sizeof(buf));
    EXPECT_TRUE(n.ok() && *n == 0);
  };
  ASSERT_TRUE(loop().RunUntilDone(task()).ok());
}

TEST_P(LoopTest, ErrorsAreValues) {
  auto task = [&]() -> Task<void> {
    char buf[4];
    Result<size_t> n = co_await loop().Read(1 << 20, buf, sizeof(buf));  // not an open fd
    EXPECT_FALSE(n.ok());
    if (!n.ok()) {
      EXPECT_EQ(n.error().code(), ErrorCode::kIo);
      EXPECT_EQ(n.error().sys_errno(), EBADF);
    }
    int sv[2];
    EXPECT_EQ(socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, sv), 0);
    Fd a(sv[0]);
    close(sv[1]);
    Result<size_t> s = co_await loop().Send(a.get(), "x", 1);  // no SIGPIPE: an error value
    EXPECT_FALSE(s.ok());
    if (!s.ok()) {
      EXPECT_EQ(s.error().sys_errno(), EPIPE);
    }
  };
  ASSERT_TRUE(loop().RunUntilDone(task()).ok());
}

TEST_P(LoopTest, RegularFilesReadAndWrite) {
  char path[] = "/tmp/aem-loop-test-XXXXXX";
  Fd fd(mkstemp(path));
  ASSERT_TRUE(fd);
  unlink(path);
  auto task = [&]() -> Task<void> {
    Status w = co_await WriteAll(loop(), fd.get(), "hello file", 10);
    EXPECT_TRUE(w.ok());
    EXPECT_EQ(lseek(fd.get(), 0, SEEK_SET), 0);
    char buf[16] = {};
    Result<size_t> n = co_await loop().Read(fd.get(), buf, sizeof(buf));
    EXPECT_TRUE(n.ok() && *n == 10);
    EXPECT_EQ(std::string(buf, 10), "hello file");
  };
  ASSERT_TRUE(loop().RunUntilDone(task()).ok());
}

TEST_P(LoopTest, CallbackOperations) {
  Pipe p;
  char buf[8] = {};
  std::string got;
  loop().AsyncRead(p.r.get(), buf, sizeof(buf), 0, [&](Result<size_t> n) {
    ASSERT_TRUE(n.ok());
    got.assign(buf, *n);
  });
  loop().AsyncWrite(p.w.get(), "ping", 4, 0, [](Result<size_t> n) { EXPECT_TRUE(n.ok()); });
  ASSERT_TRUE(loop().Run().ok());
  EXPECT_EQ(got, "ping");
}

TEST_P(LoopTest, WatchFdIsLevelTriggeredUntilUnwatched) {
  Pipe p;
  int calls = 0;
  Loop::WatchId id = 0;
  id = loop().WatchFd(p.r.get(), POLLIN, 0, [&](Result<uint32_t> ev) {
    ASSERT_TRUE(ev.ok());
    EXPECT_TRUE(*ev & POLLIN);
    char c;
    ASSERT_EQ(read(p.r.get(), &c, 1), 1);  // one byte per call
    if (++calls == 3) loop().Unwatch(id);
  });
  ASSERT_EQ(write(p.w.get(), "xyz", 3), 3);
  ASSERT_TRUE(loop().Run().ok());
  EXPECT_EQ(calls, 3);
}

TEST_P(LoopTest, StopCancelsEveryPendingOperation) {
  Pipe p;
  auto listener = ListenTcp("127.0.0.1", 0);
  ASSERT_TRUE(listener.ok());
  std::vector<std::string> outcomes;
  auto reader = [&]() -> Task<void> {
    char c;
    Result<size_t> n = co_await loop().Read(p.r.get(), &c, 1);
    outcomes.push_back(n.ok() ? "read ok" : std::string("read ") + ErrorCodeName(n.error().code()));
  };
  auto sleeper = [&]() -> Task<void> {
    Status s = co_await loop().Sleep(10s);
    outcomes.push_back(s.ok() ? "sleep ok"
                              : std::string("sleep ") + ErrorCodeName(s.error().code()));
    // A task that answers the cancellation with more work gets kCancelled at once.
    s = co_await loop().Sleep(10s);
    outcomes.push_back(s.ok() ? "again ok"
                              : std::string("again ") + ErrorCodeName(s.error().code()));
  };
  auto acceptor = [&]() -> Task<void> {
    Result<Fd> c = co_await loop().Accept(listener->get());
    outcomes.push_back(c.ok() ? "accept ok"
                              : std::string("accept ") + ErrorCodeName(c.error().code()));
  };
  loop().Spawn(reader());
  loop().Spawn(sleeper());
  loop().Spawn(acceptor());
  loop().AddTimer(20ms, {}, 0, [&](uint64_t) { loop().Stop(); });
  loop().AddTimer(1h, 1h, 0, [&](uint64_t) { outcomes.push_back("periodic timer ran"); });
  const auto start = Loop::Clock::now();
  ASSERT_TRUE(loop().Run().ok());
  EXPECT_LT(Loop::Clock::now() - start, 5s);
  std::sort(outcomes.begin(), outcomes.end());
  EXPECT_EQ(outcomes, (std::vector<std::string>{"accept cancelled", "again cancelled",
                                                "read cancelled", "sleep cancelled"}));
  EXPECT_EQ(loop().live_tasks(), 0u);
  EXPECT_TRUE(loop().stopping());
  // A stopped loop stays stopped.
  EXPECT_TRUE(loop().Run().ok());
}

// Never resumed: only the loop's shutdown can free a task waiting on it.
struct Forever {
  bool await_ready() const noexcept { return false; }
  void await_suspend(std::coroutine_handle<>) const noexcept {}
  void await_resume() const noexcept {}
};

TEST_P(LoopTest, StopDestroysTasksSuspendedElsewhere) {
  bool destroyed = false;
  struct Flag {
    bool* f;
    ~Flag() { *f = true; }
  };
  auto task = [&]() -> Task<void> {
    Flag flag{&destroyed};
    co_await Forever{};
  };
  loop().Spawn(task());
  loop().Post([&] { loop().Stop(); }, -1);
  ASSERT_TRUE(loop().Run().ok());
  EXPECT_TRUE(destroyed);
  EXPECT_EQ(loop().live_tasks(), 0u);
}

TEST_P(LoopTest, DestroyingARunningLoopCancelsAndFrees) {
  Pipe p;
  bool resumed_with_cancel = false;
  Loop& l = loop();
  auto reader = [&]() -> Task<void> {
    char c;
    Result<size_t> n = co_await l.Read(p.r.get(), &c, 1);
    resumed_with_cancel = !n.ok() && n.error().code() == ErrorCode::kCancelled;
  };
  loop().Spawn(reader());
  loop().AddTimer(1h, {}, 0, [](uint64_t) {});
  loop_.reset();  // never Run: the destructor stops it
  EXPECT_TRUE(resumed_with_cancel);
}

TEST_P(LoopTest, CloseCancelsOperationsOnTheFd) {
  Pipe p;
  auto reader = [&]() -> Task<void> {
    char c;
    Result<size_t> n = co_await loop().Read(p.r.get(), &c, 1);
    EXPECT_FALSE(n.ok());
    if (!n.ok()) {
      EXPECT_EQ(n.error().code(), ErrorCode::kCancelled);
    }
  };
  loop().Spawn(reader());
  loop().AddTimer(5ms, {}, 0, [&](uint64_t) { loop().Close(p.r); });
  ASSERT_TRUE(loop().Run().ok());
  EXPECT_FALSE(p.r.valid());
}

TEST_P(LoopTest, RunUntilDoneAfterStopIsCancelled) {
  auto task = [&]() -> Task<int> {
    loop().Stop();
    Status s = co_await loop().Sleep(1s);
    co_return s.ok() ? 1 : 2;
  };
  Result<int> r = loop().RunUntilDone(task());
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(*r, 2);
}

// A loop may be set up in one thread and run in another (the frontend's
// shards are). More operations than the io_uring submission queue holds
// (512) are started before the first Run, and some are cancelled then.
TEST_P(LoopTest, OperationsStartedBeforeRunInAnotherThread) {
  Pipe answered, cancelled;
  char sink[2000];
  size_t bytes = 0, cancellations = 0, errors = 0;
  auto read_one = [&](int fd, char* c) {
    loop().AsyncRead(fd, c, 1, 0, [&](Result<size_t> n) {
      if (n.ok()) {
        bytes += *n;
      } else if (n.error().code() == ErrorCode::kCancelled) {
        ++cancellations;
      } else {
        ++errors;
      }
    });
  };
  for (int i = 0; i < 450; ++i) read_one(answered.r.get(), &sink[i]);
  for (int i = 0; i < 100; ++i) read_one(cancelled.r.get(), &sink[1000 + i]);
  for (int i = 450; i < 1000; ++i) read_one(answered.r.get(), &sink[i]);
  loop().Cancel(cancelled.r.get());
  const std::string data(1000, 'x');
  ASSERT_EQ(write(answered.w.get(), data.data(), data.size()), 1000);
  Status status;
  std::thread runner([&] { status = loop().Run(); });
  runner.join();
  ASSERT_TRUE(status.ok()) << status.error().ToString();
  EXPECT_EQ(bytes, 1000u);
  EXPECT_EQ(cancellations, 100u);
  EXPECT_EQ(errors, 0u);
}

// Busy polling changes when the loop sleeps, not what it delivers: I/O
// and timers arrive as without it, and an idle loop still returns.
TEST_P(LoopTest, BusyPollingDeliversIoAndTimers) {
  LoopOptions options;
  options.backend = GetParam();
  options.busy_poll = 2ms;
  auto created = Loop::Create(options);
  ASSERT_TRUE(created.ok()) << created.error().ToString();
  Loop& l = **created;
  Pipe p;
  std::string got;
  auto reader = [&]() -> Task<void> {
    for (;;) {
      char buf[16];
      Result<size_t> n = co_await l.Read(p.r.get(), buf, sizeof(buf));
      if (!n.ok() || *n == 0) co_return;
      got.append(buf, *n);
    }
  };
  l.Spawn(reader());
  std::vector<int> ticks;
  const auto start = Loop::Clock::now();
  l.AddTimer(1ms, {}, 0, [&](uint64_t) {
    ticks.push_back(1);
    ASSERT_EQ(write(p.w.get(), "abc", 3), 3);
  });
  l.AddTimer(10ms, {}, 0, [&](uint64_t) {
    ticks.push_back(10);
    p.w.Reset();  // end of file: the reader finishes
  });
  ASSERT_TRUE(l.Run().ok());
  EXPECT_EQ(got, "abc");
  EXPECT_EQ(ticks, (std::vector<int>{1, 10}));
  const auto took = Loop::Clock::now() - start;
  EXPECT_GE(took, 10ms);
  EXPECT_LT(took, 1s);
}

TEST(LoopOptionsTest, BusyPollAboveOneSecondIsRefused) {
  LoopOptions options;
  options.busy_poll = 2s;
  auto created = Loop::Create(options);
  ASSERT_FALSE(created.ok());
  EXPECT_EQ(created.error().code(), ErrorCode::kInvalidArgument);
}

AEM_INSTANTIATE_ON_BACKENDS(LoopTest);

TEST(LoopBackendSelection, EnvironmentForcesEpoll) {
  setenv("AEM_BACKEND", "epoll", 1);
  auto loop = Loop::Create();
  unsetenv("AEM_BACKEND");
  ASSERT_TRUE(loop.ok());
  EXPECT_EQ((*loop)->backend(), BackendKind::kEpoll);
}

TEST(LoopBackendSelection, OptionWinsOverEnvironment) {
  setenv("AEM_BACKEND", "uring", 1);
  LoopOptions options;
  options.backend = BackendKind::kEpoll;
  auto loop = Loop::Create(options);
  unsetenv("AEM_BACKEND");
  ASSERT_TRUE(loop.ok());
  EXPECT_EQ((*loop)->backend(), BackendKind::kEpoll);
}

TEST(LoopBackendSelection, UnknownBackendNameIsAnError) {
  setenv("AEM_BACKEND", "kqueue", 1);
  auto loop = Loop::Create();
  unsetenv("AEM_BACKEND");
  ASSERT_FALSE(loop.ok());
  EXPECT_EQ(loop.error().code(), ErrorCode::kInvalidArgument);
}

TEST(LoopBackendSelection, AutoPrefersUring) {
  auto loop = Loop::Create();
  ASSERT_TRUE(loop.ok());
  if ((*loop)->backend() == BackendKind::kEpoll) {
    EXPECT_FALSE((*loop)->fallback_reason().empty());
    GTEST_SKIP() << "io_uring unavailable: " << (*loop)->fallback_reason();
  }
  EXPECT_EQ((*loop)->backend(), BackendKind::kUring);
  EXPECT_TRUE((*loop)->fallback_reason().empty());
}

}  // namespace
}  // namespace aem
