#include <cstdio>

#include "base/arg_parser.h"
#include "signer/lib/parallel.h"
#include "signer/tools/commands.h"
#include "signer/tools/key_options.h"
#include "signer/tools/report.h"

namespace digsig::cli {

int RunVerify(const std::vector<std::string>& args) {
  ArgParser p;
  AddTrustOptions(p);
  p.Value("--jobs").Flag("--json").Flag("--quiet", "-q").Flag("--skip-non-elf");
  if (auto st = p.Parse(args); !st) return UsageError(st.error());
  const std::vector<std::string>& files = p.positional();
  if (files.empty()) return UsageError("no files to verify");
  auto trusted = LoadTrustedCertificates(p);
  if (!trusted) return UsageError(trusted.error().message());

  std::vector<std::optional<Result<FileVerification>>> results(files.size());
  Progress progress("verifying", files.size());
  auto jobs = p.GetNumber("--jobs", DefaultJobCount());
  if (!jobs) return UsageError(jobs.error());
  ParallelFor(
      files.size(), static_cast<unsigned>(*jobs),
      [&](size_t i) { results[i] = VerifyFile(files[i], *trusted); },
      [&](size_t done) { progress.Update(done); });
  progress.Finish();

  const bool json = p.Has("--json");
  const bool skip_non_elf = p.Has("--skip-non-elf");
  size_t failed = 0;
  std::vector<std::string> items;
  for (size_t i = 0; i < files.size(); ++i) {
    const Result<FileVerification>& r = *results[i];
    JsonObject j;
    j.Add("file", files[i]);
    if (r) {
      j.Add("status", "ok")
          .Add("kind", SignatureKindName(r->kind))
          .Add("hash", r->hash)
          .Add("signer", r->signer)
          .Add("key_id", r->key_id);
      if (!json && !p.Has("--quiet"))
        printf("%s: ok (%s signature, %s, signer \"%s\")\n", files[i].c_str(),
               SignatureKindName(r->kind), r->hash.c_str(), r->signer.c_str());
    } else if (skip_non_elf && r.error().code() == ErrorCode::kNotElf) {
      j.Add("status", "skipped").Add("reason", "not-elf");
    } else {
      ++failed;
      j.Add("status", "failed")
          .Add("reason", ErrorCodeName(r.error().code()))
          .Add("message", r.error().message());
      PrintFileError(files[i], r.error());
    }
    items.push_back(j.str());
  }
  if (json) printf("%s\n", JsonArray(items).c_str());
  return failed ? kExitFileFailed : kExitOk;
}

}  // namespace digsig::cli
