// AemChannel on both backends, fed the way /dev/aem feeds it (one read, one
// batch of whole records: a SOCK_SEQPACKET socket) or as a byte stream (a
// pipe); and what it says without aem.ko.
#include "aem/runtime/channel.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <vector>

#include "aem/tests/backend_test_util.h"
#include "aem/tests/event_builder.h"

namespace aem {
namespace {

using namespace std::chrono_literals;
using testing::BackendTest;
using testing::EncodeAll;
using testing::Proc;

class ChannelTest : public BackendTest {};

// Reads events until the channel ends; the error that ended it last.
Task<std::pair<std::vector<Event>, Error>> Drain(AemChannel& ch) {
  std::vector<Event> got;
  for (;;) {
    Result<Event> ev = co_await ch.Next();
    if (!ev.ok()) co_return std::make_pair(std::move(got), ev.error());
    got.push_back(std::move(*ev));
  }
}

TEST_P(ChannelTest, DeliversBatchesInOrder) {
  int sv[2];
  ASSERT_EQ(socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv), 0);
  Fd writer(sv[1]);
  auto ch = AemChannel::FromFd(loop(), Fd(sv[0]), /*stream=*/false);
  const std::vector<Event> batch1 = {testing::Exec(1, Proc(10, "a"), "/bin/a"),
                                     testing::Exit(2, Proc(10, "a"), 0)};
  const std::vector<Event> batch2 = {testing::Lost(5, 2),
                                     testing::Verdict(6, Proc(11, "b"), 1, true, "/tmp/b")};
  loop().AddTimer(2ms, {}, 0, [&](uint64_t) {
    auto b = EncodeAll(batch1);
    ASSERT_EQ(write(writer.get(), b.data(), b.size()), static_cast<ssize_t>(b.size()));
  });
  loop().AddTimer(6ms, {}, 0, [&](uint64_t) {
    auto b = EncodeAll(batch2);
    ASSERT_EQ(write(writer.get(), b.data(), b.size()), static_cast<ssize_t>(b.size()));
    writer.Reset();
  });
  auto r = loop().RunUntilDone(Drain(*ch));
  ASSERT_TRUE(r.ok());
  const auto& [got, end] = *r;
  ASSERT_EQ(got.size(), 4u);
  EXPECT_TRUE(got[0] == batch1[0]);
  EXPECT_TRUE(got[1] == batch1[1]);
  EXPECT_TRUE(got[2] == batch2[0]);
  EXPECT_TRUE(got[3] == batch2[1]);
  EXPECT_EQ(end.code(), ErrorCode::kClosed);
}

TEST_P(ChannelTest, StreamModeJoinsRecordsSplitAcrossReads) {
  int fds[2];
  ASSERT_EQ(pipe2(fds, O_CLOEXEC), 0);
  Fd writer(fds[1]);
  auto ch = AemChannel::FromFd(loop(), Fd(fds[0]), /*stream=*/true);
  std::vector<Event> events;
  for (int i = 0; i < 50; ++i)
    events.push_back(testing::Exec(i + 1, Proc(i, "p"), "/path/number/" + std::to_string(i)));
  const auto bytes = EncodeAll(events);
  // Written in odd-sized pieces, one per loop iteration.
  size_t off = 0;
  Loop::TimerId id = 0;
  id = loop().AddTimer(1ms, 1ms, 0, [&](uint64_t) {
    const size_t n = std::min<size_t>(37, bytes.size() - off);
    ASSERT_EQ(write(writer.get(), bytes.data() + off, n), static_cast<ssize_t>(n));
    off += n;
    if (off == bytes.size()) {
      writer.Reset();
      loop().CancelTimer(id);
    }
  });
  auto r = loop().RunUntilDone(Drain(*ch));
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r->first.size(), events.size());
  for (size_t i = 0; i < events.size(); ++i) EXPECT_TRUE(r->first[i] == events[i]) << i;
  EXPECT_EQ(r->second.code(), ErrorCode::kClosed);
}

