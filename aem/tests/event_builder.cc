#include "aem/tests/event_builder.h"

#include <cstring>

namespace aem::testing {
namespace {

size_t Round8(size_t n) { return (n + 7) & ~size_t{7}; }

aem_process ToRaw(const ProcessInfo& p) {
  aem_process r{};
  r.pid = p.pid;
  r.tid = p.tid;
  r.ppid = p.ppid;
  r.uid = p.uid;
  // All 16 bytes when the comm fills them (as a decoded malformed record may).
  std::memcpy(r.comm, p.comm.data(), std::min(p.comm.size(), sizeof(r.comm)));
  return r;
}

template <typename T>
void Put(std::vector<uint8_t>& out, size_t at, const T& v) {
  std::memcpy(out.data() + at, &v, sizeof(T));
}

aem_event_header Header(const Event& ev, uint16_t type, size_t size) {
  aem_event_header h{};
  h.size = static_cast<__u16>(size);
  h.type = type;
  h.flags = ev.flags;
  h.cpu = ev.cpu;
  h.seq = ev.seq;
  h.time_ns = ev.time_ns;
  return h;
}

Event Base(uint64_t seq, uint16_t type) {
  Event ev;
  ev.type = type;
  ev.seq = seq;
  ev.time_ns = 1000 * seq;
  return ev;
}

}  // namespace

std::vector<uint8_t> Encode(const Event& ev) {
  std::vector<uint8_t> out;
  if (const auto* e = ev.get<LostEvent>()) {
    aem_lost_event r{};
    r.h = Header(ev, AEM_EVENT_LOST, sizeof(r));
    r.count = e->count;
    out.resize(sizeof(r));
    Put(out, 0, r);
  } else if (const auto* e = ev.get<ForkEvent>()) {
    aem_fork_event r{};
    r.h = Header(ev, AEM_EVENT_FORK, sizeof(r));
    r.parent = ToRaw(e->parent);
    r.child = ToRaw(e->child);
    out.resize(sizeof(r));
    Put(out, 0, r);
  } else if (const auto* e = ev.get<ExecEvent>()) {
    const size_t size = Round8(sizeof(aem_exec_event) + e->path.size() + 1);
    aem_exec_event r{};
    r.h = Header(ev, AEM_EVENT_EXEC, size);
    r.proc = ToRaw(e->process);
    r.path_len = static_cast<__u16>(e->path.size());
    out.assign(size, 0);
    Put(out, 0, r);
    std::memcpy(out.data() + sizeof(r), e->path.data(), e->path.size());
  } else if (const auto* e = ev.get<ExitEvent>()) {
    aem_exit_event r{};
    r.h = Header(ev, AEM_EVENT_EXIT, sizeof(r));
    r.proc = ToRaw(e->process);
    r.exit_code = e->exit_code;
    out.resize(sizeof(r));
    Put(out, 0, r);
  } else if (const auto* e = ev.get<VerdictEvent>()) {
    const size_t size = Round8(sizeof(aem_verdict_event) + e->path.size() + 1);
    aem_verdict_event r{};
    r.h = Header(ev, AEM_EVENT_VERDICT, size);
    r.proc = ToRaw(e->process);
    r.reason = e->reason;
    r.refused = e->refused ? 1 : 0;
    r.interp = e->interp ? 1 : 0;
    r.path_len = static_cast<__u16>(e->path.size());
    out.assign(size, 0);
    Put(out, 0, r);
    std::memcpy(out.data() + sizeof(r), e->path.data(), e->path.size());
  } else if (const auto* e = ev.get<UserEvent>()) {
    const size_t size = Round8(sizeof(aem_user_event) + e->data.size());
    aem_user_event r{};
    r.h = Header(ev, AEM_EVENT_USER, size);
    r.sender = ToRaw(e->sender);
    std::memcpy(r.channel, e->channel.data(), std::min(e->channel.size(), sizeof(r.channel)));
    r.len = static_cast<__u32>(e->data.size());
    out.assign(size, 0);
    Put(out, 0, r);
    std::memcpy(out.data() + sizeof(r), e->data.data(), e->data.size());
  } else if (const auto* e = ev.get<UnknownEvent>()) {
    const size_t size = Round8(sizeof(aem_event_header) + e->payload.size());
    out.assign(size, 0);
    Put(out, 0, Header(ev, ev.type, size));
    std::memcpy(out.data() + sizeof(aem_event_header), e->payload.data(), e->payload.size());
  }
  return out;
}

std::vector<uint8_t> EncodeAll(const std::vector<Event>& events) {
  std::vector<uint8_t> out;
  for (const auto& ev : events) {
    auto r = Encode(ev);
    out.insert(out.end(), r.begin(), r.end());
  }
  return out;
}

ProcessInfo Proc(int32_t pid, const std::string& comm, uint32_t uid, int32_t ppid) {
  ProcessInfo p;
  p.pid = pid;
  p.tid = pid;
  p.ppid = ppid;
  p.uid = uid;
  p.comm = comm;
  return p;
}

Event Lost(uint64_t seq, uint64_t count) {
  Event ev = Base(seq, AEM_EVENT_LOST);
  ev.body = LostEvent{count};
  return ev;
}

Event Fork(uint64_t seq, const ProcessInfo& parent, const ProcessInfo& child) {
  Event ev = Base(seq, AEM_EVENT_FORK);
  ev.body = ForkEvent{parent, child};
  return ev;
}

Event Exec(uint64_t seq, const ProcessInfo& p, const std::string& path) {
  Event ev = Base(seq, AEM_EVENT_EXEC);
  ev.body = ExecEvent{p, path};
  return ev;
}

Event Exit(uint64_t seq, const ProcessInfo& p, int32_t exit_code) {
  Event ev = Base(seq, AEM_EVENT_EXIT);
  ev.body = ExitEvent{p, exit_code};
  return ev;
}

Event Verdict(uint64_t seq, const ProcessInfo& p, uint16_t reason, bool refused,
              const std::string& path, uint64_t time_ns) {
  Event ev = Base(seq, AEM_EVENT_VERDICT);
  if (time_ns != 0) ev.time_ns = time_ns;
  VerdictEvent v;
  v.process = p;
  v.reason = reason;
  v.refused = refused;
  v.path = path;
  ev.body = v;
  return ev;
}

Event User(uint64_t seq, const ProcessInfo& sender, const std::string& channel,
           const std::string& data) {
  Event ev = Base(seq, AEM_EVENT_USER);
  ev.body = UserEvent{sender, channel, data};
  return ev;
}

}  // namespace aem::testing
