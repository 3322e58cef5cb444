#include "signer/tools/key_options.h"

#include "signer/lib/certificate.h"

namespace digsig::cli {

void AddKeyOptions(ArgParser& parser) {
  parser.Value("--config").Value("--profile").Value("--key").Value("--cert").Value("--hash");
  parser.Value("--pkcs11-module").Flag("--allow-insecure-key");
}

Result<SigningProfile> ResolveProfile(const ArgParser& p) {
  SigningProfile profile;
  if (p.Has("--config")) {
    auto cfg = LoadSigningConfig(p.Get("--config"));
    if (!cfg) return cfg.error();
    auto selected = SelectProfile(*cfg, p.Get("--profile"));
    if (!selected) return selected.error();
    profile = std::move(*selected);
  } else if (p.Has("--profile")) {
    return Error(ErrorCode::kInvalidArgument, "--profile needs --config");
  }
  if (p.Has("--key")) profile.key.key = p.Get("--key");
  if (p.Has("--cert")) profile.key.cert = p.Get("--cert");
  if (p.Has("--pkcs11-module")) profile.key.pkcs11_module = p.Get("--pkcs11-module");
  if (p.Has("--allow-insecure-key")) profile.key.allow_insecure_key_file = true;
  if (p.Has("--hash")) {
    profile.hash = HashAlgoFromName(p.Get("--hash"));
    if (!profile.hash)
      return Error(ErrorCode::kInvalidArgument,
                   "unknown hash '" + p.Get("--hash") + "' (sha256, sha384, sha512)");
  }
  return profile;
}

void AddTrustOptions(ArgParser& parser) {
  parser.Value("--cert").Value("--config").Value("--profile");
}

Result<std::vector<CertPtr>> LoadTrustedCertificates(const ArgParser& p) {
  std::vector<std::string> cert_paths = p.GetAll("--cert");
  if (p.Has("--config")) {
    auto cfg = LoadSigningConfig(p.Get("--config"));
    if (!cfg) return cfg.error();
    auto profile = SelectProfile(*cfg, p.Get("--profile"));
    if (!profile) return profile.error();
    if (!profile->key.cert.empty()) cert_paths.push_back(profile->key.cert);
  }
  if (cert_paths.empty())
    return Error(ErrorCode::kInvalidArgument, "verifying needs at least one --cert");
  std::vector<CertPtr> trusted;
  for (const std::string& path : cert_paths) {
    auto certs = LoadCertificates(path);
    if (!certs) return certs.error();
    trusted.insert(trusted.end(), certs->begin(), certs->end());
  }
  return trusted;
}

}  // namespace digsig::cli
