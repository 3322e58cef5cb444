#include "signer/lib/tar_verification.h"

#include <memory>
#include <optional>

#include "signer/lib/entry_verification.h"
#include "signer/lib/ordered_work.h"
#include "signer/lib/parallel.h"
#include "signer/lib/pkcs7.h"
#include "signer/lib/tar_archive.h"
#include "signer/lib/tar_entry_reader.h"
#include "signer/lib/tar_manifest.h"

namespace digsig {
namespace {

struct PendingCheck {
  std::unique_ptr<ArchiveItem> item;
  Result<EntryVerification> result = Error(ErrorCode::kInvalidArgument, "not processed");
};

// The problem names verify-tar reports: the error code's name ("altered",
// "unknown-signer"...) after a prefix saying what failed.
std::string ProblemName(const Error& e, const char* prefix) {
  return std::string(prefix) + ErrorCodeName(e.code());
}

class TarVerifier {
 public:
  TarVerifier(archive* in, const std::vector<CertPtr>& trusted, const TarVerifyOptions& options)
      : reader_(in, options.spool), trusted_(trusted), options_(options) {}

  Result<TarVerification> Run() {
    OrderedWork<PendingCheck> work(
        options_.jobs ? options_.jobs : DefaultJobCount(), {},
        [this](PendingCheck& c) {
          c.result =
              VerifyEntryContent(c.item->entry.get(), *c.item->content, trusted_, options_.hash);
        },
        [this](PendingCheck& c) { return Record(c); });
    for (;;) {
      auto item = reader_.Next();
      if (!item) return item.error();
      if (!*item) break;
      if ((*item)->is_manifest() && KeepManifestPart(**item)) continue;
      ++report_.entries;
      auto pending = std::make_unique<PendingCheck>();
      pending->item = std::move(*item);
      const bool has_content = pending->item->content.has_value();
      const uint64_t memory = has_content ? pending->item->content->memory() : 0;
      DIGSIG_RETURN_IF_ERROR(work.Submit(std::move(pending), memory, has_content));
    }
    DIGSIG_RETURN_IF_ERROR(work.Finish());
    CheckManifest();
    return std::move(report_);
  }

 private:
  // The first manifest and signature entries are kept aside; a second copy
  // is an ordinary (and therefore added) entry.
  bool KeepManifestPart(ArchiveItem& item) {
    if (!item.content) return false;
    std::string_view name(archive_entry_pathname(item.entry.get()));
    auto& slot = name.ends_with(".p7s") ? manifest_signature_ : manifest_text_;
    if (slot) return false;
    slot.emplace(std::move(*item.content));
    return true;
  }

  void Find(std::string where, std::string problem, std::string detail) {
    report_.findings.push_back({std::move(where), std::move(problem), std::move(detail)});
  }

  Status Record(PendingCheck& c) {
    const ArchiveItem& item = *c.item;
    Bytes digest;
    if (item.content) {
      if (!c.result) return c.result.error().Wrap(item.Where());
      const EntryVerification& v = *c.result;
      digest = v.content_digest;
      if (v.elf_problem)
        Find(item.Where(), ProblemName(*v.elf_problem, ""), v.elf_problem->message());
      else if (v.elf)
        ++(v.module ? report_.verified_modules : report_.verified_elf);
      if (v.ima_problem)
        Find(item.Where(), ProblemName(*v.ima_problem, "ima-"), v.ima_problem->message());
      else if (v.has_ima)
        ++report_.verified_ima;
    }
    auto described = DescribeEntry(item.entry.get(), digest, options_.hash);
    if (!described) return described.error().Wrap(item.Where());
    actual_.push_back(std::move(*described));
    return Status::Ok();
  }

  void CheckManifest() {
    if (!manifest_text_ || !manifest_signature_) {
      if (options_.require_manifest)
        Find("archive", "manifest-missing", "no signed manifest (.digsig/manifest and .p7s)");
      return;
    }
    // The parser is strict and bounded, so the declared hash can be read
    // before the signature is checked; a mismatch is reported as such.
    ByteSpan text = manifest_text_->bytes();
    auto manifest = ParseManifest(text);
    if (!manifest) {
      Find(kManifestPath, "manifest-malformed", manifest.error().message());
      return;
    }
    if (manifest->hash != options_.hash) {
      Find(kManifestPath, "manifest-unsupported",
           std::string("the manifest uses ") + HashAlgoName(manifest->hash) +
               "; verify with --hash " + HashAlgoName(manifest->hash));
      return;
    }
    auto signer = Pkcs7VerifyDetached(manifest_signature_->bytes(), text, trusted_, options_.hash);
    if (!signer) {
      Find(kManifestPath, ProblemName(signer.error(), "manifest-"), signer.error().message());
      return;
    }
    report_.manifest_verified = true;
    report_.manifest_entries = manifest->entries.size();
    for (const ManifestDifference& d : CompareManifests(*manifest, actual_))
      Find("'" + EscapeManifestField(d.path) + "'", ManifestDifferenceName(d.kind), d.detail);
  }

  TarEntryReader reader_;
  const std::vector<CertPtr>& trusted_;
  const TarVerifyOptions& options_;
  std::optional<EntryContent> manifest_text_;
  std::optional<EntryContent> manifest_signature_;
  std::vector<ManifestEntry> actual_;
  TarVerification report_;
};

}  // namespace

Result<TarVerification> VerifyTar(const std::string& input, const std::vector<CertPtr>& trusted,
                                  const TarVerifyOptions& options) {
  Utf8LocaleScope utf8;  // names read as sign-tar read them
  auto in = OpenTarReader(input);
  if (!in) return in.error();
  TarVerifier verifier(in->get(), trusted, options);
  return verifier.Run();
}

}  // namespace digsig
