// digsig-monitor: subscribes to aem.ko's refusals and process events and
// writes one JSON object per event on stdout; refusals beyond a rate raise a
// rate-limited alarm line on stderr, and so does a seq number that neither
// arrived nor was reported lost. Stops cleanly on SIGINT/SIGTERM.
//
//   digsig-monitor [--events verdict,exec,exit,fork,user|all] [--pid N] [--uid N]
//                  [--channel NAME] [--ring BYTES] [--alarm-threshold N]
//                  [--alarm-interval SECONDS] [--device PATH | --replay FILE]
//                  [--backend auto|uring|epoll] [--stats]
//
// Exit status: 0 stopped by a signal or at the end of a replay, 1 the
// device failed (absent: "aem.ko is not loaded"), 2 usage.
#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "aem/examples/monitor.h"
#include "aem/runtime/aem.h"

namespace {

struct Options {
  uint32_t types = AEM_TYPE_BIT(AEM_EVENT_VERDICT) | AEM_TYPE_BIT(AEM_EVENT_FORK) |
                   AEM_TYPE_BIT(AEM_EVENT_EXEC) | AEM_TYPE_BIT(AEM_EVENT_EXIT);
  int32_t pid = 0;
  uint32_t uid = ~0u;
  std::string channel;
  uint32_t ring = 0;
  uint64_t alarm_threshold = 10;
  double alarm_interval = 10.0;
  std::string device = aem::kDefaultDevice;
  std::string replay;
  aem::BackendKind backend = aem::BackendKind::kAuto;
  bool stats = false;
};

[[noreturn]] void Usage(const char* why) {
  std::fprintf(stderr,
               "digsig-monitor: %s\n"
               "usage: digsig-monitor [--events verdict,exec,exit,fork,user|all] [--pid N] "
               "[--uid N]\n"
               "                      [--channel NAME] [--ring BYTES] [--alarm-threshold N]\n"
               "                      [--alarm-interval SECONDS] [--device PATH | --replay FILE]\n"
               "                      [--backend auto|uring|epoll] [--stats]\n",
               why);
  std::exit(2);
}

bool ParseNumber(const char* s, unsigned long long* out) {
  char* end = nullptr;
  errno = 0;
  *out = std::strtoull(s, &end, 10);
  return errno == 0 && end != s && *end == '\0' && s[0] != '-';
}

Options Parse(int argc, char** argv) {
  Options o;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    auto value = [&]() -> const char* {
      if (i + 1 >= argc) Usage((arg + " needs a value").c_str());
      return argv[++i];
    };
    unsigned long long n;
    if (arg == "--events") {
      o.types = 0;
      std::string list = value();
      size_t start = 0;
      while (start <= list.size()) {
        const size_t end = std::min(list.find(',', start), list.size());
        const std::string t = list.substr(start, end - start);
        if (t == "all")
          o.types |= AEM_TYPE_BIT(AEM_EVENT_TYPES) - 1;
        else if (t == "verdict")
          o.types |= AEM_TYPE_BIT(AEM_EVENT_VERDICT);
        else if (t == "exec")
          o.types |= AEM_TYPE_BIT(AEM_EVENT_EXEC);
        else if (t == "exit")
          o.types |= AEM_TYPE_BIT(AEM_EVENT_EXIT);
        else if (t == "fork")
          o.types |= AEM_TYPE_BIT(AEM_EVENT_FORK);
        else if (t == "user")
          o.types |= AEM_TYPE_BIT(AEM_EVENT_USER);
        else
          Usage(("unknown event type: " + t).c_str());
        start = end + 1;
      }
    } else if (arg == "--pid") {
      if (!ParseNumber(value(), &n) || n > 0x7fffffff) Usage("--pid: a process id");
      o.pid = static_cast<int32_t>(n);
    } else if (arg == "--uid") {
      if (!ParseNumber(value(), &n) || n >= 0xffffffffull) Usage("--uid: a user id");
      o.uid = static_cast<uint32_t>(n);
    } else if (arg == "--channel") {
      o.channel = value();
    } else if (arg == "--ring") {
      if (!ParseNumber(value(), &n) || n > (4u << 20)) Usage("--ring: bytes, at most 4 MiB");
      o.ring = static_cast<uint32_t>(n);
    } else if (arg == "--alarm-threshold") {
      if (!ParseNumber(value(), &n)) Usage("--alarm-threshold: refusals per second");
      o.alarm_threshold = n;
    } else if (arg == "--alarm-interval") {
      char* end = nullptr;
      const char* v = value();
      o.alarm_interval = std::strtod(v, &end);
      if (end == v || *end != '\0' || o.alarm_interval < 0) Usage("--alarm-interval: seconds");
    } else if (arg == "--device") {
      o.device = value();
    } else if (arg == "--replay") {
      o.replay = value();
    } else if (arg == "--backend") {
      const std::string b = value();
      if (b == "auto")
        o.backend = aem::BackendKind::kAuto;
      else if (b == "uring" || b == "io_uring")
        o.backend = aem::BackendKind::kUring;
      else if (b == "epoll")
        o.backend = aem::BackendKind::kEpoll;
      else
        Usage("--backend: auto, uring or epoll");
    } else if (arg == "--stats") {
      o.stats = true;
    } else if (arg == "-h" || arg == "--help") {
      Usage("the asynchronous event monitor for digsig refusals and process events");
    } else {
      Usage(("unknown argument: " + arg).c_str());
    }
  }
  if (!o.channel.empty()) o.types |= AEM_TYPE_BIT(AEM_EVENT_USER);
  return o;
}

