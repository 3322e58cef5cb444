// Fuzz target: the PKCS#7/CMS reader. Pkcs7Describe runs on every signature a
// user asks `digsig inspect` about; Pkcs7VerifyDetached decides whether a
// file is trusted. Neither may crash, leak or accept what it must reject.
//
// Input: a DER signature, optionally followed by the signed content in the
// form   DER | content | be32(content length) | "DGFZ"
// (make_corpus.sh writes seeds of both kinds); without that footer the
// content is a fixed string, so only the parse and rejection paths run.
// A custom mutator (der_mutator.h) mutates the DER part as a tree, because
// the verifier rejects any signature that is not canonical DER.
#include <openssl/err.h>

#include <cstdint>
#include <cstring>
#include <optional>
#include <string>
#include <vector>

#include "base/fuzz_rng.h"
#include "signer/fuzz/der_mutator.h"
#include "signer/fuzz/fuzz_common.h"
#include "signer/lib/hash.h"
#include "signer/lib/pkcs7.h"

namespace {

using digsig::ByteSpan;
using digsig::HashAlgo;

constexpr char kFooterMagic[] = "DGFZ";
constexpr size_t kFooterSize = 8;
constexpr char kFixedContent[] = "digsig pkcs7 fuzzer: fixed detached content";

std::optional<HashAlgo> DigestHash(const std::string& name) {
  if (name == "SHA256" || name == "sha256") return HashAlgo::kSha256;
  if (name == "SHA384" || name == "sha384") return HashAlgo::kSha384;
  if (name == "SHA512" || name == "sha512") return HashAlgo::kSha512;
  return std::nullopt;
}

// Length of the DER part: all of the input unless it ends with the footer.
size_t DerLength(const uint8_t* data, size_t size) {
  if (size < kFooterSize || std::memcmp(data + size - 4, kFooterMagic, 4) != 0) return size;
  const uint8_t* f = data + size - kFooterSize;
  const uint64_t n = (uint64_t{f[0]} << 24) | (f[1] << 16) | (f[2] << 8) | f[3];
  return n <= size - kFooterSize ? size - kFooterSize - n : size;
}

}  // namespace

// libFuzzer's own byte-level mutator (the replay driver provides a stand-in).
extern "C" size_t LLVMFuzzerMutate(uint8_t* data, size_t size, size_t max_size);

extern "C" size_t LLVMFuzzerCustomMutator(uint8_t* data, size_t size, size_t max_size,
                                          unsigned int seed) {
  digsig::fuzz::Rng rng(seed);
  auto next = [&rng] { return rng.Next(); };
  if (next() % 3 == 0) return LLVMFuzzerMutate(data, size, max_size);
  const size_t der_len = DerLength(data, size);
  std::vector<uint8_t> der(data, data + der_len);
  if (!digsig::fuzz::MutateDer(der, next, LLVMFuzzerMutate) ||
      der.size() + (size - der_len) > max_size)
    return LLVMFuzzerMutate(data, size, max_size);
  // The content and footer after the DER part stay as they are.
  std::memmove(data + der.size(), data + der_len, size - der_len);
  if (!der.empty()) std::memcpy(data, der.data(), der.size());
  return der.size() + (size - der_len);
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace digsig;
  using namespace digsig::fuzz;
  const ByteSpan input(data, size);

  const ByteSpan der = input.first(DerLength(data, size));
  ByteSpan content(reinterpret_cast<const uint8_t*>(kFixedContent), sizeof(kFixedContent) - 1);
  if (der.size() != size) content = input.subspan(der.size(), size - der.size() - kFooterSize);

  auto whole = Pkcs7Describe(input);
  Report("Pkcs7Describe(input)", whole);
  auto described = der.size() == size ? whole : Pkcs7Describe(der);
  if (der.size() != size) Report("Pkcs7Describe(der)", described);

  // Verify with the digest the signature names (the seeds' own), or with one
  // picked by the input when it names none the format knows.
  std::optional<HashAlgo> hash;
  if (described) hash = DigestHash(described->digest);
  if (!hash) hash = static_cast<HashAlgo>(4 + size % 3);
  auto signer = Pkcs7VerifyDetached(der, content, TrustedCerts(), *hash);
  Report("Pkcs7VerifyDetached", signer);
  if (signer) {
    FUZZ_CHECK(described.ok());
    FUZZ_CHECK(signer->get() == TrustedCerts()[0].get());
    // No other digest may verify the same signature: that would be a downgrade.
    for (HashAlgo other : {HashAlgo::kSha256, HashAlgo::kSha384, HashAlgo::kSha512}) {
      if (other == *hash) continue;
      auto wrong = Pkcs7VerifyDetached(der, content, TrustedCerts(), other);
      FUZZ_CHECK(!wrong.ok());
    }
  }
  ERR_clear_error();  // keep iterations independent of each other
  return 0;
}
