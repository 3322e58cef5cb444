// Fuzz target: the signed revocation list parser shared with the kernel
// module (signer/format/digsig_revocation.c) and the verifier over it
// (signer/lib/revocation_list.cc). The input is a list file; it is parsed as
// it is, and also as the body of a list (with a dummy signature appended), so
// that plain text seeds reach the entry grammar. Besides never crashing,
// every accepted list must iterate to exactly the counts the parser
// reported, every entry must be well formed, and the body must be exactly
// the canonical text the C++ writer produces for those entries: one
// encoding per list. VerifyRevocationList may succeed only for lists the
// parser accepts, signed by the corpus key (fuzz_cert.inc), and must return
// what was parsed.
#include <cerrno>
#include <cstdint>
#include <cstring>
#include <memory>
#include <string>

#include "signer/format/digsig_format.h"
#include "signer/format/digsig_revocation.h"
#include "signer/fuzz/fuzz_common.h"
#include "signer/lib/revocation_list.h"

namespace digsig::fuzz {
namespace {

constexpr uint64_t kMaxSequence = 999'999'999'999'999'999ull;

uint32_t Be32(const uint8_t* p) {
  return (uint32_t{p[0]} << 24) | (uint32_t{p[1]} << 16) | (uint32_t{p[2]} << 8) | p[3];
}

// The text of one entry line, without its newline.
std::string Line(const digsig_rl_entry& e) {
  static const char kHex[] = "0123456789abcdef";
  std::string s;
  if (e.kind == DIGSIG_RL_KEY) {
    s = "key ";
  } else {
    auto algo = HashAlgoFromId(e.hash_algo);
    FUZZ_CHECK(algo.has_value());
    s = std::string(HashAlgoName(*algo)) + " ";
  }
  for (unsigned i = 0; i < e.len; ++i) {
    s += kHex[e.id[i] >> 4];
    s += kHex[e.id[i] & 15];
  }
  return s;
}

// Parses `size` bytes at `data` (an allocation of exactly that size) and
// checks everything an accepted list promises. Returns what was parsed.
bool CheckParse(const uint8_t* data, size_t size, RevocationList* out) {
  digsig_rl rl;
  std::memset(&rl, 0xA5, sizeof(rl));
  const int r = digsig_rl_parse(data, size, &rl);
  FUZZ_CHECK(r == 0 || r == -EBADMSG);
  if (Verbose()) std::fprintf(stderr, "  rl_parse(%zu bytes): %d\n", size, r);
  if (r != 0) return false;

  // The split: body || sig || be32(sig_len) || magic, inside the buffer.
  FUZZ_CHECK(size >= DIGSIG_RL_TRAILER_SIZE && size <= DIGSIG_RL_MAX_FILE);
  FUZZ_CHECK(rl.body == data);
  FUZZ_CHECK(rl.sig_len >= 1 && rl.sig_len <= DIGSIG_RL_MAX_SIG);
  FUZZ_CHECK(rl.body_len <= DIGSIG_RL_MAX_BODY);
  FUZZ_CHECK(uint64_t{rl.body_len} + rl.sig_len + DIGSIG_RL_TRAILER_SIZE == size);
  FUZZ_CHECK(rl.sig == data + rl.body_len);
  FUZZ_CHECK(Be32(data + size - DIGSIG_RL_TRAILER_SIZE) == rl.sig_len);
  FUZZ_CHECK(
      std::memcmp(data + size - DIGSIG_RL_MAGIC_SIZE, DIGSIG_RL_MAGIC, DIGSIG_RL_MAGIC_SIZE) == 0);

  // Header and sequence.
  const std::string body(reinterpret_cast<const char*>(rl.body), rl.body_len);
  const std::string header = DIGSIG_RL_HEADER;
  FUZZ_CHECK(rl.sequence >= 1 && rl.sequence <= kMaxSequence);
  const std::string seq_line = "sequence " + std::to_string(rl.sequence) + "\n";
  FUZZ_CHECK(body.compare(0, header.size() + seq_line.size(), header + seq_line) == 0);
  FUZZ_CHECK(rl.entries_offset == header.size() + seq_line.size());
  FUZZ_CHECK(rl.entries_offset <= rl.body_len);
  FUZZ_CHECK(body.back() == '\n');

  // The entries: well formed, each exactly the line it came from, strictly
  // ascending, as many of each kind as the parser counted.
  uint32_t pos = rl.entries_offset, keys = 0, digests = 0;
  std::string prev;
  digsig_rl_entry e;
  int n;
  while ((n = digsig_rl_next(&rl, &pos, &e)) == 1) {
    if (e.kind == DIGSIG_RL_KEY) {
      FUZZ_CHECK(e.hash_algo == 0);
      FUZZ_CHECK(e.len >= 1 && e.len <= DIGSIG_RL_MAX_KEY_ID);
      ++keys;
      out->key_ids.insert(Bytes(e.id, e.id + e.len));
    } else {
      FUZZ_CHECK(e.kind == DIGSIG_RL_DIGEST);
      FUZZ_CHECK(e.len != 0 && e.len == digsig_digest_len(e.hash_algo));
      ++digests;
      out->digests.emplace(*HashAlgoFromId(e.hash_algo), Bytes(e.id, e.id + e.len));
    }
    const std::string line = Line(e);
    FUZZ_CHECK(pos <= rl.body_len && pos >= line.size() + 1);
    FUZZ_CHECK(body.compare(pos - line.size() - 1, line.size() + 1, line + "\n") == 0);
    FUZZ_CHECK(keys + digests == 1 || prev < line);
    prev = line;
  }
  FUZZ_CHECK(n == 0);
  FUZZ_CHECK(pos == rl.body_len);
  FUZZ_CHECK(keys == rl.keys && digests == rl.digests);
  FUZZ_CHECK(out->key_ids.size() == keys && out->digests.size() == digests);

  // One encoding per list: the C++ writer gives back these very bytes.
  out->sequence = rl.sequence;
  auto canonical = RevocationListBody(*out);
  FUZZ_CHECK(canonical.ok());
  FUZZ_CHECK(*canonical == body);
  return true;
}

bool SameList(const RevocationList& a, const RevocationList& b) {
  return a.sequence == b.sequence && a.key_ids == b.key_ids && a.digests == b.digests;
}

}  // namespace
}  // namespace digsig::fuzz

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace digsig;
  using namespace digsig::fuzz;
  if (size > DIGSIG_RL_MAX_FILE + 64) return 0;

  // As a list file.
  RevocationList parsed;
  const bool ok = CheckParse(data, size, &parsed);
  auto verified = VerifyRevocationList(ByteSpan(data, size), TrustedCerts());
  Report("VerifyRevocationList", verified);
  if (verified.ok()) {
    FUZZ_CHECK(ok);
    FUZZ_CHECK(SameList(*verified, parsed));
  } else if (!ok) {
    FUZZ_CHECK(verified.error().code() == ErrorCode::kMalformed);
  } else {
    // A well-formed list whose signature is not: malformed PKCS#7, or one
    // that does not verify.
    const ErrorCode c = verified.error().code();
    FUZZ_CHECK(c == ErrorCode::kMalformed || c == ErrorCode::kUnsupported ||
               c == ErrorCode::kUnknownSigner || c == ErrorCode::kAltered);
  }

  // As a body: input || 0x30 || be32(1) || magic.
  if (size > DIGSIG_RL_MAX_BODY + 1) return 0;
  const size_t wrapped_size = size + 1 + DIGSIG_RL_TRAILER_SIZE;
  std::unique_ptr<uint8_t[]> wrapped(new uint8_t[wrapped_size]);
  if (size != 0) std::memcpy(wrapped.get(), data, size);
  uint8_t* t = wrapped.get() + size;
  const uint8_t trailer[5] = {0x30, 0, 0, 0, 1};
  std::memcpy(t, trailer, sizeof(trailer));
  std::memcpy(t + sizeof(trailer), DIGSIG_RL_MAGIC, DIGSIG_RL_MAGIC_SIZE);
  RevocationList as_body;
  CheckParse(wrapped.get(), wrapped_size, &as_body);
  return 0;
}
