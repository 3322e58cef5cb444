#include "signer/tools/report.h"

#include <unistd.h>

#include "base/json.h"
#include "signer/lib/certificate.h"
#include "signer/tools/commands.h"

namespace digsig::cli {

std::string JsonString(const std::string& s) { return base::JsonString(s); }

JsonObject& JsonObject::Add(const std::string& key, const std::string& value) {
  fields_.emplace_back(key, JsonString(value));
  return *this;
}

JsonObject& JsonObject::Add(const std::string& key, uint64_t value) {
  fields_.emplace_back(key, std::to_string(value));
  return *this;
}

JsonObject& JsonObject::Add(const std::string& key, bool value) {
  fields_.emplace_back(key, value ? "true" : "false");
  return *this;
}

JsonObject& JsonObject::AddPath(const std::string& key, const std::string& path) {
  Add(key, path);
  if (!base::IsValidUtf8(path))
    Add(key + "_hex",
        HexEncode(ByteSpan(reinterpret_cast<const uint8_t*>(path.data()), path.size())));
  return *this;
}

JsonObject& JsonObject::AddRaw(const std::string& key, const std::string& json) {
  fields_.emplace_back(key, json);
  return *this;
}

std::string JsonObject::str() const {
  std::string out = "{";
  for (size_t i = 0; i < fields_.size(); ++i) {
    if (i) out += ",";
    out += JsonString(fields_[i].first) + ":" + fields_[i].second;
  }
  return out + "}";
}

std::string JsonObject::Text() const {
  std::string out;
  for (const auto& [key, value] : fields_) {
    bool quoted = value.size() >= 2 && value.front() == '"';
    out += key + ": " + (quoted ? value.substr(1, value.size() - 2) : value) + "\n";
  }
  return out;
}

std::string JsonArray(const std::vector<std::string>& items) {
  std::string out = "[";
  for (size_t i = 0; i < items.size(); ++i) out += (i ? "," : "") + items[i];
  return out + "]";
}

std::string FileErrorLine(const std::string& path, const Error& error) {
  return "digsig: " + path + ": " + ErrorCodeName(error.code()) + ": " + error.message();
}

void PrintFileError(const std::string& path, const Error& error) {
  fprintf(stderr, "%s\n", FileErrorLine(path, error).c_str());
}

int FileErrorExit(const Error& error) {
  fprintf(stderr, "digsig: %s: %s\n", ErrorCodeName(error.code()), error.message().c_str());
  return kExitFileFailed;
}

Progress::Progress(std::string verb, size_t total)
    : verb_(std::move(verb)), total_(total), enabled_(total >= 20 && isatty(STDERR_FILENO)) {}

void Progress::Update(size_t done) {
  if (!enabled_) return;
  std::lock_guard<std::mutex> lock(mu_);
  if (done != total_ && done % 16 != 0) return;
  fprintf(stderr, "\r[%zu/%zu] %s", done, total_, verb_.c_str());
  fflush(stderr);
}

void Progress::Finish() {
  if (enabled_) fprintf(stderr, "\r\033[K");
}

}  // namespace digsig::cli
