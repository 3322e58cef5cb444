// Child processes through pidfd, on both backends.
#include "aem/runtime/process.h"

#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include <string>
#include <vector>

#include "aem/tests/backend_test_util.h"

namespace aem {
namespace {

using namespace std::chrono_literals;
using testing::BackendTest;

bool ProcessExists(pid_t pid) { return kill(pid, 0) == 0 || errno != ESRCH; }

class ProcessTest : public BackendTest {};

TEST_P(ProcessTest, ExitCodeArrivesThroughThePidfd) {
  auto child = Spawn({"sh", "-c", "exit 7"});
  ASSERT_TRUE(child.ok()) << child.error().ToString();
  Result<Result<ExitStatus>> st = loop().RunUntilDone(child->Wait(loop()));
  ASSERT_TRUE(st.ok() && st->ok());
  EXPECT_TRUE((*st)->exited);
  EXPECT_EQ((*st)->code, 7);
  EXPECT_EQ((*st)->ToString(), "exited with status 7");
  EXPECT_TRUE(child->reaped());
  EXPECT_FALSE(ProcessExists(child->pid()));
}

TEST_P(ProcessTest, DeathBySignal) {
  auto child = Spawn({"sleep", "30"});
  ASSERT_TRUE(child.ok());
  loop().AddTimer(5ms, {}, 0, [&](uint64_t) { EXPECT_TRUE(child->Kill(SIGTERM).ok()); });
  Result<Result<ExitStatus>> st = loop().RunUntilDone(child->Wait(loop()));
  ASSERT_TRUE(st.ok() && st->ok());
  EXPECT_FALSE((*st)->exited);
  EXPECT_EQ((*st)->signal, SIGTERM);
  EXPECT_EQ((*st)->ToString(), "killed by signal 15 (SIGTERM)");
}

TEST_P(ProcessTest, ManyChildrenAtOnce) {
  std::vector<Child> children;
  for (int i = 0; i < 20; ++i) {
    auto c = Spawn({"sh", "-c", "exit " + std::to_string(i)});
    ASSERT_TRUE(c.ok());
    children.push_back(std::move(*c));
  }
  std::vector<int> codes(children.size(), -1);
  auto wait = [&](size_t i) -> Task<void> {
    Result<ExitStatus> st = co_await children[i].Wait(loop());
    if (st.ok()) codes[i] = st->code;
  };
  for (size_t i = 0; i < children.size(); ++i) loop().Spawn(wait(i));
  ASSERT_TRUE(loop().Run().ok());
  for (size_t i = 0; i < codes.size(); ++i) EXPECT_EQ(codes[i], static_cast<int>(i));
}

TEST_P(ProcessTest, AdoptsAForkedChild) {
  const pid_t pid = fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) _exit(3);
  auto child = Child::Adopt(pid);
  ASSERT_TRUE(child.ok());
  Result<Result<ExitStatus>> st = loop().RunUntilDone(child->Wait(loop()));
  ASSERT_TRUE(st.ok() && st->ok());
  EXPECT_EQ((*st)->code, 3);
}

TEST_P(ProcessTest, AnUnreapedChildDiesWithItsOwner) {
  pid_t pid;
  {
    auto child = Spawn({"sleep", "30"});
    ASSERT_TRUE(child.ok());
    pid = child->pid();
    EXPECT_TRUE(ProcessExists(pid));
  }
  EXPECT_FALSE(ProcessExists(pid));  // killed and reaped, not a zombie
}

TEST_P(ProcessTest, StopCancelsTheWait) {
  auto child = Spawn({"sleep", "30"});
  ASSERT_TRUE(child.ok());
  ErrorCode code = ErrorCode::kIo;
  auto task = [&]() -> Task<void> {
    Result<ExitStatus> st = co_await child->Wait(loop());
    if (!st.ok()) code = st.error().code();
  };
  loop().Spawn(task());
  loop().AddTimer(5ms, {}, 0, [&](uint64_t) { loop().Stop(); });
  ASSERT_TRUE(loop().Run().ok());
  EXPECT_EQ(code, ErrorCode::kCancelled);
  EXPECT_FALSE(child->reaped());
}

TEST_P(ProcessTest, MissingProgramIsAnErrorValue) {
  auto child = Spawn({"/nonexistent/program"});
  ASSERT_FALSE(child.ok());
  EXPECT_EQ(child.error().sys_errno(), ENOENT);
}

AEM_INSTANTIATE_ON_BACKENDS(ProcessTest);

}  // namespace
}  // namespace aem
