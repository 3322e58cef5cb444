// Hash algorithms the format supports and a streaming digest over them.
#pragma once

#include <openssl/evp.h>

#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "signer/lib/byte_span.h"
#include "signer/lib/result.h"

namespace digsig {

// Values are Linux's enum hash_algo, as stored in the payload (and by IMA).
enum class HashAlgo : uint8_t { kSha256 = 4, kSha384 = 5, kSha512 = 6 };

std::optional<HashAlgo> HashAlgoFromName(std::string_view name);
std::optional<HashAlgo> HashAlgoFromId(uint8_t id);
const char* HashAlgoName(HashAlgo algo);
const EVP_MD* HashAlgoMd(HashAlgo algo);
size_t HashAlgoSize(HashAlgo algo);

// Incremental digest; one per thread, cheap to create.
class Hasher {
 public:
  static Result<Hasher> Create(HashAlgo algo);
  void Update(ByteSpan bytes);
  Bytes Finish();
  // An independent copy of the state so far: the digest of a prefix and of
  // the whole can come from one pass over the bytes.
  Result<Hasher> Clone() const;

 private:
  struct CtxFree {
    void operator()(EVP_MD_CTX* c) const { EVP_MD_CTX_free(c); }
  };
  explicit Hasher(EVP_MD_CTX* ctx) : ctx_(ctx) {}
  std::unique_ptr<EVP_MD_CTX, CtxFree> ctx_;
};

}  // namespace digsig
