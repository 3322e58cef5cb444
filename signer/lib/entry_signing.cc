#include "signer/lib/entry_signing.h"

#include "signer/lib/elf_image.h"
#include "signer/lib/elf_signature.h"
#include "signer/lib/ima_signature.h"
#include "signer/lib/module_signature.h"

namespace digsig {
namespace {

Status HashPieces(const EntryContent& content, const std::vector<ByteSpan>& pieces,
                  Hasher& hasher) {
  for (ByteSpan piece : pieces)
    DIGSIG_RETURN_IF_ERROR(content.ForEachChunk(piece, [&hasher](ByteSpan chunk) {
      hasher.Update(chunk);
      return Status::Ok();
    }));
  return Status::Ok();
}

// Embedded signature in one pass: the covered bytes are hashed once; a copy
// of that state continues over the record to give the content digest.
Status SignEmbedded(const EntryContent& content, const SigningKey& key, HashAlgo hash,
                    SignedEntry& out) {
  auto plan = PlanElfSignature(content.bytes(), key, hash);
  if (!plan) return plan.error();
  auto covered = Hasher::Create(hash);
  if (!covered) return covered.error();
  DIGSIG_RETURN_IF_ERROR(HashPieces(content, {plan->header, plan->body, plan->tail}, *covered));
  auto whole = covered->Clone();
  if (!whole) return whole.error();
  auto record = MakeSignatureRecord(*plan, covered->Finish(), key);
  if (!record) return record.error();
  whole->Update(*record);
  out.content_digest = whole->Finish();
  out.restored = plan->storage;
  out.storage = {std::move(plan->header), std::move(plan->tail), std::move(*record)};
  out.pieces = {out.storage[0], plan->body, out.storage[1], out.storage[2]};
  out.signature = EntrySignature::kEmbedded;
  return Status::Ok();
}

Status SignKernelModule(const EntryContent& content, const SigningKey& key, HashAlgo hash,
                        SignedEntry& out) {
  auto module = SignModule(content.bytes(), key, hash);
  if (!module) return module.error();
  out.storage = {std::move(module->tail)};
  out.pieces = {module->content, out.storage[0]};
  out.signature = EntrySignature::kModule;
  return Status::Ok();
}

// True when `ima` is a signature by `key` over exactly this content.
bool MadeByKey(const Bytes& ima, const Bytes& content_digest, const SigningKey& key,
               HashAlgo hash) {
  X509_up_ref(key.cert());
  const std::vector<CertPtr> own = {ShareCert(key.cert())};
  return VerifyImaSignature(ima, content_digest, hash, own).ok();
}

}  // namespace

uint64_t SignedEntry::size(const EntryContent& content) const {
  if (signature == EntrySignature::kNone) return content.size();
  uint64_t total = 0;
  for (ByteSpan p : pieces) total += p.size();
  return total;
}

Result<SignedEntry> SignEntryContent(const EntryContent& content,
                                     const std::optional<Bytes>& input_ima, const SigningKey& key,
                                     const EntrySigningOptions& options) {
  SignedEntry out;
  if (content.elf()) {
    // An entry that claims to be ELF must be one: a broken ELF is an error
    // naming the entry, never silently shipped unsigned.
    auto image = ParseElf(content.bytes());
    if (!image) return image.error();
    Status st = IsKernelModule(*image) ? SignKernelModule(content, key, options.hash, out)
                                       : SignEmbedded(content, key, options.hash, out);
    if (!st) return st.error();
  }
  if (out.content_digest.empty()) {
    auto hasher = Hasher::Create(options.hash);
    if (!hasher) return hasher.error();
    auto update = [&hasher](ByteSpan chunk) {
      hasher->Update(chunk);
      return Status::Ok();
    };
    if (out.signature == EntrySignature::kNone)
      DIGSIG_RETURN_IF_ERROR(content.ForEachChunk(update));
    else
      DIGSIG_RETURN_IF_ERROR(HashPieces(content, out.pieces, *hasher));
    out.content_digest = hasher->Finish();
  }
  const bool wanted = out.signature != EntrySignature::kNone ? options.ima_signed : options.ima_all;
  if (input_ima && MadeByKey(*input_ima, out.content_digest, key, options.hash)) {
    out.ima = *input_ima;  // kept byte for byte: re-signing stays reproducible
  } else if (wanted || input_ima) {
    auto xattr = MakeImaSignature(ByteSpan(out.content_digest), key, options.hash);
    if (!xattr) return xattr.error();
    out.ima = std::move(*xattr);
    out.ima_replaced = input_ima.has_value();
  }
  return out;
}

}  // namespace digsig
