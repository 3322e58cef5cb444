#include "signer/lib/hash.h"

namespace digsig {

std::optional<HashAlgo> HashAlgoFromName(std::string_view name) {
  if (name == "sha256") return HashAlgo::kSha256;
  if (name == "sha384") return HashAlgo::kSha384;
  if (name == "sha512") return HashAlgo::kSha512;
  return std::nullopt;
}

std::optional<HashAlgo> HashAlgoFromId(uint8_t id) {
  switch (id) {
    case 4: return HashAlgo::kSha256;
    case 5: return HashAlgo::kSha384;
    case 6: return HashAlgo::kSha512;
    default: return std::nullopt;
  }
}

const char* HashAlgoName(HashAlgo algo) {
  switch (algo) {
    case HashAlgo::kSha256: return "sha256";
    case HashAlgo::kSha384: return "sha384";
    case HashAlgo::kSha512: return "sha512";
  }
  return "unknown";
}

const EVP_MD* HashAlgoMd(HashAlgo algo) {
  switch (algo) {
    case HashAlgo::kSha256: return EVP_sha256();
    case HashAlgo::kSha384: return EVP_sha384();
    case HashAlgo::kSha512: return EVP_sha512();
  }
  return nullptr;
}

size_t HashAlgoSize(HashAlgo algo) {
  return static_cast<size_t>(EVP_MD_get_size(HashAlgoMd(algo)));
}

Result<Hasher> Hasher::Create(HashAlgo algo) {
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  if (ctx == nullptr || EVP_DigestInit_ex(ctx, HashAlgoMd(algo), nullptr) != 1) {
    EVP_MD_CTX_free(ctx);
    return Error(ErrorCode::kCrypto, "cannot initialise digest");
  }
  return Hasher(ctx);
}

void Hasher::Update(ByteSpan bytes) {
  if (!bytes.empty()) EVP_DigestUpdate(ctx_.get(), bytes.data(), bytes.size());
}

Result<Hasher> Hasher::Clone() const {
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  if (ctx == nullptr || EVP_MD_CTX_copy_ex(ctx, ctx_.get()) != 1) {
    EVP_MD_CTX_free(ctx);
    return Error(ErrorCode::kCrypto, "cannot copy digest state");
  }
  return Hasher(ctx);
}

Bytes Hasher::Finish() {
  Bytes out(EVP_MAX_MD_SIZE);
  unsigned int len = 0;
  EVP_DigestFinal_ex(ctx_.get(), out.data(), &len);
  out.resize(len);
  return out;
}

}  // namespace digsig
