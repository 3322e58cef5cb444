#include <cstdio>

#include "signer/lib/parallel.h"
#include "signer/tools/batch.h"
#include "signer/tools/commands.h"
#include "signer/tools/inputs.h"
#include "signer/tools/key_options.h"
#include "signer/tools/report.h"

namespace digsig::cli {

int RunSign(const std::vector<std::string>& args, SignatureKind kind) {
  const char* command = kind == SignatureKind::kModule ? "sign-module" : "sign";
  ArgParser p;
  AddKeyOptions(p);
  p.Value("--output", "-o").Value("--out-dir").Flag("--in-place").Flag("--skip-non-elf");
  p.Flag("--auto").Flag("--require-elf").Flag("--recursive", "-r");
  p.Value("--jobs").Flag("--json");
  if (auto st = p.Parse(args); !st) return UsageError(st.error());
  auto profile = ResolveProfile(p);
  if (!profile) return UsageError(profile.error().message());
  std::vector<std::string> missing;
  if (profile->key.key.empty()) missing.push_back("--key KEY");
  if (profile->key.cert.empty()) missing.push_back("--cert CERT");
  if (!p.Has("--output") && !p.Has("--out-dir") && !p.Has("--in-place"))
    missing.push_back("(-o OUT | --out-dir DIR | --in-place)");
  if (p.positional().empty())
    missing.push_back(kind == SignatureKind::kModule ? "MODULE.ko..." : "FILE...");
  if (!missing.empty()) return MissingError(command, missing);
  // --auto: what a build system wants for "everything this target makes".
  if (p.Has("--auto")) {
    if (kind != SignatureKind::kEmbedded) return UsageError("--auto is for sign, not sign-module");
    kind = SignatureKind::kAuto;
  }
  auto jobs = p.GetNumber("--jobs", DefaultJobCount());
  if (!jobs) return UsageError(jobs.error());
  const bool recursive = p.Has("--recursive");
  auto inputs = ExpandInputs(p.positional(), recursive);
  if (!inputs) return FileErrorExit(inputs.error());
  auto outputs = OutputPaths({p.Get("--output"), p.Get("--out-dir"), p.Has("--in-place")}, *inputs);
  if (!outputs) return UsageError(outputs.error().message());
  auto key = SigningKey::Load(profile->key);
  if (!key) return UsageError(key.error().message());
  if (!profile->algorithm.empty() && (*key)->algorithm() != profile->algorithm)
    return UsageError("profile '" + profile->name + "' requires a " + profile->algorithm +
                      " key, got " + (*key)->algorithm());
  const HashAlgo hash = profile->hash.value_or(HashAlgo::kSha256);
  if (recursive && p.Has("--out-dir")) {
    if (Status st = MakeOutputDirectories(p.Get("--out-dir"), *inputs); !st) {
      PrintFileError(p.Get("--out-dir"), st.error());
      return kExitFileFailed;
    }
  }

  // A tree holds more than ELF files: with -r, the others are skipped (and
  // counted) unless --require-elf.
  const bool copy_non_elf = p.Has("--auto") && !p.Has("--require-elf");
  const bool skip_non_elf = p.Has("--skip-non-elf") || (recursive && !p.Has("--require-elf"));
  const NonElfInput non_elf = copy_non_elf   ? NonElfInput::kCopy
                              : skip_non_elf ? NonElfInput::kSkip
                                             : NonElfInput::kFail;
  std::vector<Outcome> outcomes(inputs->size());
  Progress progress(kind == SignatureKind::kModule ? "signing modules" : "signing", inputs->size());
  ParallelFor(
      inputs->size(), static_cast<unsigned>(*jobs),
      [&](size_t i) {
        const Input& in = (*inputs)[i];
        Outcome& o = outcomes[i];
        if (in.not_regular) {
          o.state = Outcome::kSkipped;
          o.detail = "not a regular file";
          return;
        }
        if (!profile->Selects(in.path)) {
          o.state = Outcome::kSkipped;
          o.detail = "excluded by profile";
          return;
        }
        auto r = SignFile({in.path, (*outputs)[i], kind}, **key, hash, non_elf);
        if (!r) {
          o.error = r.error();
        } else if (*r == SignOutcome::kSkippedNotElf) {
          o.state = Outcome::kSkipped;
          o.detail = "not an ELF file";
        } else if (*r == SignOutcome::kCopiedNotElf) {
          o.state = Outcome::kSkipped;
          o.detail = "not an ELF file, copied unchanged";
        } else {
          o.state = Outcome::kDone;
        }
      },
      [&](size_t done) { progress.Update(done); });
  progress.Finish();

  BatchReport report = ReportOutcomes(*inputs, outcomes, [&](JsonObject& j, size_t i) {
    j.Add("status", "signed").AddPath("output", (*outputs)[i]).Add("kind", SignatureKindName(kind));
  });
  if (p.Has("--json")) printf("%s\n", report.json.c_str());
  fprintf(stderr, "digsig: signed %zu, skipped %zu, failed %zu (%s, %s, %s)\n", report.done,
          report.skipped, report.failed, (*key)->algorithm().c_str(), HashAlgoName(hash),
          SignatureKindName(kind));
  return report.failed ? kExitFileFailed : kExitOk;
}

}  // namespace digsig::cli
