#include "base/arg_parser.h"

namespace digsig::base {

ArgParser& ArgParser::Value(const std::string& name, const std::string& alias) {
  takes_value_[name] = true;
  if (!alias.empty()) aliases_[alias] = name;
  return *this;
}

ArgParser& ArgParser::Flag(const std::string& name, const std::string& alias) {
  takes_value_[name] = false;
  if (!alias.empty()) aliases_[alias] = name;
  return *this;
}

ArgStatus ArgParser::Parse(const std::vector<std::string>& args) {
  bool options_done = false;
  for (size_t i = 0; i < args.size(); ++i) {
    std::string a = args[i];
    if (options_done || a == "-" || a.empty() || a[0] != '-') {
      positional_.push_back(a);
      continue;
    }
    if (a == "--") {
      options_done = true;
      continue;
    }
    std::string inline_value;
    bool has_inline = false;
    if (size_t eq = a.find('='); a.rfind("--", 0) == 0 && eq != std::string::npos) {
      inline_value = a.substr(eq + 1);
      a = a.substr(0, eq);
      has_inline = true;
    }
    if (auto al = aliases_.find(a); al != aliases_.end()) a = al->second;
    auto it = takes_value_.find(a);
    if (it == takes_value_.end()) return "unknown option " + a;
    if (!it->second) {
      if (has_inline) return a + " takes no value";
      values_[a].push_back("");
      continue;
    }
    if (has_inline) {
      values_[a].push_back(inline_value);
    } else {
      if (i + 1 >= args.size()) return a + " needs a value";
      values_[a].push_back(args[++i]);
    }
  }
  return ArgStatus::Ok();
}

std::string ArgParser::Get(const std::string& name, const std::string& fallback) const {
  auto it = values_.find(name);
  return it == values_.end() || it->second.empty() ? fallback : it->second.back();
}

ArgResult<unsigned long> ArgParser::GetNumber(const std::string& name,
                                              unsigned long fallback) const {
  if (!Has(name)) return fallback;
  const std::string v = Get(name);
  if (v.empty() || v.find_first_not_of("0123456789") != std::string::npos || v.size() > 9)
    return name + " needs a number, got '" + v + "'";
  return std::stoul(v);
}

const std::vector<std::string>& ArgParser::GetAll(const std::string& name) const {
  auto it = values_.find(name);
  return it == values_.end() ? no_values_ : it->second;
}

}  // namespace digsig::base
