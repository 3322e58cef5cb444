// Event records as aem.ko writes them (aem_uapi.h), for tests and the fuzz
// target: the canonical encoding of an Event (the smallest record of its
// type, zero padding), and shorthands for common events.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "aem/runtime/events.h"

namespace aem::testing {

std::vector<uint8_t> Encode(const Event& ev);
std::vector<uint8_t> EncodeAll(const std::vector<Event>& events);

ProcessInfo Proc(int32_t pid, const std::string& comm, uint32_t uid = 0, int32_t ppid = 1);
Event Lost(uint64_t seq, uint64_t count);
Event Fork(uint64_t seq, const ProcessInfo& parent, const ProcessInfo& child);
Event Exec(uint64_t seq, const ProcessInfo& p, const std::string& path);
Event Exit(uint64_t seq, const ProcessInfo& p, int32_t exit_code);
Event Verdict(uint64_t seq, const ProcessInfo& p, uint16_t reason, bool refused,
              const std::string& path, uint64_t time_ns = 0);
Event User(uint64_t seq, const ProcessInfo& sender, const std::string& channel,
           const std::string& data);

}  // namespace aem::testing
