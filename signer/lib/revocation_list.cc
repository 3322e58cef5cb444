#include "signer/lib/revocation_list.h"

#include <algorithm>

#include "signer/format/digsig_format.h"
#include "signer/format/digsig_revocation.h"
#include "signer/lib/byte_order.h"
#include "signer/lib/certificate.h"
#include "signer/lib/pkcs7.h"

namespace digsig {
namespace {

constexpr uint64_t kMaxSequence = 999'999'999'999'999'999ULL;  // 18 digits

// One entry line without its newline; lines sort as the format requires.
std::string KeyLine(const Bytes& id) { return "key " + HexEncode(id); }
std::string DigestLine(HashAlgo algo, const Bytes& digest) {
  return std::string(HashAlgoName(algo)) + " " + HexEncode(digest);
}

}  // namespace

void RevocationList::Merge(const RevocationList& other) {
  key_ids.insert(other.key_ids.begin(), other.key_ids.end());
  digests.insert(other.digests.begin(), other.digests.end());
}

Result<std::string> RevocationListBody(const RevocationList& list) {
  if (list.sequence == 0 || list.sequence > kMaxSequence)
    return Error(ErrorCode::kInvalidArgument,
                 "revocation list sequence must be 1 to " + std::to_string(kMaxSequence));
  std::set<std::string> lines;
  for (const Bytes& id : list.key_ids) {
    if (id.empty() || id.size() > DIGSIG_RL_MAX_KEY_ID)
      return Error(ErrorCode::kInvalidArgument, "key identifier of " +
                                                    std::to_string(id.size()) +
                                                    " bytes (1 to 64 allowed)");
    lines.insert(KeyLine(id));
  }
  for (const auto& [algo, digest] : list.digests) {
    if (digest.size() != HashAlgoSize(algo))
      return Error(ErrorCode::kInvalidArgument,
                   std::string(HashAlgoName(algo)) + " digest of " +
                       std::to_string(digest.size()) + " bytes");
    lines.insert(DigestLine(algo, digest));
  }
  std::string body = DIGSIG_RL_HEADER;
  body += "sequence " + std::to_string(list.sequence) + "\n";
  for (const std::string& line : lines) body += line + "\n";
  if (body.size() > DIGSIG_RL_MAX_BODY)
    return Error(ErrorCode::kTooLarge, "revocation list body of " +
                                           std::to_string(body.size()) +
                                           " bytes exceeds the limit of 1 MiB");
  return body;
}

Result<Bytes> SignRevocationList(const RevocationList& list, const SigningKey& key) {
  auto body = RevocationListBody(list);
  if (!body) return body.error();
  ByteSpan body_bytes(reinterpret_cast<const uint8_t*>(body->data()), body->size());
  auto sig = key.SignPkcs7(body_bytes, HashAlgo::kSha256);
  if (!sig) return sig.error();
  if (sig->size() > DIGSIG_RL_MAX_SIG)
    return Error(ErrorCode::kTooLarge, "signature of " + std::to_string(sig->size()) +
                                           " bytes is larger than a list may carry");
  Bytes out(body_bytes.begin(), body_bytes.end());
  out.insert(out.end(), sig->begin(), sig->end());
  uint8_t trailer[DIGSIG_RL_TRAILER_SIZE];
  StoreBe<uint32_t>(trailer, static_cast<uint32_t>(sig->size()));
  std::copy_n(DIGSIG_RL_MAGIC, DIGSIG_RL_MAGIC_SIZE, trailer + 4);
  out.insert(out.end(), trailer, trailer + sizeof(trailer));
  return out;
}

Result<RevocationList> VerifyRevocationList(ByteSpan file, const std::vector<CertPtr>& trusted) {
  digsig_rl rl;
  if (digsig_rl_parse(file.data(), file.size(), &rl) != 0)
    return Error(ErrorCode::kMalformed, "not a well-formed digsig revocation list");
  auto signer = Pkcs7VerifyDetached(ByteSpan(rl.sig, rl.sig_len), ByteSpan(rl.body, rl.body_len),
                                    trusted, HashAlgo::kSha256);
  if (!signer) return signer.error();
  RevocationList list;
  list.sequence = rl.sequence;
  uint32_t pos = rl.entries_offset;
  digsig_rl_entry e;
  int r;
  while ((r = digsig_rl_next(&rl, &pos, &e)) == 1) {
    Bytes id(e.id, e.id + e.len);
    if (e.kind == DIGSIG_RL_KEY)
      list.key_ids.insert(std::move(id));
    else
      list.digests.emplace(*HashAlgoFromId(e.hash_algo), std::move(id));
  }
  if (r < 0) return Error(ErrorCode::kMalformed, "revocation list entries changed while read");
  return list;
}

}  // namespace digsig
