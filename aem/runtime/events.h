// aem.ko's event records (aem/include/aem_uapi.h) as C++ values, and the
// decoder that turns the bytes read from /dev/aem into them. The decoder
// treats its input as untrusted: every length is checked against the record
// and the buffer, strings are bounded by their fields, and a record that
// breaks the ABI is an error value naming its offset, never a read out of
// bounds (aem/tests/event_decoder_fuzzer.cc holds it to that).
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <variant>
#include <vector>

#include "aem/runtime/error.h"
#include "aem_uapi.h"

namespace aem {

struct ProcessInfo {
  int32_t pid = 0;  // thread group id
  int32_t tid = 0;
  int32_t ppid = 0;
  uint32_t uid = 0;
  std::string comm;  // at most AEM_COMM_LEN - 1 bytes
  bool operator==(const ProcessInfo&) const = default;
};

struct LostEvent {
  uint64_t count = 0;  // events dropped before this record (ring full)
  bool operator==(const LostEvent&) const = default;
};
struct ForkEvent {
  ProcessInfo parent;
  ProcessInfo child;
  bool operator==(const ForkEvent&) const = default;
};
struct ExecEvent {
  ProcessInfo process;
  std::string path;
  bool operator==(const ExecEvent&) const = default;
};
struct ExitEvent {
  ProcessInfo process;
  int32_t exit_code = 0;  // as wait(2) encodes it
  bool operator==(const ExitEvent&) const = default;
};
struct VerdictEvent {
  ProcessInfo process;
  uint16_t reason = 0;   // enum aem_verdict_reason
  bool refused = false;  // false: permissive mode, it would have been refused
  bool interp = false;   // the file is the ELF interpreter of the exec
  std::string path;
  bool operator==(const VerdictEvent&) const = default;
};
struct UserEvent {
  ProcessInfo sender;
  std::string channel;
  std::string data;  // bytes
  bool operator==(const UserEvent&) const = default;
};
// A record type this build does not know (a newer aem.ko): kept, not dropped.
struct UnknownEvent {
  std::string payload;  // the record after its header
  bool operator==(const UnknownEvent&) const = default;
};

struct Event {
  uint16_t type = 0;   // enum aem_event_type
  uint16_t flags = 0;  // AEM_FLAG_*
  uint16_t cpu = 0;
  uint64_t seq = 0;
  uint64_t time_ns = 0;  // CLOCK_MONOTONIC
  std::variant<LostEvent, ForkEvent, ExecEvent, ExitEvent, VerdictEvent, UserEvent, UnknownEvent>
      body;

  bool truncated() const { return (flags & AEM_FLAG_TRUNCATED) != 0; }
  template <typename T>
  const T* get() const {
    return std::get_if<T>(&body);
  }
  bool operator==(const Event&) const = default;
};

const char* EventTypeName(uint16_t type);        // "lost", "fork", ..., "unknown"
const char* VerdictReasonName(uint16_t reason);  // digsig's names: "unsigned", "unknown-signer"...

// Decodes the whole records at the start of `buf`, appending them to `out`.
// Returns how many bytes they took: all of `buf`, or less when it ends
// inside a record (the rest is a partial record; /dev/aem never returns
// one, a pipe or a file may). A record that breaks the ABI (size not a
// multiple of 8 or below its type's minimum, lengths beyond the record) is
// an ErrorCode::kMalformed error; `out` then holds the records before it.
Result<size_t> DecodeEvents(std::span<const uint8_t> buf, std::vector<Event>* out);

// Exactly one record, filling `record` entirely.
Result<Event> DecodeEvent(std::span<const uint8_t> record);

}  // namespace aem
