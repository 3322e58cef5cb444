// Signals through signalfd, on both backends.
#include <gtest/gtest.h>
#include <pthread.h>
#include <signal.h>
#include <unistd.h>

#include <vector>

#include "aem/runtime/signals.h"
#include "aem/tests/backend_test_util.h"

namespace aem {
namespace {

using namespace std::chrono_literals;
using testing::BackendTest;

bool Blocked(int signo) {
  sigset_t cur;
  pthread_sigmask(SIG_BLOCK, nullptr, &cur);
  return sigismember(&cur, signo) == 1;
}

class SignalTest : public BackendTest {};

TEST_P(SignalTest, NextDeliversTheSignalWithItsSender) {
  auto set = SignalSet::Create(loop(), {SIGUSR1});
  ASSERT_TRUE(set.ok()) << set.error().ToString();
  auto task = [&]() -> Task<Result<SignalInfo>> { co_return co_await (*set)->Next(); };
  loop().AddTimer(5ms, {}, 0, [](uint64_t) { kill(getpid(), SIGUSR1); });
  Result<Result<SignalInfo>> got = loop().RunUntilDone(task());
  ASSERT_TRUE(got.ok() && got->ok());
  EXPECT_EQ((*got)->signo, SIGUSR1);
  EXPECT_EQ((*got)->pid, getpid());
  EXPECT_EQ((*got)->uid, getuid());
}

TEST_P(SignalTest, CallbackSeesEverySignalOfTheSet) {
  auto set = SignalSet::Create(loop(), {SIGUSR1, SIGUSR2});
  ASSERT_TRUE(set.ok());
  std::vector<int> seen;
  (*set)->OnSignal(0, [&](const SignalInfo& si) {
    seen.push_back(si.signo);
    if (seen.size() == 2) loop().Stop();
  });
  loop().AddTimer(2ms, {}, 0, [](uint64_t) { kill(getpid(), SIGUSR1); });
  loop().AddTimer(4ms, {}, 0, [](uint64_t) { kill(getpid(), SIGUSR2); });
  ASSERT_TRUE(loop().Run().ok());
  EXPECT_EQ(seen, (std::vector<int>{SIGUSR1, SIGUSR2}));
}

TEST_P(SignalTest, MaskIsRestoredAndPendingSignalsConsumed) {
  ASSERT_FALSE(Blocked(SIGUSR2));
  {
    auto set = SignalSet::Create(loop(), {SIGUSR2});
    ASSERT_TRUE(set.ok());
    EXPECT_TRUE(Blocked(SIGUSR2));
    kill(getpid(), SIGUSR2);  // pending when the set goes: consumed, not delivered
  }
  EXPECT_FALSE(Blocked(SIGUSR2));
  sigset_t pending;
  sigpending(&pending);
  EXPECT_FALSE(sigismember(&pending, SIGUSR2));
}

TEST_P(SignalTest, StopCancelsAWaitingTask) {
  auto set = SignalSet::Create(loop(), {SIGUSR1});
  ASSERT_TRUE(set.ok());
  ErrorCode code = ErrorCode::kIo;
  auto task = [&]() -> Task<void> {
    Result<SignalInfo> r = co_await (*set)->Next();
    EXPECT_FALSE(r.ok());
    if (!r.ok()) code = r.error().code();
  };
  loop().Spawn(task());
  loop().AddTimer(5ms, {}, 0, [&](uint64_t) { loop().Stop(); });
  ASSERT_TRUE(loop().Run().ok());
  EXPECT_EQ(code, ErrorCode::kCancelled);
}

TEST_P(SignalTest, UncatchableSignalsAreRefused) {
  auto set = SignalSet::Create(loop(), {SIGKILL});
  ASSERT_FALSE(set.ok());
  EXPECT_EQ(set.error().code(), ErrorCode::kInvalidArgument);
}

AEM_INSTANTIATE_ON_BACKENDS(SignalTest);

}  // namespace
}  // namespace aem
