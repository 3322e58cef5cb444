// digsig revoke: writes a signed revocation list for digsig.ko
// (docs/format.md section 11); digsig show-revocations verifies one and
// prints what it revokes.
#include <charconv>
#include <cstdio>

#include "signer/lib/certificate.h"
#include "signer/lib/elf_signature.h"
#include "signer/lib/file_io.h"
#include "signer/lib/revocation_list.h"
#include "signer/tools/commands.h"
#include "signer/tools/key_options.h"
#include "signer/tools/report.h"

namespace digsig::cli {
namespace {

Result<Bytes> ReadWhole(const std::string& path) {
  auto file = MappedFile::Open(path);
  if (!file) return file.error();
  return Bytes(file->bytes().begin(), file->bytes().end());
}

// The subject key identifiers of every certificate in `path`.
Status AddRevokedCerts(const std::string& path, RevocationList& list) {
  auto certs = LoadCertificates(path);
  if (!certs) return certs.error();
  for (const CertPtr& cert : *certs) {
    Bytes id = CertSubjectKeyId(cert.get());
    if (id.empty())
      return Error(ErrorCode::kUnsuitableCertificate,
                   path + ": certificate has no subject key identifier; use --revoke-key-id");
    list.key_ids.insert(std::move(id));
  }
  return {};
}

// The signed digest of a signed ELF file: what digsig.ko compares.
Status AddRevokedFile(const std::string& path, RevocationList& list) {
  auto file = MappedFile::Open(path);
  if (!file) return file.error();
  auto sig = LocateSignature(file->bytes());
  if (!sig) return Error(sig.error().code(), path + ": " + sig.error().message());
  list.digests.emplace(sig->hash(), Bytes(sig->digest().begin(), sig->digest().end()));
  return {};
}

// "sha256:HEX" (also sha384, sha512).
Status AddRevokedDigest(const std::string& spec, RevocationList& list) {
  size_t colon = spec.find(':');
  auto algo = HashAlgoFromName(spec.substr(0, colon));
  auto digest = colon == std::string::npos ? std::nullopt : HexDecode(spec.substr(colon + 1));
  if (!algo || !digest || digest->size() != HashAlgoSize(*algo))
    return Error(ErrorCode::kInvalidArgument,
                 "--revoke-digest wants ALGO:HEX with a whole digest, got '" + spec + "'");
  list.digests.emplace(*algo, std::move(*digest));
  return {};
}

Status AddRevokedKeyId(const std::string& hex, RevocationList& list) {
  auto id = HexDecode(hex);
  if (!id || id->empty())
    return Error(ErrorCode::kInvalidArgument, "--revoke-key-id wants hex, got '" + hex + "'");
  list.key_ids.insert(std::move(*id));
  return {};
}

Status CollectEntries(const ArgParser& p, RevocationList& list) {
  for (const std::string& v : p.GetAll("--revoke-cert"))
    if (Status st = AddRevokedCerts(v, list); !st) return st;
  for (const std::string& v : p.GetAll("--revoke-key-id"))
    if (Status st = AddRevokedKeyId(v, list); !st) return st;
  for (const std::string& v : p.GetAll("--revoke-file"))
    if (Status st = AddRevokedFile(v, list); !st) return st;
  for (const std::string& v : p.GetAll("--revoke-digest"))
    if (Status st = AddRevokedDigest(v, list); !st) return st;
  return {};
}

}  // namespace

int RunRevoke(const std::vector<std::string>& args) {
  ArgParser p;
  AddKeyOptions(p);
  p.Value("--output", "-o").Value("--sequence").Value("--merge");
  p.Value("--revoke-cert").Value("--revoke-key-id").Value("--revoke-file").Value("--revoke-digest");
  if (auto st = p.Parse(args); !st) return UsageError(st.error());
  if (!p.positional().empty()) return UsageError("revoke takes no positional arguments");
  std::vector<std::string> missing;
  if (!p.Has("--config") && !p.Has("--key")) missing.push_back("--key KEY");
  if (!p.Has("--config") && !p.Has("--cert")) missing.push_back("--cert CERT");
  if (!p.Has("--sequence")) missing.push_back("--sequence N");
  if (!p.Has("--output")) missing.push_back("-o LIST");
  if (!missing.empty()) return MissingError("revoke", missing);
  // Up to 18 digits (docs/format.md section 11), more than GetNumber takes.
  uint64_t sequence = 0;
  const std::string seq_text = p.Get("--sequence");
  auto [end, ec] = std::from_chars(seq_text.data(), seq_text.data() + seq_text.size(), sequence);
  if (seq_text.empty() || ec != std::errc() || end != seq_text.data() + seq_text.size() ||
      sequence == 0 || seq_text.size() > 18)
    return UsageError("--sequence N is required, N from 1 to 999999999999999999");
  auto profile = ResolveProfile(p);
  if (!profile) return UsageError(profile.error().message());
  auto key = SigningKey::Load(profile->key);
  if (!key) return UsageError(key.error().message());

  RevocationList list;
  list.sequence = sequence;
  if (p.Has("--merge")) {
    // The previous list must be ours: verified against the signing certificate.
    const std::string& old_path = p.Get("--merge");
    auto bytes = ReadWhole(old_path);
    std::vector<CertPtr> own;
    own.push_back(ShareCert(X509_dup((*key)->cert())));
    auto old = bytes ? VerifyRevocationList(*bytes, own) : Result<RevocationList>(bytes.error());
    if (!old) {
      PrintFileError(old_path, old.error());
      return kExitFileFailed;
    }
    if (old->sequence >= list.sequence)
      return UsageError("--sequence must be above the merged list's " +
                        std::to_string(old->sequence));
    list.Merge(*old);
  }
  if (Status st = CollectEntries(p, list); !st) {
    std::fprintf(stderr, "digsig: %s\n", st.error().message().c_str());
    return st.error().code() == ErrorCode::kInvalidArgument ? kExitUsage : kExitFileFailed;
  }
  auto signed_list = SignRevocationList(list, **key);
  if (!signed_list) return UsageError(signed_list.error().message());
  const std::string& out = p.Get("--output");
  if (Status st = WriteFileAtomically(out, {ByteSpan(*signed_list)}, {}); !st) {
    PrintFileError(out, st.error());
    return kExitFileFailed;
  }
  std::printf("%s: revocation list %llu: %zu certificates, %zu digests\n", out.c_str(),
              static_cast<unsigned long long>(list.sequence), list.key_ids.size(),
              list.digests.size());
  return kExitOk;
}

int RunShowRevocations(const std::vector<std::string>& args) {
  ArgParser p;
  AddTrustOptions(p);
  if (auto st = p.Parse(args); !st) return UsageError(st.error());
  std::vector<std::string> missing;
  if (!p.Has("--cert") && !p.Has("--config")) missing.push_back("--cert CERT");
  if (p.positional().empty()) missing.push_back("LIST");
  if (!missing.empty()) return MissingError("show-revocations", missing);
  if (p.positional().size() != 1) return UsageError("show-revocations takes one list");
  auto trusted = LoadTrustedCertificates(p);
  if (!trusted) return UsageError(trusted.error().message());
  const std::string& path = p.positional()[0];
  auto bytes = ReadWhole(path);
  auto list =
      bytes ? VerifyRevocationList(*bytes, *trusted) : Result<RevocationList>(bytes.error());
  if (!list) {
    PrintFileError(path, list.error());
    return kExitFileFailed;
  }
  std::printf("sequence %llu\n", static_cast<unsigned long long>(list->sequence));
  for (const Bytes& id : list->key_ids) std::printf("key %s\n", HexEncode(id).c_str());
  for (const auto& [algo, digest] : list->digests)
    std::printf("%s %s\n", HashAlgoName(algo), HexEncode(digest).c_str());
  return kExitOk;
}

}  // namespace digsig::cli
