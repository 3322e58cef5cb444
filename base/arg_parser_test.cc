#include "base/arg_parser.h"

#include <gtest/gtest.h>

namespace digsig::base {
namespace {

ArgParser Parser() {
  ArgParser p;
  p.Value("--output", "-o")
      .Value("--cert")
      .Value("--jobs")
      .Flag("--json")
      .Flag("--recursive", "-r");
  return p;
}

TEST(ArgParser, ValuesFlagsAndPositionals) {
  ArgParser p = Parser();
  ASSERT_TRUE(p.Parse({"a", "-o", "out", "--cert=c1", "--json", "b", "--cert", "c2", "-r"}).ok());
  EXPECT_EQ(p.Get("--output"), "out");
  EXPECT_EQ(p.GetAll("--cert"), (std::vector<std::string>{"c1", "c2"}));
  EXPECT_EQ(p.Get("--cert"), "c2");  // the last one wins for Get
  EXPECT_TRUE(p.Has("--json"));
  EXPECT_TRUE(p.Has("--recursive"));
  EXPECT_FALSE(p.Has("--jobs"));
  EXPECT_EQ(p.Get("--jobs", "4"), "4");
  EXPECT_TRUE(p.GetAll("--jobs").empty());
  EXPECT_EQ(p.positional(), (std::vector<std::string>{"a", "b"}));
}

TEST(ArgParser, DashIsAFileAndDoubleDashEndsOptions) {
  ArgParser p = Parser();
  ASSERT_TRUE(p.Parse({"-", "--", "--json", "-o"}).ok());
  EXPECT_FALSE(p.Has("--json"));
  EXPECT_EQ(p.positional(), (std::vector<std::string>{"-", "--json", "-o"}));
}

TEST(ArgParser, MistakesAreNamed) {
  ArgParser unknown = Parser();
  auto st = unknown.Parse({"--nope"});
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.error(), "unknown option --nope");
  ArgParser missing = Parser();
  st = missing.Parse({"x", "--cert"});
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.error(), "--cert needs a value");
  ArgParser flag = Parser();
  st = flag.Parse({"--json=yes"});
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.error(), "--json takes no value");
  ArgParser short_unknown = Parser();
  EXPECT_FALSE(short_unknown.Parse({"-x"}).ok());
}

TEST(ArgParser, Numbers) {
  ArgParser p = Parser();
  ASSERT_TRUE(p.Parse({"--jobs", "12"}).ok());
  auto jobs = p.GetNumber("--jobs", 1);
  ASSERT_TRUE(jobs.ok());
  EXPECT_EQ(*jobs, 12u);
  auto absent = p.GetNumber("--output", 7);
  ASSERT_TRUE(absent.ok());
  EXPECT_EQ(*absent, 7u);
  for (const char* bad : {"", "-1", "1x", "1234567890", "+3"}) {
    ArgParser q = Parser();
    ASSERT_TRUE(q.Parse({"--jobs", bad}).ok());
    auto n = q.GetNumber("--jobs", 1);
    ASSERT_FALSE(n.ok()) << bad;
    EXPECT_EQ(n.error(), std::string("--jobs needs a number, got '") + bad + "'");
  }
}

}  // namespace
}  // namespace digsig::base
