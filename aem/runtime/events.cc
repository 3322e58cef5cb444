#include "aem/runtime/events.h"

#include <cstring>

namespace aem {
namespace {

constexpr size_t kHeaderSize = sizeof(aem_event_header);

static_assert(sizeof(aem_event_header) == 24);
static_assert(sizeof(aem_process) == 32);
static_assert(sizeof(aem_lost_event) == 32);
static_assert(sizeof(aem_fork_event) == 88);
static_assert(sizeof(aem_exec_event) == 64);
static_assert(sizeof(aem_exit_event) == 64);
static_assert(sizeof(aem_verdict_event) == 64);
static_assert(sizeof(aem_user_event) == 96);

// Reads a fixed-size struct from an unaligned position known to be in bounds.
template <typename T>
T Load(const uint8_t* p) {
  T v;
  std::memcpy(&v, p, sizeof(T));
  return v;
}

std::string BoundedString(const char* s, size_t max) { return std::string(s, strnlen(s, max)); }

ProcessInfo ToProcess(const aem_process& p) {
  ProcessInfo out;
  out.pid = p.pid;
  out.tid = p.tid;
  out.ppid = p.ppid;
  out.uid = p.uid;
  out.comm = BoundedString(p.comm, sizeof(p.comm));
  return out;
}

Error Malformed(size_t offset, const std::string& why) {
  return Error(ErrorCode::kMalformed,
               "event record at offset " + std::to_string(offset) + ": " + why);
}

// A path after a fixed part: `len` bytes, then a NUL, inside the record.
Result<std::string> PathAfter(std::span<const uint8_t> rec, size_t fixed, size_t len,
                              size_t offset) {
  if (len >= rec.size() - fixed)
    return Malformed(offset, "path_len " + std::to_string(len) + " beyond the record");
  const char* path = reinterpret_cast<const char*>(rec.data() + fixed);
  if (path[len] != '\0') return Malformed(offset, "path not NUL-terminated");
  return BoundedString(path, len);
}

Result<Event> Decode(std::span<const uint8_t> rec, size_t offset) {
  const auto h = Load<aem_event_header>(rec.data());
  Event ev;
  ev.type = h.type;
  ev.flags = h.flags;
  ev.cpu = h.cpu;
  ev.seq = h.seq;
  ev.time_ns = h.time_ns;
  auto need = [&](size_t n, const char* what) -> Status {
    if (rec.size() < n)
      return Malformed(offset, std::string(what) + " record of " + std::to_string(rec.size()) +
                                   " bytes, at least " + std::to_string(n) + " expected");
    return Status::Ok();
  };
  switch (h.type) {
    case AEM_EVENT_LOST: {
      AEM_RETURN_IF_ERROR(need(sizeof(aem_lost_event), "lost"));
      ev.body = LostEvent{Load<aem_lost_event>(rec.data()).count};
      break;
    }
    case AEM_EVENT_FORK: {
      AEM_RETURN_IF_ERROR(need(sizeof(aem_fork_event), "fork"));
      const auto e = Load<aem_fork_event>(rec.data());
      ev.body = ForkEvent{ToProcess(e.parent), ToProcess(e.child)};
      break;
    }
    case AEM_EVENT_EXEC: {
      AEM_RETURN_IF_ERROR(need(sizeof(aem_exec_event) + 1, "exec"));
      const auto e = Load<aem_exec_event>(rec.data());
      auto path = PathAfter(rec, sizeof(aem_exec_event), e.path_len, offset);
      if (!path.ok()) return path.error();
      ev.body = ExecEvent{ToProcess(e.proc), std::move(*path)};
      break;
    }
    case AEM_EVENT_EXIT: {
      AEM_RETURN_IF_ERROR(need(sizeof(aem_exit_event), "exit"));
      const auto e = Load<aem_exit_event>(rec.data());
      ev.body = ExitEvent{ToProcess(e.proc), e.exit_code};
      break;
    }
    case AEM_EVENT_VERDICT: {
      AEM_RETURN_IF_ERROR(need(sizeof(aem_verdict_event) + 1, "verdict"));
      const auto e = Load<aem_verdict_event>(rec.data());
      auto path = PathAfter(rec, sizeof(aem_verdict_event), e.path_len, offset);
      if (!path.ok()) return path.error();
      VerdictEvent v;
      v.process = ToProcess(e.proc);
      v.reason = e.reason;
      v.refused = e.refused != 0;
      v.interp = e.interp != 0;
      v.path = std::move(*path);
      ev.body = std::move(v);
      break;
    }
    case AEM_EVENT_USER: {
      AEM_RETURN_IF_ERROR(need(sizeof(aem_user_event), "user"));
      const auto e = Load<aem_user_event>(rec.data());
      if (e.len > AEM_USER_DATA_MAX)
        return Malformed(offset, "user data of " + std::to_string(e.len) + " bytes, at most " +
                                     std::to_string(AEM_USER_DATA_MAX) + " allowed");
      if (e.len > rec.size() - sizeof(aem_user_event))
        return Malformed(offset,
                         "user data length " + std::to_string(e.len) + " beyond the record");
      UserEvent u;
      u.sender = ToProcess(e.sender);
      u.channel = BoundedString(e.channel, sizeof(e.channel));
      u.data.assign(reinterpret_cast<const char*>(rec.data() + sizeof(aem_user_event)), e.len);
      ev.body = std::move(u);
      break;
    }
    default:
      ev.body = UnknownEvent{std::string(reinterpret_cast<const char*>(rec.data() + kHeaderSize),
                                         rec.size() - kHeaderSize)};
      break;
  }
  return ev;
}

}  // namespace

const char* EventTypeName(uint16_t type) {
  switch (type) {
    case AEM_EVENT_LOST: return "lost";
    case AEM_EVENT_FORK: return "fork";
    case AEM_EVENT_EXEC: return "exec";
    case AEM_EVENT_EXIT: return "exit";
    case AEM_EVENT_VERDICT: return "verdict";
    case AEM_EVENT_USER: return "user";
  }
  return "unknown";
}

const char* VerdictReasonName(uint16_t reason) {
  switch (reason) {
    case AEM_VERDICT_UNSIGNED: return "unsigned";
    case AEM_VERDICT_MALFORMED: return "malformed";
    case AEM_VERDICT_ALTERED: return "altered";
    case AEM_VERDICT_UNKNOWN_SIGNER: return "unknown-signer";
    case AEM_VERDICT_UNSUPPORTED: return "unsupported-algorithm";
    case AEM_VERDICT_REVOKED: return "revoked";
    case AEM_VERDICT_NOT_ELF: return "not-elf";
    case AEM_VERDICT_IO: return "io";
    case AEM_VERDICT_UNTRUSTED_MOUNT: return "untrusted-mount";
    case AEM_VERDICT_UNSEALED: return "unsealed-memfd";
  }
  return "unknown";
}

Result<size_t> DecodeEvents(std::span<const uint8_t> buf, std::vector<Event>* out) {
  size_t off = 0;
  while (buf.size() - off >= kHeaderSize) {
    const auto h = Load<aem_event_header>(buf.data() + off);
    if (h.size < kHeaderSize || h.size % 8 != 0)
      return Malformed(
          off, "size " + std::to_string(h.size) + " (at least 24 and a multiple of 8 expected)");
    if (h.size > buf.size() - off) break;  // a partial record
    auto ev = Decode(buf.subspan(off, h.size), off);
    if (!ev.ok()) return ev.error();
    out->push_back(std::move(*ev));
    off += h.size;
  }
  return off;
}

Result<Event> DecodeEvent(std::span<const uint8_t> record) {
  if (record.size() < kHeaderSize) return Malformed(0, "shorter than its header");
  const auto h = Load<aem_event_header>(record.data());
  if (h.size != record.size())
    return Malformed(0, "size " + std::to_string(h.size) + " in a record of " +
                            std::to_string(record.size()) + " bytes");
  if (h.size % 8 != 0) return Malformed(0, "size not a multiple of 8");
  return Decode(record, 0);
}

}  // namespace aem
