#include "aem/runtime/channel.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <cstring>

namespace aem {
namespace {

// Room for the largest record (size is a u16) plus a partial one held over.
constexpr size_t kBufferSize = 2 * 65536;

}  // namespace

Result<std::unique_ptr<AemChannel>> AemChannel::Open(Loop& loop, const ChannelFilter& filter,
                                                     const std::string& device) {
  if (filter.channel.size() >= AEM_CHANNEL_LEN)
    return Error(ErrorCode::kInvalidArgument,
                 "channel name longer than " + std::to_string(AEM_CHANNEL_LEN - 1) + " bytes");
  Fd fd(open(device.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC));
  if (!fd) {
    if (errno == ENOENT || errno == ENODEV || errno == ENXIO)
      return Error(ErrorCode::kNotFound,
                   device + " is absent: aem.ko is not loaded (modprobe aem / insmod aem.ko)",
                   errno);
    return Error::FromErrno(errno, ("open " + device).c_str());
  }
  if (filter.ring_bytes != 0) {
    __u32 bytes = filter.ring_bytes;
    if (ioctl(fd.get(), AEM_IOC_SET_RING, &bytes) < 0)
      return Error::FromErrno(errno, "AEM_IOC_SET_RING");
  }
  aem_filter f{};
  f.types = filter.types;
  f.pid = filter.pid;
  f.uid = filter.uid;
  std::memcpy(f.channel, filter.channel.data(), filter.channel.size());
  if (ioctl(fd.get(), AEM_IOC_SET_FILTER, &f) < 0) {
    if (errno == ENOTTY)
      return Error(ErrorCode::kInvalidArgument, device + " is not the aem.ko device", errno);
    return Error::FromErrno(errno, "AEM_IOC_SET_FILTER");
  }
  return std::unique_ptr<AemChannel>(new AemChannel(loop, std::move(fd), false));
}

std::unique_ptr<AemChannel> AemChannel::FromFd(Loop& loop, Fd fd, bool stream) {
  const int fl = fcntl(fd.get(), F_GETFL);
  if (fl >= 0 && !(fl & O_NONBLOCK)) fcntl(fd.get(), F_SETFL, fl | O_NONBLOCK);
  return std::unique_ptr<AemChannel>(new AemChannel(loop, std::move(fd), stream));
}

AemChannel::AemChannel(Loop& loop, Fd fd, bool stream)
    : loop_(loop), fd_(std::move(fd)), stream_(stream), buf_(kBufferSize) {}

AemChannel::~AemChannel() { loop_.Close(fd_); }

Result<bool> AemChannel::Fill() {
  const ssize_t n = ::read(fd_.get(), buf_.data() + held_, buf_.size() - held_);
  if (n < 0) {
    if (errno == EAGAIN || errno == EINTR) return false;
    return Error::FromErrno(errno, "read(aem)");
  }
  if (n == 0) {
    if (held_ > 0)
      return Error(ErrorCode::kMalformed,
                   "end of file inside a record (" + std::to_string(held_) + " bytes left)");
    return Error(ErrorCode::kClosed, "aem: end of file");
  }
  const size_t have = held_ + static_cast<size_t>(n);
  scratch_.clear();
  auto used = DecodeEvents(std::span<const uint8_t>(buf_.data(), have), &scratch_);
  for (auto& ev : scratch_) events_.push_back(std::move(ev));
  if (!used.ok()) {
    error_ = used.error();
    held_ = 0;
    return true;
  }
  held_ = have - *used;
  if (held_ > 0 && !stream_) {
    error_ = Error(ErrorCode::kMalformed, "the device returned a partial record");
    held_ = 0;
    return true;
  }
  if (held_ > 0) std::memmove(buf_.data(), buf_.data() + *used, held_);
  return true;
}

Task<Result<Event>> AemChannel::Next() {
  for (;;) {
    if (!events_.empty()) {
      Event ev = std::move(events_.front());
      events_.pop_front();
      co_return ev;
    }
    if (error_) co_return *error_;
    auto filled = Fill();
    if (!filled.ok()) {
      error_ = filled.error();
      co_return *error_;
    }
    if (*filled) continue;
    Result<uint32_t> ready = co_await loop_.Poll(fd_.get(), POLLIN);
    if (!ready.ok()) co_return ready.error();
  }
}

Result<unsigned> AemChannel::Post(const std::string& channel, const std::string& data) {
  if (channel.empty() || channel.size() >= AEM_CHANNEL_LEN)
    return Error(ErrorCode::kInvalidArgument,
                 "channel name of 1 to " + std::to_string(AEM_CHANNEL_LEN - 1) + " bytes");
  if (data.size() > AEM_USER_DATA_MAX)
    return Error(ErrorCode::kTooLarge,
                 "user event data above " + std::to_string(AEM_USER_DATA_MAX) + " bytes");
  aem_post p{};
  std::memcpy(p.channel, channel.data(), channel.size());
  p.data = reinterpret_cast<uintptr_t>(data.data());
  p.len = static_cast<__u32>(data.size());
  const int taken = ioctl(fd_.get(), AEM_IOC_POST, &p);
  if (taken < 0) return Error::FromErrno(errno, "AEM_IOC_POST");
  return static_cast<unsigned>(taken);
}

Result<aem_stats> AemChannel::Stats() {
  aem_stats s{};
  if (ioctl(fd_.get(), AEM_IOC_GET_STATS, &s) < 0)
    return Error::FromErrno(errno, "AEM_IOC_GET_STATS");
  return s;
}

}  // namespace aem
