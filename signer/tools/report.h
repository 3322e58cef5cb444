// Output helpers shared by the subcommands: JSON for machines, a progress
// line for people at a terminal, one-line errors naming the file.
#pragma once

#include <cstdio>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "signer/lib/result.h"

namespace digsig::cli {

// JSON string literal, quotes included; base/json.h says how bytes that are
// not UTF-8 (file names may hold any byte) are written.
std::string JsonString(const std::string& s);

// A flat JSON object built field by field, in insertion order.
class JsonObject {
 public:
  JsonObject& Add(const std::string& key, const std::string& value);
  JsonObject& Add(const std::string& key, const char* value) {
    return Add(key, std::string(value));
  }
  JsonObject& Add(const std::string& key, uint64_t value);
  JsonObject& Add(const std::string& key, bool value);
  // A file name: as text, and when it is not UTF-8 also its exact bytes in
  // hex as "<key>_hex" (the text's \u00XX escapes cannot tell a stray byte
  // from the Latin-1 character once parsed; base/json.h).
  JsonObject& AddPath(const std::string& key, const std::string& path);
  JsonObject& AddRaw(const std::string& key, const std::string& json);
  std::string str() const;
  // The same fields as "key: value" lines, for people.
  std::string Text() const;

 private:
  std::vector<std::pair<std::string, std::string>> fields_;
};

// "[a,b,c]" from already-encoded JSON values.
std::string JsonArray(const std::vector<std::string>& items);

// "digsig: PATH: reason: detail", no newline.
std::string FileErrorLine(const std::string& path, const Error& error);
// That line on stderr.
void PrintFileError(const std::string& path, const Error& error);
// "digsig: reason: detail" on stderr (the detail names the file); returns
// the exit status of a file failure.
int FileErrorExit(const Error& error);

// "\r[done/total] verb" on stderr, only when stderr is a terminal and the
// batch is long enough to be worth it. Thread-safe.
class Progress {
 public:
  Progress(std::string verb, size_t total);
  void Update(size_t done);
  void Finish();

 private:
  std::string verb_;
  size_t total_;
  bool enabled_;
  std::mutex mu_;
};

}  // namespace digsig::cli