TEST_P(ChannelTest, DeviceModeRefusesPartialRecords) {
  int sv[2];
  ASSERT_EQ(socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv), 0);
  Fd writer(sv[1]);
  auto ch = AemChannel::FromFd(loop(), Fd(sv[0]), /*stream=*/false);
  auto b = EncodeAll({testing::Lost(1, 1), testing::Exec(2, Proc(1, "a"), "/x")});
  ASSERT_EQ(write(writer.get(), b.data(), b.size() - 8), static_cast<ssize_t>(b.size() - 8));
  auto r = loop().RunUntilDone(Drain(*ch));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->first.size(), 1u);  // the whole record before it is delivered
  EXPECT_EQ(r->second.code(), ErrorCode::kMalformed);
}

TEST_P(ChannelTest, MalformedInputEndsTheChannelWithAnError) {
  int sv[2];
  ASSERT_EQ(socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv), 0);
  Fd writer(sv[1]);
  auto ch = AemChannel::FromFd(loop(), Fd(sv[0]), /*stream=*/false);
  auto b = EncodeAll({testing::Lost(1, 1)});
  b.resize(b.size() + 24, 0);  // a header with size 0
  ASSERT_EQ(write(writer.get(), b.data(), b.size()), static_cast<ssize_t>(b.size()));
  auto r = loop().RunUntilDone(Drain(*ch));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->first.size(), 1u);
  EXPECT_EQ(r->second.code(), ErrorCode::kMalformed);
}

TEST_P(ChannelTest, StopCancelsAWaitingReader) {
  int sv[2];
  ASSERT_EQ(socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv), 0);
  Fd writer(sv[1]);
  auto ch = AemChannel::FromFd(loop(), Fd(sv[0]), false);
  loop().AddTimer(5ms, {}, 0, [&](uint64_t) { loop().Stop(); });
  auto r = loop().RunUntilDone(Drain(*ch));
  // The drain task ends with kCancelled during the shutdown.
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->second.code(), ErrorCode::kCancelled);
}

TEST_P(ChannelTest, AbsentDeviceIsAClearError) {
  auto ch = AemChannel::Open(loop(), ChannelFilter{}, "/nonexistent/aem");
  ASSERT_FALSE(ch.ok());
  EXPECT_EQ(ch.error().code(), ErrorCode::kNotFound);
  EXPECT_NE(ch.error().message().find("aem.ko is not loaded"), std::string::npos);
}

TEST_P(ChannelTest, DefaultDeviceWithoutTheModule) {
  struct stat st;
  if (stat(kDefaultDevice, &st) == 0) GTEST_SKIP() << "aem.ko is loaded here";
  ChannelFilter filter;
  filter.types = AEM_TYPE_BIT(AEM_EVENT_VERDICT);
  auto ch = AemChannel::Open(loop(), filter);
  ASSERT_FALSE(ch.ok());
  EXPECT_EQ(ch.error().code(), ErrorCode::kNotFound);
  EXPECT_EQ(ch.error().message(),
            "/dev/aem is absent: aem.ko is not loaded (modprobe aem / insmod aem.ko)");
}

TEST_P(ChannelTest, ADeviceThatIsNotAemIsRefused) {
  auto ch = AemChannel::Open(loop(), ChannelFilter{}, "/dev/null");
  ASSERT_FALSE(ch.ok());
  EXPECT_EQ(ch.error().code(), ErrorCode::kInvalidArgument) << ch.error().ToString();
}

TEST_P(ChannelTest, FilterArgumentsAreChecked) {
  ChannelFilter filter;
  filter.channel = std::string(AEM_CHANNEL_LEN, 'c');
  auto ch = AemChannel::Open(loop(), filter, "/dev/null");
  ASSERT_FALSE(ch.ok());
  EXPECT_EQ(ch.error().code(), ErrorCode::kInvalidArgument);
}

AEM_INSTANTIATE_ON_BACKENDS(ChannelTest);

}  // namespace
}  // namespace aem
