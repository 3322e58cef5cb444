#include "signer/tools/inputs.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <string>

namespace digsig::cli {
namespace {

class InputsTest : public testing::Test {
 protected:
  void SetUp() override {
    const char* tmp = std::getenv("TEST_TMPDIR");
    dir_ = std::string(tmp ? tmp : "/tmp") + "/inputs_test." + std::to_string(getpid());
    ASSERT_EQ(system(("rm -rf " + dir_ + " && mkdir -p " + dir_).c_str()), 0);
  }
  void TearDown() override { (void)system(("rm -rf " + dir_).c_str()); }

  std::string Path(const std::string& rel) const { return dir_ + "/" + rel; }
  void File(const std::string& rel) { std::ofstream(Path(rel)) << rel; }
  void Dir(const std::string& rel, mode_t mode = 0755) {
    ASSERT_EQ(mkdir(Path(rel).c_str(), mode), 0) << rel;
  }

  std::string dir_;
};

TEST_F(InputsTest, WithoutRecursionPathsAreTakenAsGiven) {
  Dir("d");
  File("d/a");
  auto in = ExpandInputs({Path("d"), Path("d/a")}, false);
  ASSERT_TRUE(in.ok());
  ASSERT_EQ(in->size(), 2u);
  EXPECT_EQ((*in)[0].path, Path("d"));  // signing it fails later: not a regular file
  EXPECT_EQ((*in)[0].relative, "d");
  EXPECT_EQ((*in)[1].relative, "a");
  EXPECT_FALSE((*in)[1].not_regular);
}

TEST_F(InputsTest, RecursionListsEveryEntryInNameOrderWithoutFollowingSymlinks) {
  Dir("t");
  Dir("t/usr");
  Dir("t/usr/bin");
  Dir("t/etc");
  File("t/usr/bin/b");
  File("t/usr/bin/a");
  File("t/etc/conf");
  Dir("elsewhere");
  File("elsewhere/hidden");
  ASSERT_EQ(symlink("a", Path("t/usr/bin/link").c_str()), 0);
  ASSERT_EQ(symlink("../elsewhere", Path("t/usr/dirlink").c_str()), 0);
  ASSERT_EQ(mkfifo(Path("t/fifo").c_str(), 0644), 0);
  File("top");
  auto in = ExpandInputs({Path("t"), Path("top")}, true);
  ASSERT_TRUE(in.ok()) << in.error().message();
  std::vector<std::string> names;
  for (const Input& i : *in) names.push_back(i.relative + (i.not_regular ? " (not regular)" : ""));
  EXPECT_EQ(names, (std::vector<std::string>{"etc/conf", "fifo (not regular)", "usr/bin/a",
                                             "usr/bin/b", "usr/bin/link (not regular)",
                                             "usr/dirlink (not regular)", "top"}));
  EXPECT_EQ((*in)[2].path, Path("t/usr/bin/a"));
}

TEST_F(InputsTest, ACommandLineSymlinkToADirectoryIsWalked) {
  Dir("real");
  File("real/x");
  ASSERT_EQ(symlink("real", Path("alias").c_str()), 0);
  auto in = ExpandInputs({Path("alias")}, true);
  ASSERT_TRUE(in.ok());
  ASSERT_EQ(in->size(), 1u);
  EXPECT_EQ((*in)[0].relative, "x");
  EXPECT_EQ((*in)[0].path, Path("alias/x"));
}

TEST_F(InputsTest, AnUnreadableDirectoryIsAnError) {
  if (geteuid() == 0) GTEST_SKIP() << "root reads every directory";
  Dir("closed", 0);
  auto in = ExpandInputs({Path("closed")}, true);
  EXPECT_FALSE(in.ok());
}

TEST(OutputPaths, ExactlyOneDestination) {
  const std::vector<Input> two = {{"a/x", "x", false}, {"b/y", "y", false}};
  EXPECT_FALSE(OutputPaths({}, two).ok());
  EXPECT_FALSE(OutputPaths({"o", "d", false}, two).ok());
  EXPECT_FALSE(OutputPaths({"o", "", false}, two).ok());  // -o takes one input
  auto in_place = OutputPaths({"", "", true}, two);
  ASSERT_TRUE(in_place.ok());
  EXPECT_EQ(*in_place, (std::vector<std::string>{"a/x", "b/y"}));
  auto one = OutputPaths({"o", "", false}, {two[0]});
  ASSERT_TRUE(one.ok());
  EXPECT_EQ(*one, std::vector<std::string>{"o"});
}

TEST(OutputPaths, OutDirMirrorsRelativeNamesAndRefusesCollisions) {
  auto mirror =
      OutputPaths({"", "OUT", false}, {{"t/usr/bin/a", "usr/bin/a", false}, {"x", "x", false}});
  ASSERT_TRUE(mirror.ok());
  EXPECT_EQ(*mirror, (std::vector<std::string>{"OUT/usr/bin/a", "OUT/x"}));
  auto clash = OutputPaths({"", "OUT", false}, {{"a/x", "x", false}, {"b/x", "x", false}});
  ASSERT_FALSE(clash.ok());
  EXPECT_EQ(clash.error().code(), ErrorCode::kInvalidArgument);
  EXPECT_NE(clash.error().message().find("two inputs named x"), std::string::npos);
}

TEST_F(InputsTest, OutputDirectoriesMirrorTheTreeAndItsModes) {
  Dir("t");
  Dir("t/usr", 0750);
  Dir("t/usr/lib", 0700);
  File("t/usr/lib/l");
  Dir("t/empty-parent");
  Dir("t/empty-parent/only-fifo");
  ASSERT_EQ(mkfifo(Path("t/empty-parent/only-fifo/p").c_str(), 0644), 0);
  Dir("OUT");
  auto in = ExpandInputs({Path("t")}, true);
  ASSERT_TRUE(in.ok());
  ASSERT_TRUE(MakeOutputDirectories(Path("OUT"), *in).ok());
  struct stat st;
  ASSERT_EQ(stat(Path("OUT/usr/lib").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 07777, 0700u);
  ASSERT_EQ(stat(Path("OUT/usr").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 07777, 0750u);
  // Nothing to write there, so no directory for the FIFO.
  EXPECT_NE(stat(Path("OUT/empty-parent").c_str(), &st), 0);
  // Again: the directories exist, which is fine.
  EXPECT_TRUE(MakeOutputDirectories(Path("OUT"), *in).ok());
}

}  // namespace
}  // namespace digsig::cli
