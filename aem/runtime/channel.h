// A subscription to aem.ko: one open /dev/aem with its filter, read through
// the loop and decoded into Events (co_await channel->Next()).
#pragma once

#include <cstdint>
#include <deque>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "aem/runtime/error.h"
#include "aem/runtime/events.h"
#include "aem/runtime/fd.h"
#include "aem/runtime/loop.h"
#include "aem/runtime/task.h"
#include "aem_uapi.h"

namespace aem {

inline constexpr const char* kDefaultDevice = "/dev/aem";

struct ChannelFilter {
  uint32_t types = 0;   // AEM_TYPE_BIT() mask (AEM_EVENT_LOST is always delivered)
  int32_t pid = 0;      // only events about this tgid; 0: any
  uint32_t uid = ~0u;   // only events about this uid; ~0u: any
  std::string channel;  // user events of this channel ("": none); < AEM_CHANNEL_LEN bytes
  uint32_t ring_bytes =
      0;  // AEM_IOC_SET_RING (power of two, 4 KiB..4 MiB); 0: the module's default
};

class AemChannel {
 public:
  // Opens `device` and sets the filter. Without aem.ko loaded the error is
  // ErrorCode::kNotFound, saying so.
  static Result<std::unique_ptr<AemChannel>> Open(Loop& loop, const ChannelFilter& filter,
                                                  const std::string& device = kDefaultDevice);
  // Records from any fd (tests, recorded streams). `stream`: records may be
  // split across reads (a pipe or a file); the device never splits them.
  static std::unique_ptr<AemChannel> FromFd(Loop& loop, Fd fd, bool stream);
  ~AemChannel();
  AemChannel(const AemChannel&) = delete;
  AemChannel& operator=(const AemChannel&) = delete;

  // The next event. At end of file ErrorCode::kClosed; a malformed record
  // ends the channel with ErrorCode::kMalformed (after the records before it).
  Task<Result<Event>> Next();

  // AEM_IOC_POST: delivers a user event to every subscriber of `channel`;
  // how many subscribers took it (queued, or counted as lost).
  Result<unsigned> Post(const std::string& channel, const std::string& data);
  // AEM_IOC_GET_STATS: this subscriber's counters.
  Result<aem_stats> Stats();

  int fd() const { return fd_.get(); }
  // Events decoded and waiting: Next() returns them without a system call.
  size_t buffered() const { return events_.size(); }

 private:
  AemChannel(Loop& loop, Fd fd, bool stream);
  // Reads what is there and decodes it; false when nothing was ready.
  Result<bool> Fill();

  Loop& loop_;
  Fd fd_;
  bool stream_;
  std::vector<uint8_t> buf_;
  size_t held_ = 0;  // bytes of a partial record at the start of buf_
  std::deque<Event> events_;
  std::vector<Event> scratch_;
  std::optional<Error> error_;  // delivered once events_ is empty
};

}  // namespace aem
