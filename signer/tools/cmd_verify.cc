#include <cstdio>

#include "signer/lib/parallel.h"
#include "signer/tools/batch.h"
#include "signer/tools/commands.h"
#include "signer/tools/inputs.h"
#include "signer/tools/key_options.h"
#include "signer/tools/report.h"

namespace digsig::cli {

int RunVerify(const std::vector<std::string>& args) {
  ArgParser p;
  AddTrustOptions(p);
  p.Value("--jobs").Flag("--json").Flag("--quiet", "-q").Flag("--skip-non-elf");
  p.Flag("--recursive", "-r").Flag("--require-elf");
  if (auto st = p.Parse(args); !st) return UsageError(st.error());
  std::vector<std::string> missing;
  if (!p.Has("--cert") && !p.Has("--config")) missing.push_back("--cert CERT");
  if (p.positional().empty()) missing.push_back("FILE...");
  if (!missing.empty()) return MissingError("verify", missing);
  auto jobs = p.GetNumber("--jobs", DefaultJobCount());
  if (!jobs) return UsageError(jobs.error());
  const bool recursive = p.Has("--recursive");
  auto inputs = ExpandInputs(p.positional(), recursive);
  if (!inputs) return FileErrorExit(inputs.error());
  auto trusted = LoadTrustedCertificates(p);
  if (!trusted) return UsageError(trusted.error().message());

  std::vector<std::optional<Result<FileVerification>>> results(inputs->size());
  Progress progress("verifying", inputs->size());
  ParallelFor(
      inputs->size(), static_cast<unsigned>(*jobs),
      [&](size_t i) {
        if (!(*inputs)[i].not_regular) results[i] = VerifyFile((*inputs)[i].path, *trusted);
      },
      [&](size_t done) { progress.Update(done); });
  progress.Finish();

  // A tree holds more than ELF files: with -r, the others are skipped (and
  // counted) unless --require-elf.
  const bool skip_non_elf = p.Has("--skip-non-elf") || (recursive && !p.Has("--require-elf"));
  std::vector<Outcome> outcomes(inputs->size());
  for (size_t i = 0; i < inputs->size(); ++i) {
    Outcome& o = outcomes[i];
    if ((*inputs)[i].not_regular) {
      o.state = Outcome::kSkipped;
      o.detail = "not a regular file";
    } else if (*results[i]) {
      o.state = Outcome::kDone;
    } else if (skip_non_elf && results[i]->error().code() == ErrorCode::kNotElf) {
      o.state = Outcome::kSkipped;
      o.detail = "not-elf";
    } else {
      o.error = results[i]->error();
    }
  }
  const bool json = p.Has("--json");
  BatchReport report = ReportOutcomes(*inputs, outcomes, [&](JsonObject& j, size_t i) {
    const FileVerification& v = **results[i];
    j.Add("status", "ok")
        .Add("kind", SignatureKindName(v.kind))
        .Add("hash", v.hash)
        .Add("signer", v.signer)
        .Add("key_id", v.key_id);
    if (!json && !p.Has("--quiet"))
      printf("%s: ok (%s signature, %s, signer \"%s\")\n", (*inputs)[i].path.c_str(),
             SignatureKindName(v.kind), v.hash.c_str(), v.signer.c_str());
  });
  if (json) printf("%s\n", report.json.c_str());
  // One line for the whole tree; a list of files gets none, as before -r.
  if (recursive)
    fprintf(stderr, "digsig: verified %zu, skipped %zu, failed %zu\n", report.done, report.skipped,
            report.failed);
  return report.failed ? kExitFileFailed : kExitOk;
}

}  // namespace digsig::cli
