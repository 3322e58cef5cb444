#include "signer/lib/file_io.h"

#include <dirent.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <sys/xattr.h>

#include <cstdlib>
#include <fstream>

namespace digsig {
namespace {

std::string TmpDir(const std::string& name) {
  std::string d =
      std::string(std::getenv("TEST_TMPDIR") ? std::getenv("TEST_TMPDIR") : "/tmp") + "/" + name;
  mkdir(d.c_str(), 0755);
  return d;
}

size_t CountEntries(const std::string& dir) {
  size_t n = 0;
  DIR* d = opendir(dir.c_str());
  while (dirent* e = readdir(d)) n += e->d_name[0] != '.';
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

}  // namespace
}  // namespace digsig
