// digsig-monitor's logic, apart from its I/O so that tests can drive it:
// one JSON object per event, and the refusal alarm.
#pragma once

#include <cstdint>
#include <deque>
#include <optional>
#include <string>

#include "aem/runtime/events.h"

namespace aem::monitor {

// One JSON object (no newline) for `ev`. Strings are escaped; bytes that are
// not UTF-8 appear as \u00XX; user data that is not text is "data_hex".
std::string JsonLine(const Event& ev);

// Raises an alarm when more than `threshold` refusals (refused verdicts)
// happened within one second (by the kernel's timestamps), at most once per
// `interval_ns`; an alarm says how many refusals were seen in that second
// and how many alarm-worthy refusals were held back since the previous one.
class Alarm {
 public:
  Alarm(uint64_t threshold, uint64_t interval_ns)
      : threshold_(threshold), interval_ns_(interval_ns) {}
  // Feeds one refused verdict; the alarm line (no newline) when one is due.
  std::optional<std::string> Refusal(const Event& ev, const VerdictEvent& v);
  uint64_t alarms() const { return alarms_; }

 private:
  uint64_t threshold_;
  uint64_t interval_ns_;
  std::deque<uint64_t> window_;  // refusal times within the last second
  std::optional<uint64_t> last_alarm_ns_;
  uint64_t held_back_ = 0;
  uint64_t alarms_ = 0;
};

// Checks aem.ko's promise that nothing is lost silently: each event record
// has the previous seq + 1, a LOST record the previous seq + its count.
// Returns a warning line when a record breaks it.
class SeqCheck {
 public:
  std::optional<std::string> Feed(const Event& ev);
  uint64_t unaccounted() const { return unaccounted_; }

 private:
  std::optional<uint64_t> last_;
  uint64_t unaccounted_ = 0;
};

}  // namespace aem::monitor
