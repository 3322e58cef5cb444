#include <cstdio>

#include "signer/lib/parallel.h"
#include "signer/lib/tar_signing.h"
#include "signer/tools/commands.h"
#include "signer/tools/key_options.h"
#include "signer/tools/report.h"

namespace digsig::cli {

int RunSignTar(const std::vector<std::string>& args) {
  ArgParser p;
  AddKeyOptions(p);
  p.Value("--output", "-o").Value("--jobs").Value("--spool-dir").Value("--format");
  p.Value("--compression");
  p.Flag("--json").Flag("--ima").Flag("--ima-all").Flag("--no-manifest");
  if (auto st = p.Parse(args); !st) return UsageError(st.error());
  if (p.positional().size() > 1)
    return UsageError("sign-tar takes one input archive and -o OUT ('-' for stdin/stdout)");
  auto profile = ResolveProfile(p);
  if (!profile) return UsageError(profile.error().message());
  std::vector<std::string> missing;
  if (profile->key.key.empty()) missing.push_back("--key KEY");
  if (profile->key.cert.empty()) missing.push_back("--cert CERT");
  if (!p.Has("--output")) missing.push_back("-o OUT");
  if (p.positional().empty()) missing.push_back("IN.tar");
  if (!missing.empty()) return MissingError("sign-tar", missing);
  auto jobs = p.GetNumber("--jobs", DefaultJobCount());
  if (!jobs) return UsageError(jobs.error());
  TarSignOptions options;
  if (p.Has("--format")) {
    auto format = TarFormatFromName(p.Get("--format"));
    if (!format)
      return UsageError("unknown --format '" + p.Get("--format") + "' (ustar, gnu, pax)");
    options.format = *format;
  }
  if (p.Has("--compression")) {
    auto compression = TarCompressionFromName(p.Get("--compression"));
    if (!compression)
      return UsageError("unknown --compression '" + p.Get("--compression") +
                        "' (none, gzip, xz, zstd, bzip2)");
    options.compression = *compression;
  }
  auto key = SigningKey::Load(profile->key);
  if (!key) return UsageError(key.error().message());
  options.hash = profile->hash.value_or(HashAlgo::kSha256);
  // Flags win over the profile's ima setting.
  const ImaCoverage ima = p.Has("--ima-all") ? ImaCoverage::kAllFiles
                          : p.Has("--ima")   ? ImaCoverage::kSignedFiles
                                             : profile->ima.value_or(ImaCoverage::kNone);
  options.ima = ima != ImaCoverage::kNone;
  options.ima_all_files = ima == ImaCoverage::kAllFiles;
  options.manifest = !p.Has("--no-manifest");
  options.jobs = static_cast<unsigned>(*jobs);
  options.spool.directory = p.Get("--spool-dir");
  if (options.ima && options.format != TarFormat::kAsInput && options.format != TarFormat::kPax)
    return UsageError("--ima needs the pax format (extended attributes)");
  const std::string& input = p.positional()[0];
  auto report = SignTar(input, p.Get("--output"), **key, options);
  if (!report) {
    PrintFileError(input, report.error());
    return kExitFileFailed;
  }
  if (p.Has("--json"))
    printf("%s\n", JsonObject()
                       .Add("archive", input)
                       .Add("entries", report->entries)
                       .Add("signed_elf", report->signed_elf)
                       .Add("signed_modules", report->signed_modules)
                       .Add("ima_signatures", report->ima_signatures)
                       .Add("ima_replaced", report->ima_replaced)
                       .Add("evm_dropped", report->evm_dropped)
                       .Add("spooled", report->spooled)
                       .Add("manifest", options.manifest)
                       .str()
                       .c_str());
  // Signatures of another key that were replaced or dropped are said, so a
  // re-signed vendor image shows what changed hands.
  fprintf(stderr,
          "digsig: %s: %llu entries, signed %llu ELF files and %llu kernel modules, "
          "%llu IMA signatures (%llu replacing another key's), %llu EVM signatures dropped%s\n",
          input.c_str(), static_cast<unsigned long long>(report->entries),
          static_cast<unsigned long long>(report->signed_elf),
          static_cast<unsigned long long>(report->signed_modules),
          static_cast<unsigned long long>(report->ima_signatures),
          static_cast<unsigned long long>(report->ima_replaced),
          static_cast<unsigned long long>(report->evm_dropped),
          options.manifest ? ", signed manifest" : "");
  return kExitOk;
}

}  // namespace digsig::cli
