#include "signer/lib/file_io.h"

#include <dirent.h>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <string_view>

#include "signer/lib/temp_file.h"

namespace digsig {
namespace {

std::string TmpDir(const std::string& name) {
  std::string d =
      std::string(std::getenv("TEST_TMPDIR") ? std::getenv("TEST_TMPDIR") : "/tmp") + "/" + name;
  mkdir(d.c_str(), 0755);
  return d;
}

// Hidden names included: a temporary file left behind must count.
size_t CountEntries(const std::string& dir) {
  size_t n = 0;
  DIR* d = opendir(dir.c_str());
  while (dirent* e = readdir(d))
    n += std::string_view(e->d_name) != "." && std::string_view(e->d_name) != "..";
  closedir(d);
  return n;
}

TEST(FileIo, AtomicWriteKeepsModeAndXattrs) {
  std::string dir = TmpDir("atomic");
  std::string path = dir + "/f";
  { std::ofstream(path) << "old"; }
  chmod(path.c_str(), 04755);
  bool xattrs = setxattr(path.c_str(), "user.digsig-test", "v", 1, 0) == 0;
  setxattr(path.c_str(), "security.ima", "\x03", 1, 0);  // may fail unprivileged
  struct stat st;
  ASSERT_EQ(stat(path.c_str(), &st), 0);
  const uint8_t data[] = {'n', 'e', 'w'};
  ASSERT_TRUE(WriteFileAtomically(path, {ByteSpan(data, 3)}, {&st, true, path}).ok());
  struct stat after;
  ASSERT_EQ(stat(path.c_str(), &after), 0);
  EXPECT_EQ(after.st_mode & 07777, 04755u);
  EXPECT_EQ(after.st_size, 3);
  if (xattrs) {
    char v[8];
    EXPECT_EQ(getxattr(path.c_str(), "user.digsig-test", v, sizeof(v)), 1);
    // security.ima describes the old content and must not survive.
    EXPECT_LT(getxattr(path.c_str(), "security.ima", v, sizeof(v)), 0);
  }
  EXPECT_EQ(CountEntries(dir), 1u);  // no temporary file left
}

TEST(FileIo, FailedWriteLeavesNothing) {
  std::string dir = TmpDir("fail");
  std::string path = dir + "/missing-dir/out";
  const uint8_t data[] = {1};
  EXPECT_FALSE(WriteFileAtomically(path, {ByteSpan(data, 1)}, {}).ok());
  EXPECT_EQ(CountEntries(dir), 0u);
  // Target is a directory: rename fails, the temporary file is removed.
  std::string target = dir + "/adir";
  mkdir(target.c_str(), 0755);
  mkdir((target + "/x").c_str(), 0755);
  EXPECT_FALSE(WriteFileAtomically(target, {ByteSpan(data, 1)}, {}).ok());
  EXPECT_EQ(CountEntries(dir), 1u);
}

TEST(FileIo, MapsEmptyAndRefusesDirectories) {
  std::string dir = TmpDir("map");
  { std::ofstream(dir + "/empty"); }
  auto m = MappedFile::Open(dir + "/empty");
  ASSERT_TRUE(m.ok());
  EXPECT_TRUE(m->bytes().empty());
  EXPECT_FALSE(MappedFile::Open(dir).ok());
  EXPECT_EQ(MappedFile::Open(dir + "/nope").error().code(), ErrorCode::kIo);
}

// The fallback, forced: hidden names, the same result, nothing left.
TEST(FileIo, NamedFallbackWritesAndLeavesNothing) {
  std::string dir = TmpDir("named");
  std::string path = dir + "/f";
  { std::ofstream(path) << "old"; }
  chmod(path.c_str(), 0750);
  struct stat st;
  ASSERT_EQ(stat(path.c_str(), &st), 0);
  setenv("DIGSIG_TEMP_FILES", "named", 1);
  size_t during = 0;
  Status written = WriteFileAtomically(path, {&st, true, path}, [&](OutputFile& out) {
    during = CountEntries(dir);
    const uint8_t data[] = {'n', 'e', 'w', '!'};
    return out.Write(ByteSpan(data, 4));
  });
  unsetenv("DIGSIG_TEMP_FILES");
  ASSERT_TRUE(written.ok()) << written.error().message();
  EXPECT_EQ(during, 2u);  // f and its hidden temporary file
  struct stat after;
  ASSERT_EQ(stat(path.c_str(), &after), 0);
  EXPECT_EQ(after.st_mode & 07777, 0750u);
  EXPECT_EQ(after.st_size, 4);
  EXPECT_EQ(CountEntries(dir), 1u);
}

// Unnamed temporary files: the directory shows nothing until the output is
// complete, for a new target and for one replaced.
TEST(FileIo, UnnamedTemporaryIsInvisibleUntilComplete) {
  std::string dir = TmpDir("unnamed");
  auto probe = TempFile::Create(dir + "/probe", TempFileKind::kAuto);
  ASSERT_TRUE(probe.ok());
  if (probe->named()) GTEST_SKIP() << "this file system has no O_TMPFILE";
  for (const char* name : {"new", "new"}) {  // created, then replaced
    const std::string path = dir + "/" + name;
    const size_t before = CountEntries(dir);
    size_t during = 0;
    Status written = WriteFileAtomically(path, {}, [&](OutputFile& out) {
      during = CountEntries(dir);
      const uint8_t data[] = {1, 2, 3};
      return out.Write(ByteSpan(data, 3));
    });
    ASSERT_TRUE(written.ok()) << written.error().message();
    EXPECT_EQ(during, before);
    EXPECT_EQ(CountEntries(dir), 1u);
  }
}

// Leaves, in a child killed with SIGKILL, a half-written hidden file for
// `target` (no destructor runs).
void KilledWhileWriting(const std::string& target) {
  const pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    auto tmp = TempFile::Create(target, TempFileKind::kNamed);
    if (tmp.ok() && write(tmp->fd(), "partial", 7) == 7) kill(getpid(), SIGKILL);
    _exit(1);
  }
  int status = 0;
  ASSERT_EQ(waitpid(child, &status, 0), child);
  ASSERT_TRUE(WIFSIGNALED(status));
  struct stat st;
  ASSERT_EQ(stat(HiddenTempPath(target).c_str(), &st), 0);
}

// What a SIGKILL leaves with the fallback is removed by the next write of
// the same target, either way of writing.
TEST(FileIo, DeadRunsHiddenFileIsRemoved) {
  std::string dir = TmpDir("stale");
  const uint8_t data[] = {'o', 'k'};
  for (const char* kind : {"named", "auto"}) {
    const size_t before = CountEntries(dir);  // the target, from the second round
    KilledWhileWriting(dir + "/victim");
    ASSERT_EQ(CountEntries(dir), before + 1);
    setenv("DIGSIG_TEMP_FILES", kind, 1);
    Status written = WriteFileAtomically(dir + "/victim", {ByteSpan(data, 2)}, {});
    unsetenv("DIGSIG_TEMP_FILES");
    ASSERT_TRUE(written.ok()) << kind << ": " << written.error().message();
    EXPECT_EQ(CountEntries(dir), 1u) << kind;  // victim alone
  }
}

// A live run's hidden file is never taken for a dead one's: writing the
// same target meanwhile fails and leaves it; anything else in the way of
// the hidden name (not a regular file) stays too.
TEST(FileIo, LiveRunsHiddenFileStays) {
  std::string dir = TmpDir("live");
  const std::string target = dir + "/busy";
  const uint8_t data[] = {'o', 'k'};
  auto live = TempFile::Create(target, TempFileKind::kNamed);
  ASSERT_TRUE(live.ok());
  setenv("DIGSIG_TEMP_FILES", "named", 1);
  Status written = WriteFileAtomically(target, {ByteSpan(data, 2)}, {});
  unsetenv("DIGSIG_TEMP_FILES");
  ASSERT_FALSE(written.ok());
  EXPECT_NE(written.error().message().find("another run"), std::string::npos);
  EXPECT_EQ(CountEntries(dir), 1u);  // the live one's file, untouched
  ASSERT_TRUE(live->Commit().ok());
  EXPECT_EQ(CountEntries(dir), 1u);  // now the target

  const std::string odd = dir + "/odd";
  ASSERT_EQ(mkdir(HiddenTempPath(odd).c_str(), 0755), 0);
  setenv("DIGSIG_TEMP_FILES", "named", 1);
  written = WriteFileAtomically(odd, {ByteSpan(data, 2)}, {});
  unsetenv("DIGSIG_TEMP_FILES");
  EXPECT_FALSE(written.ok());
  struct stat st;
  EXPECT_EQ(stat(HiddenTempPath(odd).c_str(), &st), 0);
}

// Hidden names stay within NAME_MAX however long the target's name.
TEST(FileIo, HiddenNameOfLongTargetFits) {
  std::string dir = TmpDir("long");
  const std::string target = dir + "/" + std::string(255, 'n');
  const std::string hidden = HiddenTempPath(target);
  EXPECT_LE(hidden.size() - hidden.rfind('/') - 1, 255u);
  const uint8_t data[] = {'o', 'k'};
  setenv("DIGSIG_TEMP_FILES", "named", 1);
  Status written = WriteFileAtomically(target, {ByteSpan(data, 2)}, {});
  unsetenv("DIGSIG_TEMP_FILES");
  EXPECT_TRUE(written.ok()) << written.error().message();
  EXPECT_EQ(CountEntries(dir), 1u);
}

}  // namespace
}  // namespace digsig
