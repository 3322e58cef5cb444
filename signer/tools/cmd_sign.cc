#include <cstdio>
#include <set>

#include "signer/lib/parallel.h"
#include "signer/tools/commands.h"
#include "signer/tools/key_options.h"
#include "signer/tools/report.h"

namespace digsig::cli {
namespace {

std::string BaseName(const std::string& path) {
  size_t slash = path.rfind('/');
  return slash == std::string::npos ? path : path.substr(slash + 1);
}

// Maps each input to its output path according to -o/--out-dir/--in-place.
Result<std::vector<std::string>> OutputPaths(const ArgParser& p,
                                             const std::vector<std::string>& inputs) {
  const int modes = p.Has("--output") + p.Has("--out-dir") + p.Has("--in-place");
  if (modes != 1)
    return Error(ErrorCode::kInvalidArgument,
                 "say where signed files go: exactly one of -o OUT, --out-dir DIR, --in-place");
  std::vector<std::string> out;
  if (p.Has("--in-place")) return inputs;
  if (p.Has("--output")) {
    if (inputs.size() != 1)
      return Error(ErrorCode::kInvalidArgument,
                   "-o takes one input file; use --out-dir for several");
    return std::vector<std::string>{p.Get("--output")};
  }
  std::set<std::string> seen;
  for (const std::string& in : inputs) {
    std::string name = BaseName(in);
    if (!seen.insert(name).second)
      return Error(ErrorCode::kInvalidArgument,
                   "two inputs named " + name + " would collide in --out-dir");
    out.push_back(p.Get("--out-dir") + "/" + name);
  }
  return out;
}

}  // namespace

int RunSign(const std::vector<std::string>& args, SignatureKind kind) {
  ArgParser p;
  AddKeyOptions(p);
  p.Value("--output", "-o").Value("--out-dir").Flag("--in-place").Flag("--skip-non-elf");
  p.Flag("--auto").Flag("--require-elf");
  p.Value("--jobs").Flag("--json");
  if (auto st = p.Parse(args); !st) return UsageError(st.error());
  const std::vector<std::string>& files = p.positional();
  if (files.empty()) return UsageError("no files to sign");
  auto profile = ResolveProfile(p);
  if (!profile) return UsageError(profile.error().message());
  auto key = SigningKey::Load(profile->key);
  if (!key) return UsageError(key.error().message());
  if (!profile->algorithm.empty() && (*key)->algorithm() != profile->algorithm)
    return UsageError("profile '" + profile->name + "' requires a " + profile->algorithm +
                      " key, got " + (*key)->algorithm());
  const HashAlgo hash = profile->hash.value_or(HashAlgo::kSha256);

  auto outputs = OutputPaths(p, files);
  if (!outputs) return UsageError(outputs.error().message());

  enum class State { kSigned, kSkipped, kFailed };
  struct Outcome {
    State state = State::kFailed;
    std::string detail;
    std::optional<Error> error;
  };
  std::vector<Outcome> outcomes(files.size());
  Progress progress(kind == SignatureKind::kModule ? "signing modules" : "signing", files.size());
  auto jobs = p.GetNumber("--jobs", DefaultJobCount());
  if (!jobs) return UsageError(jobs.error());
  // --auto: what a build system wants for "everything this target makes".
  if (p.Has("--auto")) {
    if (kind != SignatureKind::kEmbedded) return UsageError("--auto is for sign, not sign-module");
    kind = SignatureKind::kAuto;
  }
  const bool copy_non_elf = p.Has("--auto") && !p.Has("--require-elf");
  const NonElfInput non_elf = copy_non_elf              ? NonElfInput::kCopy
                              : p.Has("--skip-non-elf") ? NonElfInput::kSkip
                                                        : NonElfInput::kFail;
  ParallelFor(
      files.size(), static_cast<unsigned>(*jobs),
      [&](size_t i) {
        Outcome& o = outcomes[i];
        if (!profile->Selects(files[i])) {
          o.state = State::kSkipped;
          o.detail = "excluded by profile";
          return;
        }
        auto r = SignFile({files[i], (*outputs)[i], kind}, **key, hash, non_elf);
        if (!r) {
          o.error = r.error();
        } else if (*r == SignOutcome::kSkippedNotElf) {
          o.state = State::kSkipped;
          o.detail = "not an ELF file";
        } else if (*r == SignOutcome::kCopiedNotElf) {
          o.state = State::kSkipped;
          o.detail = "not an ELF file, copied unchanged";
        } else {
          o.state = State::kSigned;
        }
      },
      [&](size_t done) { progress.Update(done); });
  progress.Finish();

  size_t signed_count = 0, skipped = 0, failed = 0;
  std::vector<std::string> json;
  for (size_t i = 0; i < files.size(); ++i) {
    const Outcome& o = outcomes[i];
    JsonObject j;
    j.Add("file", files[i]);
    switch (o.state) {
      case State::kSigned:
        ++signed_count;
        j.Add("status", "signed").Add("output", (*outputs)[i]).Add("kind", SignatureKindName(kind));
        break;
      case State::kSkipped:
        ++skipped;
        j.Add("status", "skipped").Add("reason", o.detail);
        break;
      case State::kFailed:
        ++failed;
        j.Add("status", "failed")
            .Add("reason", ErrorCodeName(o.error->code()))
            .Add("message", o.error->message());
        PrintFileError(files[i], *o.error);
        break;
    }
    json.push_back(j.str());
  }
  if (p.Has("--json")) printf("%s\n", JsonArray(json).c_str());
  fprintf(stderr, "digsig: signed %zu, skipped %zu, failed %zu (%s, %s, %s)\n", signed_count,
          skipped, failed, (*key)->algorithm().c_str(), HashAlgoName(hash),
          SignatureKindName(kind));
  return failed ? kExitFileFailed : kExitOk;
}

}  // namespace digsig::cli