struct Counters {
  uint64_t events = 0;
  uint64_t refusals = 0;
  uint64_t lost = 0;
  uint64_t unaccounted = 0;  // seq numbers neither delivered nor reported lost
};

aem::Task<int> Monitor(aem::AemChannel& channel, const Options& o, Counters& counters) {
  aem::monitor::Alarm alarm(o.alarm_threshold, static_cast<uint64_t>(o.alarm_interval * 1e9));
  aem::monitor::SeqCheck seq;
  std::string line;
  for (;;) {
    aem::Result<aem::Event> ev = co_await channel.Next();
    if (!ev.ok()) {
      std::fflush(stdout);
      if (ev.error().code() == aem::ErrorCode::kCancelled) co_return 0;  // a signal stopped us
      if (ev.error().code() == aem::ErrorCode::kClosed && !o.replay.empty()) co_return 0;
      std::fprintf(stderr, "digsig-monitor: %s\n", ev.error().message().c_str());
      co_return 1;
    }
    ++counters.events;
    if (auto broken = seq.Feed(*ev)) {
      std::fprintf(stderr, "%s\n", broken->c_str());
      counters.unaccounted = seq.unaccounted();
    }
    line = aem::monitor::JsonLine(*ev);
    line += '\n';
    std::fwrite(line.data(), 1, line.size(), stdout);
    if (const auto* lost = ev->get<aem::LostEvent>()) {
      counters.lost += lost->count;
      std::fprintf(stderr, "digsig-monitor: %llu events lost (the subscriber's ring was full)\n",
                   static_cast<unsigned long long>(lost->count));
    }
    if (const auto* v = ev->get<aem::VerdictEvent>(); v != nullptr && v->refused) {
      ++counters.refusals;
      if (auto a = alarm.Refusal(*ev, *v)) std::fprintf(stderr, "%s\n", a->c_str());
    }
    // Flush once the decoded batch is written: one write per read, not per event.
    if (channel.buffered() == 0) std::fflush(stdout);
  }
}

}  // namespace

int main(int argc, char** argv) {
  const Options o = Parse(argc, argv);
  aem::LoopOptions lo;
  lo.backend = o.backend;
  auto loop = aem::Loop::Create(lo);
  if (!loop.ok()) {
    std::fprintf(stderr, "digsig-monitor: %s\n", loop.error().message().c_str());
    return 1;
  }
  // Before anything else, so that SIGINT/SIGTERM wait for the loop.
  auto signals = aem::SignalSet::Create(**loop, {SIGINT, SIGTERM});
  if (!signals.ok()) {
    std::fprintf(stderr, "digsig-monitor: %s\n", signals.error().message().c_str());
    return 1;
  }
  std::unique_ptr<aem::AemChannel> channel;
  if (!o.replay.empty()) {
    aem::Fd fd(open(o.replay.c_str(), O_RDONLY | O_CLOEXEC));
    if (!fd) {
      std::fprintf(stderr, "digsig-monitor: %s: %s\n", o.replay.c_str(), std::strerror(errno));
      return 1;
    }
    channel = aem::AemChannel::FromFd(**loop, std::move(fd), /*stream=*/true);
  } else {
    aem::ChannelFilter filter;
    filter.types = o.types;
    filter.pid = o.pid;
    filter.uid = o.uid;
    filter.channel = o.channel;
    filter.ring_bytes = o.ring;
    auto opened = aem::AemChannel::Open(**loop, filter, o.device);
    if (!opened.ok()) {
      std::fprintf(stderr, "digsig-monitor: %s\n", opened.error().message().c_str());
      return 1;
    }
    channel = std::move(*opened);
  }
  (*signals)->OnSignal(1, [&](const aem::SignalInfo&) { (*loop)->Stop(); });
  Counters counters;
  aem::Result<int> rc = (*loop)->RunUntilDone(Monitor(*channel, o, counters));
  if (o.stats) {
    std::fprintf(stderr,
                 "digsig-monitor: %llu events, %llu refusals, %llu lost, %llu unaccounted, "
                 "backend %s\n",
                 static_cast<unsigned long long>(counters.events),
                 static_cast<unsigned long long>(counters.refusals),
                 static_cast<unsigned long long>(counters.lost),
                 static_cast<unsigned long long>(counters.unaccounted),
                 aem::BackendName((*loop)->backend()));
  }
  channel.reset();
  signals->reset();
  return rc.ok() ? *rc : 0;
}
