// A minimal command-line parser shared by the project's programs (digsig,
// digsig-monitor): long options (--name value, --name=value), short aliases,
// repeatable options, flags, positional arguments after them or after "--".
// Errors are values: a message for the program's usage line, never an exit.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "base/basic_result.h"

namespace digsig::base {

// A command-line mistake, in words for the user ("unknown option --x").
using ArgStatus = BasicStatus<std::string>;
template <typename T>
using ArgResult = BasicResult<T, std::string>;

class ArgParser {
 public:
  // An option taking a value; `alias` is an optional short form like "-o".
  ArgParser& Value(const std::string& name, const std::string& alias = "");
  ArgParser& Flag(const std::string& name, const std::string& alias = "");

  ArgStatus Parse(const std::vector<std::string>& args);

  bool Has(const std::string& name) const { return values_.count(name) > 0; }
  // The option's last value, `fallback` when absent.
  std::string Get(const std::string& name, const std::string& fallback = "") const;
  // The option's value as a decimal number of at most 9 digits (no sign),
  // `fallback` when absent.
  ArgResult<unsigned long> GetNumber(const std::string& name, unsigned long fallback) const;
  // Every value of a repeated option, in command-line order.
  const std::vector<std::string>& GetAll(const std::string& name) const;
  const std::vector<std::string>& positional() const { return positional_; }

 private:
  std::map<std::string, bool> takes_value_;
  std::map<std::string, std::string> aliases_;
  std::map<std::string, std::vector<std::string>> values_;
  std::vector<std::string> positional_;
  std::vector<std::string> no_values_;  // what GetAll returns for an absent option
};

}  // namespace digsig::base
