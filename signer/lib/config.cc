#include "signer/lib/config.h"

#include <fnmatch.h>
#include <yaml-cpp/yaml.h>

#include "signer/lib/file_io.h"
#include "signer/lib/path.h"

namespace digsig {
namespace {

std::string Resolve(const std::string& base_dir, const std::string& path) {
  if (path.empty() || path[0] == '/' || IsPkcs11Uri(path) || base_dir.empty()) return path;
  return base_dir == "/" ? "/" + path : base_dir + "/" + path;
}

bool AnyMatch(const std::vector<std::string>& patterns, const std::string& path) {
  for (const std::string& p : patterns)
    if (fnmatch(p.c_str(), path.c_str(), 0) == 0) return true;
  return false;
}

Result<SigningProfile> ParseProfile(const std::string& name, const YAML::Node& node,
                                    const std::string& base_dir, const std::string& origin) {
  auto bad = [&](const std::string& why) {
    return Error(ErrorCode::kConfig, origin + ": profile '" + name + "': " + why);
  };
  if (!node.IsMap()) return bad("must be a mapping");
  static const char* kKnown[] = {
      "key",  "cert",    "pkcs11_module", "pkcs11_pin_env",     "algorithm",
      "hash", "include", "exclude",       "allow_insecure_key", "ima"};
  for (const auto& kv : node) {
    std::string k = kv.first.as<std::string>();
    bool known = false;
    for (const char* n : kKnown) known |= k == n;
    if (!known) return bad("unknown setting '" + k + "'");
    if (kv.second.IsNull()) return bad("setting '" + k + "' has no value");
  }
  SigningProfile p;
  p.name = name;
  if (node["key"]) p.key.key = Resolve(base_dir, node["key"].as<std::string>());
  if (node["cert"]) p.key.cert = Resolve(base_dir, node["cert"].as<std::string>());
  if (node["pkcs11_module"]) p.key.pkcs11_module = node["pkcs11_module"].as<std::string>();
  if (node["pkcs11_pin_env"]) p.key.pkcs11_pin_env = node["pkcs11_pin_env"].as<std::string>();
  if (node["allow_insecure_key"])
    p.key.allow_insecure_key_file = node["allow_insecure_key"].as<bool>();
  if (node["algorithm"]) p.algorithm = node["algorithm"].as<std::string>();
  if (node["hash"]) {
    std::string h = node["hash"].as<std::string>();
    p.hash = HashAlgoFromName(h);
    if (!p.hash) return bad("unknown hash '" + h + "' (sha256, sha384, sha512)");
  }
  if (node["ima"]) {
    const std::string v = node["ima"].as<std::string>();
    if (v == "none")
      p.ima = ImaCoverage::kNone;
    else if (v == "signed")
      p.ima = ImaCoverage::kSignedFiles;
    else if (v == "all")
      p.ima = ImaCoverage::kAllFiles;
    else
      return bad("ima must be none, signed or all, not '" + v + "'");
  }
  for (const char* list : {"include", "exclude"}) {
    if (!node[list]) continue;
    if (!node[list].IsSequence()) return bad(std::string(list) + " must be a list of patterns");
    auto& dst = std::string(list) == "include" ? p.include : p.exclude;
    for (const auto& item : node[list]) dst.push_back(item.as<std::string>());
  }
  return p;
}

}  // namespace

bool SigningProfile::Selects(const std::string& path) const {
  if (!include.empty() && !AnyMatch(include, path)) return false;
  return !AnyMatch(exclude, path);
}

Result<SigningConfig> ParseSigningConfig(const std::string& yaml_text, const std::string& base_dir,
                                         const std::string& origin) {
  try {
    YAML::Node root = YAML::Load(yaml_text);
    if (!root.IsMap()) return Error(ErrorCode::kConfig, origin + ": top level must be a mapping");
    SigningConfig cfg;
    for (const auto& kv : root) {
      std::string k = kv.first.as<std::string>();
      if (k != "profiles" && k != "default_profile")
        return Error(ErrorCode::kConfig, origin + ": unknown top-level setting '" + k + "'");
    }
    if (root["default_profile"]) cfg.default_profile = root["default_profile"].as<std::string>();
    const YAML::Node profiles = root["profiles"];
    if (!profiles || !profiles.IsMap() || profiles.size() == 0)
      return Error(ErrorCode::kConfig,
                   origin + ": needs a 'profiles' mapping with at least one profile");
    for (const auto& kv : profiles) {
      std::string name = kv.first.as<std::string>();
      auto p = ParseProfile(name, kv.second, base_dir, origin);
      if (!p) return p.error();
      cfg.profiles.emplace(name, std::move(*p));
    }
    if (cfg.default_profile.empty() && cfg.profiles.size() == 1)
      cfg.default_profile = cfg.profiles.begin()->first;
    return cfg;
  } catch (const YAML::Exception& e) {
    // yaml-cpp reports errors by exception; they stop here.
    return Error(ErrorCode::kConfig, origin + ": " + e.what());
  }
}

Result<SigningConfig> LoadSigningConfig(const std::string& path) {
  auto bytes = ReadWholeFile(path, 1 << 20);
  if (!bytes) return bytes.error();
  return ParseSigningConfig(std::string(bytes->begin(), bytes->end()), DirName(path), path);
}

Result<SigningProfile> SelectProfile(const SigningConfig& config, const std::string& name) {
  std::string want = name.empty() ? config.default_profile : name;
  if (want.empty())
    return Error(ErrorCode::kConfig, "several profiles and no default_profile: pass --profile");
  auto it = config.profiles.find(want);
  if (it == config.profiles.end())
    return Error(ErrorCode::kConfig, "no profile named '" + want + "'");
  return it->second;
}

}  // namespace digsig
