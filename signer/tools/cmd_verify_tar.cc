#include <cstdio>

#include "signer/lib/parallel.h"
#include "signer/lib/tar_verification.h"
#include "signer/tools/commands.h"
#include "signer/tools/key_options.h"
#include "signer/tools/report.h"

namespace digsig::cli {

int RunVerifyTar(const std::vector<std::string>& args) {
  ArgParser p;
  AddTrustOptions(p);
  p.Value("--hash").Value("--jobs").Value("--spool-dir");
  p.Flag("--json").Flag("--quiet", "-q").Flag("--no-manifest");
  if (auto st = p.Parse(args); !st) return UsageError(st.error());
  std::vector<std::string> missing;
  if (!p.Has("--cert") && !p.Has("--config")) missing.push_back("--cert CERT");
  if (p.positional().empty()) missing.push_back("ARCHIVE");
  if (!missing.empty()) return MissingError("verify-tar", missing);
  if (p.positional().size() != 1) return UsageError("verify-tar takes one archive ('-': stdin)");
  auto trusted = LoadTrustedCertificates(p);
  if (!trusted) return UsageError(trusted.error().message());
  TarVerifyOptions options;
  if (p.Has("--hash")) {
    auto hash = HashAlgoFromName(p.Get("--hash"));
    if (!hash) return UsageError("unknown hash '" + p.Get("--hash") + "' (sha256, sha384, sha512)");
    options.hash = *hash;
  }
  auto jobs = p.GetNumber("--jobs", DefaultJobCount());
  if (!jobs) return UsageError(jobs.error());
  options.jobs = static_cast<unsigned>(*jobs);
  options.require_manifest = !p.Has("--no-manifest");
  options.spool.directory = p.Get("--spool-dir");

  const std::string& input = p.positional()[0];
  auto result = VerifyTar(input, *trusted, options);
  if (!result) {
    PrintFileError(input, result.error());
    return kExitFileFailed;
  }
  std::vector<std::string> findings;
  for (const TarFinding& f : result->findings) {
    fprintf(stderr, "digsig: %s: %s: %s%s%s\n", input.c_str(), f.where.c_str(), f.problem.c_str(),
            f.detail.empty() ? "" : ": ", f.detail.c_str());
    findings.push_back(
        JsonObject().Add("where", f.where).Add("problem", f.problem).Add("detail", f.detail).str());
  }
  if (p.Has("--json")) {
    printf("%s\n", JsonObject()
                       .Add("archive", input)
                       .Add("status", result->ok() ? "ok" : "failed")
                       .Add("entries", result->entries)
                       .Add("verified_elf", result->verified_elf)
                       .Add("verified_modules", result->verified_modules)
                       .Add("verified_ima", result->verified_ima)
                       .Add("manifest_verified", result->manifest_verified)
                       .AddRaw("findings", JsonArray(findings))
                       .str()
                       .c_str());
  } else if (!p.Has("--quiet")) {
    printf(
        "%s: %s (%llu entries, %llu ELF files and %llu kernel modules verified, %llu IMA "
        "signatures, manifest %s, %zu finding%s)\n",
        input.c_str(), result->ok() ? "ok" : "FAILED",
        static_cast<unsigned long long>(result->entries),
        static_cast<unsigned long long>(result->verified_elf),
        static_cast<unsigned long long>(result->verified_modules),
        static_cast<unsigned long long>(result->verified_ima),
        result->manifest_verified ? "verified" : "not verified", result->findings.size(),
        result->findings.size() == 1 ? "" : "s");
  }
  return result->ok() ? kExitOk : kExitFileFailed;
}

}  // namespace digsig::cli
