#include "aem/examples/monitor.h"

#include <cstdio>

#include "aem/runtime/process.h"
#include "base/json.h"

namespace aem::monitor {
namespace {

using digsig::base::AppendJsonString;

void Field(std::string& out, const char* key) {
  out += ",\"";
  out += key;
  out += "\":";
}

void Str(std::string& out, const char* key, const std::string& v) {
  Field(out, key);
  AppendJsonString(out, v);
}

void Num(std::string& out, const char* key, long long v) {
  Field(out, key);
  out += std::to_string(v);
}

void UNum(std::string& out, const char* key, unsigned long long v) {
  Field(out, key);
  out += std::to_string(v);
}

void Bool(std::string& out, const char* key, bool v) {
  Field(out, key);
  out += v ? "true" : "false";
}

void Process(std::string& out, const ProcessInfo& p) {
  Num(out, "pid", p.pid);
  Num(out, "tid", p.tid);
  Num(out, "ppid", p.ppid);
  UNum(out, "uid", p.uid);
  Str(out, "comm", p.comm);
}

std::string ProcessObject(const ProcessInfo& p) {
  std::string o;
  Process(o, p);
  o[0] = '{';  // the leading comma
  return o + "}";
}

bool IsText(const std::string& s) {
  for (size_t i = 0; i < s.size();) {
    const auto c = static_cast<unsigned char>(s[i]);
    if ((c < 0x20 && c != '\n' && c != '\t' && c != '\r') || c == 0x7F) return false;
    const size_t n = digsig::base::Utf8SequenceLength(s, i);
    if (n == 0) return false;
    i += n;
  }
  return true;
}

std::string Hex(const std::string& s) {
  static const char kDigits[] = "0123456789abcdef";
  std::string out;
  out.reserve(2 * s.size());
  for (unsigned char c : s) {
    out += kDigits[c >> 4];
    out += kDigits[c & 15];
  }
  return out;
}

}  // namespace

std::string JsonLine(const Event& ev) {
  std::string out = "{\"type\":";
  AppendJsonString(out, EventTypeName(ev.type));
  UNum(out, "seq", ev.seq);
  UNum(out, "time_ns", ev.time_ns);
  UNum(out, "cpu", ev.cpu);
  if (ev.truncated()) Bool(out, "truncated", true);
  if (const auto* e = ev.get<LostEvent>()) {
    UNum(out, "count", e->count);
  } else if (const auto* e = ev.get<ForkEvent>()) {
    Field(out, "parent");
    out += ProcessObject(e->parent);
    Field(out, "child");
    out += ProcessObject(e->child);
  } else if (const auto* e = ev.get<ExecEvent>()) {
    Process(out, e->process);
    Str(out, "path", e->path);
  } else if (const auto* e = ev.get<ExitEvent>()) {
    Process(out, e->process);
    Num(out, "exit_code", e->exit_code);
    ExitStatus st;
    if ((e->exit_code & 0x7f) == 0) {
      st.exited = true;
      st.code = (e->exit_code >> 8) & 0xff;
    } else {
      st.signal = e->exit_code & 0x7f;
      st.core_dumped = (e->exit_code & 0x80) != 0;
    }
    Str(out, "status", st.ToString());
  } else if (const auto* e = ev.get<VerdictEvent>()) {
    Process(out, e->process);
    Str(out, "path", e->path);
    Str(out, "reason", VerdictReasonName(e->reason));
    Bool(out, "refused", e->refused);
    Bool(out, "interp", e->interp);
  } else if (const auto* e = ev.get<UserEvent>()) {
    Field(out, "sender");
    out += ProcessObject(e->sender);
    Str(out, "channel", e->channel);
    if (IsText(e->data))
      Str(out, "data", e->data);
    else
      Str(out, "data_hex", Hex(e->data));
  } else if (const auto* e = ev.get<UnknownEvent>()) {
    UNum(out, "type_id", ev.type);
    Str(out, "payload_hex", Hex(e->payload));
  }
  out += '}';
  return out;
}

std::optional<std::string> Alarm::Refusal(const Event& ev, const VerdictEvent& v) {
  const uint64_t now = ev.time_ns;
  window_.push_back(now);
  while (!window_.empty() && window_.front() + 1000000000ull <= now) window_.pop_front();
  if (window_.size() <= threshold_) return std::nullopt;
  if (last_alarm_ns_ && now < *last_alarm_ns_ + interval_ns_) {
    ++held_back_;
    return std::nullopt;
  }
  std::string line = "digsig-monitor: ALARM: " + std::to_string(window_.size()) +
                     " refusals in the last second (threshold " + std::to_string(threshold_) +
                     "); latest: " + v.path + " (" + VerdictReasonName(v.reason) + ") pid " +
                     std::to_string(v.process.pid) + " uid " + std::to_string(v.process.uid) +
                     " comm " + v.process.comm;
  if (held_back_ > 0)
    line += "; " + std::to_string(held_back_) + " refusals over the threshold since the last alarm";
  held_back_ = 0;
  last_alarm_ns_ = now;
  ++alarms_;
  return line;
}

std::optional<std::string> SeqCheck::Feed(const Event& ev) {
  const LostEvent* lost = ev.get<LostEvent>();
  const uint64_t step = lost != nullptr ? lost->count : 1;
  std::optional<std::string> warning;
  if (last_ && ev.seq != *last_ + step) {
    std::string line = "digsig-monitor: sequence break: seq " + std::to_string(ev.seq) + " after " +
                       std::to_string(*last_) + " (" + std::to_string(*last_ + step) + " expected)";
    if (ev.seq > *last_ + step) unaccounted_ += ev.seq - (*last_ + step);
    warning = std::move(line);
  }
  last_ = ev.seq;
  return warning;
}

}  // namespace aem::monitor
