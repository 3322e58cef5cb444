// Decoding aem.ko's records: every type, partial records, malformed input.
#include "aem/runtime/events.h"

#include <gtest/gtest.h>

#include <cstring>
#include <vector>

#include "aem/tests/event_builder.h"

namespace aem {
namespace {

using testing::Encode;
using testing::EncodeAll;
using testing::Proc;

std::vector<Event> Sample() {
  return {
      testing::Fork(1, Proc(100, "init"), Proc(101, "sh", 0, 100)),
      testing::Exec(2, Proc(101, "sh", 1000, 100), "/usr/bin/long-program-name-x"),
      testing::Verdict(3, Proc(102, "evil", 1000), AEM_VERDICT_UNSIGNED, true, "/tmp/evil"),
      testing::Lost(4, 17),
      testing::Exit(22, Proc(101, "sh"), 3 << 8),
      testing::User(23, Proc(7, "poster"), "alarms", std::string("bin\0ary", 7)),
  };
}

std::span<const uint8_t> Span(const std::vector<uint8_t>& v) { return {v.data(), v.size()}; }

template <typename T>
void Put(std::vector<uint8_t>& buf, size_t at, T v) {
  std::memcpy(buf.data() + at, &v, sizeof(v));
}

TEST(EventsTest, DecodesEveryRecordType) {
  const auto events = Sample();
  const auto bytes = EncodeAll(events);
  for (size_t i = 0; i < bytes.size(); i += 8) ASSERT_EQ(bytes.size() % 8, 0u);
  std::vector<Event> out;
  auto used = DecodeEvents(Span(bytes), &out);
  ASSERT_TRUE(used.ok()) << used.error().ToString();
  EXPECT_EQ(*used, bytes.size());
  ASSERT_EQ(out.size(), events.size());
  for (size_t i = 0; i < events.size(); ++i) EXPECT_TRUE(out[i] == events[i]) << i;

  const auto* exec = out[1].get<ExecEvent>();
  ASSERT_NE(exec, nullptr);
  EXPECT_EQ(exec->path, "/usr/bin/long-program-name-x");
  EXPECT_EQ(exec->process.uid, 1000u);
  EXPECT_EQ(exec->process.comm, "sh");
  const auto* verdict = out[2].get<VerdictEvent>();
  ASSERT_NE(verdict, nullptr);
  EXPECT_TRUE(verdict->refused);
  EXPECT_STREQ(VerdictReasonName(verdict->reason), "unsigned");
  EXPECT_EQ(out[3].get<LostEvent>()->count, 17u);
  EXPECT_EQ(out[4].get<ExitEvent>()->exit_code, 3 << 8);
  EXPECT_EQ(out[5].get<UserEvent>()->data, std::string("bin\0ary", 7));
  EXPECT_EQ(out[5].get<UserEvent>()->channel, "alarms");
  EXPECT_STREQ(EventTypeName(out[0].type), "fork");
}

TEST(EventsTest, RecordSizesFollowTheAbi) {
  // exec: 64 fixed bytes + path + NUL, rounded up to 8.
  EXPECT_EQ(Encode(testing::Exec(1, Proc(1, "a"), "")).size(), 72u);
  EXPECT_EQ(Encode(testing::Exec(1, Proc(1, "a"), "1234567")).size(), 72u);
  EXPECT_EQ(Encode(testing::Exec(1, Proc(1, "a"), "12345678")).size(), 80u);
  EXPECT_EQ(Encode(testing::Lost(1, 1)).size(), 32u);
  EXPECT_EQ(Encode(testing::User(1, Proc(1, "a"), "c", "")).size(), 96u);
}

TEST(EventsTest, APartialRecordIsLeftForTheNextRead) {
  const auto bytes = EncodeAll(Sample());
  const size_t first = Encode(Sample()[0]).size();
  for (size_t cut : {size_t{0}, size_t{5}, size_t{23}, size_t{24}, first - 8, first + 30}) {
    std::vector<Event> out;
    auto used = DecodeEvents(Span(bytes).first(cut), &out);
    ASSERT_TRUE(used.ok()) << cut;
    EXPECT_EQ(*used, cut < first ? 0u : first) << cut;
    EXPECT_EQ(out.size(), cut < first ? 0u : 1u) << cut;
  }
}

TEST(EventsTest, UnknownTypesAreKept) {
  Event ev;
  ev.type = 42;
  ev.seq = 9;
  ev.body = UnknownEvent{std::string("\1\2\3\4\5\6\7\0", 8)};
  const auto bytes = Encode(ev);
  std::vector<Event> out;
  ASSERT_TRUE(DecodeEvents(Span(bytes), &out).ok());
  ASSERT_EQ(out.size(), 1u);
  EXPECT_TRUE(out[0] == ev);
  EXPECT_STREQ(EventTypeName(42), "unknown");
}

TEST(EventsTest, TruncatedFlagAndLongComm) {
  Event ev = testing::Exec(5, Proc(1, "fifteen-chars-x"), "/cut");
  ev.flags = AEM_FLAG_TRUNCATED;
  auto bytes = Encode(ev);
  // A comm that fills all 16 bytes without a NUL stays bounded.
  std::memset(bytes.data() + offsetof(aem_exec_event, proc.comm), 'c', AEM_COMM_LEN);
  std::vector<Event> out;
  ASSERT_TRUE(DecodeEvents(Span(bytes), &out).ok());
  ASSERT_EQ(out.size(), 1u);
  EXPECT_TRUE(out[0].truncated());
  EXPECT_EQ(out[0].get<ExecEvent>()->process.comm, std::string(AEM_COMM_LEN, 'c'));
}

struct BadCase {
  const char* name;
  std::vector<uint8_t> bytes;
};

std::vector<BadCase> BadCases() {
  std::vector<BadCase> cases;
  auto good = Encode(testing::Exec(1, Proc(1, "a"), "/bin/x"));
  auto with = [&](const char* name, auto edit) {
    auto b = good;
    edit(b);
    cases.push_back({name, b});
  };
  with("size zero", [](auto& b) { Put<uint16_t>(b, 0, 0); });
  with("size below the header", [](auto& b) { Put<uint16_t>(b, 0, 16); });
  with("size not a multiple of 8", [](auto& b) { Put<uint16_t>(b, 0, 68); });
  with("path_len beyond the record",
       [](auto& b) { Put<uint16_t>(b, offsetof(aem_exec_event, path_len), 200); });
  with("path_len leaves no NUL",
       [](auto& b) { Put<uint16_t>(b, offsetof(aem_exec_event, path_len), 8); });
  with("path not NUL-terminated", [](auto& b) { b[64 + 6] = 'x'; });
  with("exec record without a path", [](auto& b) {
    Put<uint16_t>(b, 0, 64);
    b.resize(64);
  });
  auto user = Encode(testing::User(1, Proc(1, "a"), "c", "12345678"));
  auto u1 = user;
  Put<uint32_t>(u1, offsetof(aem_user_event, len), 9);
  cases.push_back({"user data beyond the record", u1});
  auto u2 = user;
  Put<uint32_t>(u2, offsetof(aem_user_event, len), AEM_USER_DATA_MAX + 1);
  cases.push_back({"user data above the maximum", u2});
  auto fork = Encode(testing::Fork(1, Proc(1, "a"), Proc(2, "b")));
  Put<uint16_t>(fork, 0, 80);
  fork.resize(80);
  cases.push_back({"fork record too small", fork});
  auto lost = Encode(testing::Lost(1, 1));
  Put<uint16_t>(lost, 0, 24);
  lost.resize(24);
  cases.push_back({"lost record without its count", lost});
  auto verdict = Encode(testing::Verdict(1, Proc(1, "a"), 1, true, "/p"));
  Put<uint16_t>(verdict, offsetof(aem_verdict_event, path_len), 0xffff);
  cases.push_back({"verdict path_len huge", verdict});
  return cases;
}

TEST(EventsTest, MalformedRecordsAreErrorValuesAfterTheGoodOnes) {
  const auto prefix = EncodeAll({testing::Lost(1, 1), testing::Exit(2, Proc(3, "x"), 0)});
  for (const auto& c : BadCases()) {
    std::vector<uint8_t> buf = prefix;
    buf.insert(buf.end(), c.bytes.begin(), c.bytes.end());
    std::vector<Event> out;
    auto used = DecodeEvents(Span(buf), &out);
    ASSERT_FALSE(used.ok()) << c.name;
    EXPECT_EQ(used.error().code(), ErrorCode::kMalformed) << c.name;
    EXPECT_NE(used.error().message().find("offset " + std::to_string(prefix.size())),
              std::string::npos)
        << c.name << ": " << used.error().message();
    EXPECT_EQ(out.size(), 2u) << c.name;
    auto single = DecodeEvent(Span(c.bytes));
    EXPECT_FALSE(single.ok()) << c.name;
  }
}

TEST(EventsTest, SingleRecordMustFillItsBuffer) {
  auto rec = Encode(testing::Lost(1, 5));
  auto ok = DecodeEvent(Span(rec));
  ASSERT_TRUE(ok.ok());
  EXPECT_EQ(ok->get<LostEvent>()->count, 5u);
  rec.resize(rec.size() + 8);
  EXPECT_FALSE(DecodeEvent(Span(rec)).ok());
  EXPECT_FALSE(DecodeEvent(Span(rec).first(10)).ok());
}

}  // namespace
}  // namespace aem
