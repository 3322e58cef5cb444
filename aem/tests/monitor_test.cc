// digsig-monitor: its JSON lines and alarm, and the binary replaying a
// recorded event stream.
#include "aem/examples/monitor.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "aem/tests/event_builder.h"

namespace aem {
namespace {

using monitor::Alarm;
using monitor::JsonLine;
using testing::Proc;

constexpr uint64_t kSecond = 1000000000ull;

TEST(MonitorJson, Verdict) {
  Event ev = testing::Verdict(7, Proc(321, "evil", 1000, 300), AEM_VERDICT_UNKNOWN_SIGNER, true,
                              "/tmp/evil", 5 * kSecond);
  ev.cpu = 1;
  EXPECT_EQ(JsonLine(ev),
            R"({"type":"verdict","seq":7,"time_ns":5000000000,"cpu":1,"pid":321,"tid":321,)"
            R"("ppid":300,"uid":1000,"comm":"evil","path":"/tmp/evil","reason":"unknown-signer",)"
            R"("refused":true,"interp":false})");
}

TEST(MonitorJson, ProcessEvents) {
  EXPECT_EQ(JsonLine(testing::Exec(1, Proc(5, "sh"), "/bin/ls")),
            R"({"type":"exec","seq":1,"time_ns":1000,"cpu":0,"pid":5,"tid":5,"ppid":1,"uid":0,)"
            R"("comm":"sh","path":"/bin/ls"})");
  EXPECT_EQ(JsonLine(testing::Exit(2, Proc(5, "sh"), 3 << 8)),
            R"({"type":"exit","seq":2,"time_ns":2000,"cpu":0,"pid":5,"tid":5,"ppid":1,"uid":0,)"
            R"("comm":"sh","exit_code":768,"status":"exited with status 3"})");
  EXPECT_NE(JsonLine(testing::Exit(3, Proc(5, "sh"), 9))
                .find(R"j("status":"killed by signal 9 (SIGKILL)")j"),
            std::string::npos);
  EXPECT_EQ(JsonLine(testing::Fork(4, Proc(1, "init"), Proc(6, "init", 0, 1))),
            R"({"type":"fork","seq":4,"time_ns":4000,"cpu":0,)"
            R"("parent":{"pid":1,"tid":1,"ppid":1,"uid":0,"comm":"init"},)"
            R"("child":{"pid":6,"tid":6,"ppid":1,"uid":0,"comm":"init"}})");
  EXPECT_EQ(JsonLine(testing::Lost(5, 42)),
            R"({"type":"lost","seq":5,"time_ns":5000,"cpu":0,"count":42})");
}

TEST(MonitorJson, StringsAreEscaped) {
  const std::string line = JsonLine(
      testing::Exec(1, Proc(5, "a\"b\\c\td"), std::string("/tmp/\x01x\xff\xc3\xa9y\n", 12)));
  EXPECT_NE(line.find(R"("comm":"a\"b\\c\td")"), std::string::npos) << line;
  EXPECT_NE(line.find("\"path\":\"/tmp/\\u0001x\\u00ff\xc3\xa9y\\n\""), std::string::npos) << line;
}

TEST(MonitorJson, UserDataAsTextOrHex) {
  EXPECT_NE(JsonLine(testing::User(1, Proc(1, "p"), "ops", "disk full"))
                .find(R"("channel":"ops","data":"disk full")"),
            std::string::npos);
  EXPECT_NE(JsonLine(testing::User(1, Proc(1, "p"), "ops", std::string("\x00\x01\xfe", 3)))
                .find(R"("data_hex":"0001fe")"),
            std::string::npos);
}

TEST(MonitorJson, TruncatedAndUnknown) {
  Event ev = testing::Exec(1, Proc(1, "p"), "/cut");
  ev.flags = AEM_FLAG_TRUNCATED;
  EXPECT_NE(JsonLine(ev).find(R"("truncated":true)"), std::string::npos);
  Event unknown;
  unknown.type = 77;
  unknown.body = UnknownEvent{"\x01\x02"};
  EXPECT_NE(JsonLine(unknown).find(R"("type":"unknown")"), std::string::npos);
  EXPECT_NE(JsonLine(unknown).find(R"("type_id":77,"payload_hex":"0102")"), std::string::npos);
}

Event Refusal(uint64_t t_ns) {
  return testing::Verdict(1, Proc(9, "x", 1000), AEM_VERDICT_UNSIGNED, true, "/tmp/x", t_ns);
}

std::optional<std::string> Feed(Alarm& alarm, uint64_t t_ns) {
  Event ev = Refusal(t_ns);
  return alarm.Refusal(ev, *ev.get<VerdictEvent>());
}

TEST(MonitorAlarm, FiresAboveTheThresholdAndIsRateLimited) {
  Alarm alarm(3, 10 * kSecond);
  for (uint64_t t : {uint64_t{0}, kSecond / 10, 2 * kSecond / 10}) EXPECT_FALSE(Feed(alarm, t));
  auto first = Feed(alarm, 3 * kSecond / 10);  // the 4th within one second
  ASSERT_TRUE(first);
  EXPECT_EQ(*first,
            "digsig-monitor: ALARM: 4 refusals in the last second (threshold 3); latest: /tmp/x "
            "(unsigned) pid 9 uid 1000 comm x");
  for (int i = 0; i < 5; ++i) EXPECT_FALSE(Feed(alarm, 4 * kSecond / 10 + i));  // held back
  // A slow trickle never alarms: at most 1 refusal per second.
  for (uint64_t s = 3; s < 9; ++s) EXPECT_FALSE(Feed(alarm, s * kSecond));
  // Ten seconds after the first alarm, a burst alarms again, with the count held back.
  for (int i = 0; i < 3; ++i) EXPECT_FALSE(Feed(alarm, 11 * kSecond + i)) << i;
  auto second = Feed(alarm, 11 * kSecond + 3);
  ASSERT_TRUE(second);
  EXPECT_NE(second->find("; 5 refusals over the threshold since the last alarm"), std::string::npos)
      << *second;
  EXPECT_EQ(alarm.alarms(), 2u);
}

TEST(MonitorSeqCheck, LostRecordsAccountForTheirEvents) {
  monitor::SeqCheck check;
  EXPECT_FALSE(check.Feed(testing::Exec(1, Proc(1, "a"), "/a")));
  EXPECT_FALSE(check.Feed(testing::Exec(2, Proc(1, "a"), "/a")));
  EXPECT_FALSE(check.Feed(testing::Lost(7, 5)));  // 3..7 dropped and reported
  EXPECT_FALSE(check.Feed(testing::Exit(8, Proc(1, "a"), 0)));
  auto gap = check.Feed(testing::Exit(11, Proc(1, "a"), 0));  // 9 and 10 vanished
  ASSERT_TRUE(gap);
  EXPECT_EQ(*gap, "digsig-monitor: sequence break: seq 11 after 8 (9 expected)");
  EXPECT_EQ(check.unaccounted(), 2u);
}

// --- the binary ----------------------------------------------------------------------

std::string Runfile(const std::string& path) {
  const char* srcdir = std::getenv("TEST_SRCDIR");
  const char* ws = std::getenv("TEST_WORKSPACE");
  return std::string(srcdir ? srcdir : ".") + "/" + (ws ? ws : "digsig") + "/" + path;
}

std::string TempPath(const std::string& name) {
  const char* tmp = std::getenv("TEST_TMPDIR");
  return std::string(tmp ? tmp : "/tmp") + "/" + name;
}

std::string ReadAll(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

int RunMonitor(const std::string& args, std::string* out, std::string* err) {
  const std::string o = TempPath("monitor.out"), e = TempPath("monitor.err");
  const std::string cmd =
      Runfile("aem/examples/digsig-monitor") + " " + args + " >" + o + " 2>" + e;
  const int status = std::system(cmd.c_str());
  *out = ReadAll(o);
  *err = ReadAll(e);
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

TEST(MonitorBinary, ReplaysARecordedStream) {
  std::vector<Event> events;
  uint64_t seq = 1;
  events.push_back(testing::Exec(seq++, Proc(10, "sh"), "/bin/sh"));
  for (int i = 0; i < 15; ++i)  // 15 refusals within 150 ms
    events.push_back(testing::Verdict(seq++, Proc(20 + i, "x"), AEM_VERDICT_UNSIGNED, true,
                                      "/tmp/x" + std::to_string(i), kSecond + i * 10000000ull));
  seq += 3;
  events.push_back(testing::Lost(seq++, 4));  // stands for seq 17..20
  events.push_back(testing::Exit(seq++, Proc(10, "sh"), 0));
  const auto bytes = testing::EncodeAll(events);
  const std::string rec = TempPath("events.rec");
  std::ofstream(rec, std::ios::binary)
      .write(reinterpret_cast<const char*>(bytes.data()),
             static_cast<std::streamsize>(bytes.size()));

  std::string out, err;
  ASSERT_EQ(RunMonitor("--replay " + rec + " --alarm-threshold 10 --stats", &out, &err), 0) << err;
  std::vector<std::string> lines;
  std::istringstream ss(out);
  for (std::string l; std::getline(ss, l);) lines.push_back(l);
  ASSERT_EQ(lines.size(), events.size());
  for (size_t i = 0; i < events.size(); ++i) EXPECT_EQ(lines[i], JsonLine(events[i]));
  // One alarm (the 11th refusal within a second; the rest held back), the
  // loss report, the statistics.
  EXPECT_EQ(err.find("ALARM: 11 refusals in the last second (threshold 10)") == std::string::npos,
            false)
      << err;
  EXPECT_EQ(err.find("ALARM", err.find("ALARM") + 1), std::string::npos) << err;
  EXPECT_NE(err.find("4 events lost"), std::string::npos) << err;
  EXPECT_NE(err.find("18 events, 15 refusals, 4 lost, 0 unaccounted"), std::string::npos) << err;
  EXPECT_EQ(err.find("sequence break"), std::string::npos) << err;
}

TEST(MonitorBinary, WithoutTheModuleItSaysSo) {
  std::string out, err;
  EXPECT_EQ(RunMonitor("--device /nonexistent/aem", &out, &err), 1);
  EXPECT_EQ(err,
            "digsig-monitor: /nonexistent/aem is absent: aem.ko is not loaded (modprobe aem / "
            "insmod aem.ko)\n");
  EXPECT_TRUE(out.empty());
}

TEST(MonitorBinary, UsageErrors) {
  std::string out, err;
  EXPECT_EQ(RunMonitor("--events nonsense", &out, &err), 2);
  EXPECT_NE(err.find("unknown event type: nonsense"), std::string::npos) << err;
  EXPECT_EQ(RunMonitor("--pid", &out, &err), 2);
}

}  // namespace
}  // namespace aem
