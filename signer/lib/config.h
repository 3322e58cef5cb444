// Signing configuration: named profiles in a YAML file, e.g.
//
//   default_profile: release
//   profiles:
//     release:
//       key: "pkcs11:token=product;object=release"   # or a PEM file path
//       cert: certs/release.pem
//       pkcs11_module: /usr/lib/softhsm/libsofthsm2.so
//       algorithm: rsa-3072      # optional: refuse any other key
//       hash: sha256
//       include: ["*"]           # fnmatch patterns on the file path
//       exclude: ["*.debug"]
//       ima: signed              # sign-tar: security.ima on none|signed|all files
//
// Relative paths are taken from the configuration file's directory.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "signer/lib/hash.h"
#include "signer/lib/result.h"
#include "signer/lib/signing_key.h"

namespace digsig {

// Which files of an archive sign-tar gives a security.ima signature.
enum class ImaCoverage { kNone, kSignedFiles, kAllFiles };

struct SigningProfile {
  std::string name;
  KeySpec key;
  std::optional<HashAlgo> hash;
  std::string algorithm;             // empty: any
  std::vector<std::string> include;  // empty: everything
  std::vector<std::string> exclude;
  std::optional<ImaCoverage> ima;

  // True when `path` is to be signed under this profile.
  bool Selects(const std::string& path) const;
};

struct SigningConfig {
  std::string default_profile;
  std::map<std::string, SigningProfile> profiles;
};

Result<SigningConfig> LoadSigningConfig(const std::string& path);
Result<SigningConfig> ParseSigningConfig(const std::string& yaml_text, const std::string& base_dir,
                                         const std::string& origin);

// The named profile, or the default one when `name` is empty.
Result<SigningProfile> SelectProfile(const SigningConfig& config, const std::string& name);

}  // namespace digsig
