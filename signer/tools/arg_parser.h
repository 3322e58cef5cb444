// A minimal command-line parser for the digsig subcommands: long options
// (--name value, --name=value), short aliases, repeatable options, flags.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "signer/lib/result.h"

namespace digsig::cli {

class ArgParser {
 public:
  // An option taking a value; `alias` is an optional short form like "-o".
  ArgParser& Value(const std::string& name, const std::string& alias = "");
  ArgParser& Flag(const std::string& name, const std::string& alias = "");

  Status Parse(const std::vector<std::string>& args);

  bool Has(const std::string& name) const { return values_.count(name) > 0; }
  std::string Get(const std::string& name, const std::string& fallback = "") const;
  // The option's value as a non-negative number, `fallback` when absent.
  Result<unsigned long> GetNumber(const std::string& name, unsigned long fallback) const;
  const std::vector<std::string>& GetAll(const std::string& name) const;
  const std::vector<std::string>& positional() const { return positional_; }

 private:
  std::map<std::string, bool> takes_value_;
  std::map<std::string, std::string> aliases_;
  std::map<std::string, std::vector<std::string>> values_;
  std::vector<std::string> positional_;
};

}  // namespace digsig::cli
