// Fuzz target: the ELF reader and everything that locates or strips a
// signature in an untrusted file. None of it may crash, read outside the
// input or allocate in proportion to a size the file merely claims.
// A custom mutator rewrites the PKCS#7 inside a signed file as a DER tree
// (der_mutator.h), keeping record and digest intact, so that mutated
// signatures get past the digest check to the signature parser.
#include <cstdint>
#include <cstring>
#include <vector>

#include "base/fuzz_rng.h"
#include "signer/fuzz/der_mutator.h"
#include "signer/fuzz/fuzz_common.h"
#include "signer/lib/elf_image.h"
#include "signer/lib/elf_signature.h"
#include "signer/lib/module_signature.h"

// libFuzzer's own byte-level mutator (the replay driver provides a stand-in).
extern "C" size_t LLVMFuzzerMutate(uint8_t* data, size_t size, size_t max_size);

namespace digsig::fuzz {
namespace {

bool Inside(ByteSpan outer, const uint8_t* p, uint64_t len) {
  const uint8_t* begin = outer.data();
  const uint8_t* end = outer.data() + outer.size();
  return p >= begin && p <= end && len <= static_cast<uint64_t>(end - p);
}

void CheckImage(ByteSpan file, const ElfImage& img) {
  FUZZ_CHECK(img.sections.size() == img.section_count);
  FUZZ_CHECK(img.shstrndx == 0 || img.shstrndx < img.section_count);
  FUZZ_CHECK(img.layout().ehdr_size <= file.size());
  for (const ElfSection& s : img.sections) {
    if (s.type == 8 /* SHT_NOBITS */ || s.type == 0 /* SHT_NULL */) continue;
    FUZZ_CHECK(s.offset <= file.size() && s.size <= file.size() - s.offset);
  }
}

void CheckSignature(ByteSpan file, const ElfSignature& sig) {
  const digsig_record& r = sig.record;
  FUZZ_CHECK(sig.record_offset + r.record_len == file.size());
  FUZZ_CHECK(r.payload_bytes == file.data() + sig.record_offset);
  FUZZ_CHECK(r.payload.covered_len == sig.record_offset);
  FUZZ_CHECK(r.payload.orig_len <= r.payload.covered_len);
  FUZZ_CHECK(r.payload.orig_len >= sig.image.layout().ehdr_size);
  FUZZ_CHECK(Inside(file.subspan(sig.record_offset + DIGSIG_RECORD_HEADER_SIZE,
                                 r.record_len - DIGSIG_RECORD_HEADER_SIZE - DIGSIG_TRAILER_SIZE),
                    r.sig, r.sig_len));
  FUZZ_CHECK(!sig.image.sections.empty());
  FUZZ_CHECK(sig.image.sections.back().name == kSignatureSectionName);
  CheckImage(file, sig.image);
}

uint32_t LoadBe32(const uint8_t* p) {
  return (uint32_t{p[0]} << 24) | (uint32_t{p[1]} << 16) | (uint32_t{p[2]} << 8) | p[3];
}

void StoreBe32(uint8_t* p, uint32_t v) {
  for (int i = 0; i < 4; ++i) p[i] = static_cast<uint8_t>(v >> (24 - 8 * i));
}

// Replaces the PKCS#7 of a digsig record by a tree mutation of it, in the
// record's slot. False when the input has no such record or it does not fit.
template <typename Next>
bool MutateRecordSignature(uint8_t* data, size_t size, Next& next) {
  if (size < DIGSIG_MIN_RECORD || std::memcmp(data + size - DIGSIG_TRAILER_MAGIC_SIZE,
                                              DIGSIG_TRAILER_MAGIC, DIGSIG_TRAILER_MAGIC_SIZE) != 0)
    return false;
  const uint32_t rec_len = LoadBe32(data + size - DIGSIG_TRAILER_SIZE);
  if (rec_len < DIGSIG_MIN_RECORD || rec_len > size) return false;
  uint8_t* rec = data + size - rec_len;
  const size_t slot = rec_len - DIGSIG_RECORD_HEADER_SIZE - DIGSIG_TRAILER_SIZE;
  const uint32_t sig_len = LoadBe32(rec + DIGSIG_PAYLOAD_SIZE + 4);
  if (sig_len > slot) return false;
  uint8_t* sig = rec + DIGSIG_RECORD_HEADER_SIZE;
  std::vector<uint8_t> der(sig, sig + sig_len);
  if (!MutateDer(der, next, LLVMFuzzerMutate) || der.size() > slot) return false;
  StoreBe32(rec + DIGSIG_PAYLOAD_SIZE + 4, static_cast<uint32_t>(der.size()));
  std::memset(sig, 0, slot);
  if (!der.empty()) std::memcpy(sig, der.data(), der.size());
  return true;
}

// The same for a kernel module signature: DER | struct module_signature | magic.
template <typename Next>
size_t MutateModuleSignature(uint8_t* data, size_t size, size_t max_size, Next& next) {
  const size_t fixed = kModuleSignatureMagicSize + kModuleSignatureInfoSize;
  if (!HasModuleSignature(ByteSpan(data, size)) || size < fixed) return 0;
  uint8_t* info = data + size - fixed;
  const uint32_t sig_len = LoadBe32(info + 8);
  if (sig_len > size - fixed) return 0;
  const size_t start = size - fixed - sig_len;
  std::vector<uint8_t> der(data + start, data + start + sig_len);
  if (!MutateDer(der, next, LLVMFuzzerMutate) || start + der.size() + fixed > max_size) return 0;
  std::vector<uint8_t> tail(info, info + fixed);
  StoreBe32(tail.data() + 8, static_cast<uint32_t>(der.size()));
  if (!der.empty()) std::memcpy(data + start, der.data(), der.size());
  std::memcpy(data + start + der.size(), tail.data(), fixed);
  return start + der.size() + fixed;
}

}  // namespace
}  // namespace digsig::fuzz

extern "C" size_t LLVMFuzzerCustomMutator(uint8_t* data, size_t size, size_t max_size,
                                          unsigned int seed) {
  digsig::fuzz::Rng rng(seed);
  auto next = [&rng] { return rng.Next(); };
  // Mostly libFuzzer's own mutations: the ELF structure is the main target.
  if (next() % 3 != 0) return LLVMFuzzerMutate(data, size, max_size);
  if (digsig::fuzz::MutateRecordSignature(data, size, next)) return size;
  if (size_t n = digsig::fuzz::MutateModuleSignature(data, size, max_size, next)) return n;
  return LLVMFuzzerMutate(data, size, max_size);
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace digsig;
  using namespace digsig::fuzz;
  const ByteSpan file(data, size);

  auto img = ParseElf(file);
  Report("ParseElf", img);
  if (img) CheckImage(file, *img);

  auto sig = LocateSignature(file);
  Report("LocateSignature", sig);
  if (sig) {
    FUZZ_CHECK(img.ok());
    CheckSignature(file, *sig);
  }

  auto unsigned_elf = RemoveSignature(file);
  Report("RemoveSignature", unsigned_elf);
  if (unsigned_elf) {
    if (unsigned_elf->was_signed) {
      FUZZ_CHECK(sig.ok());
      FUZZ_CHECK(unsigned_elf->storage != nullptr);
      FUZZ_CHECK(unsigned_elf->bytes.size() == sig->record.payload.orig_len);
      // The restored file is input too: read it the way re-signing would.
      auto restored = ParseElf(unsigned_elf->bytes);
      Report("ParseElf(restored)", restored);
      if (restored) CheckImage(unsigned_elf->bytes, *restored);
      auto again = LocateSignature(unsigned_elf->bytes);
      Report("LocateSignature(restored)", again);
      if (again) CheckSignature(unsigned_elf->bytes, *again);
    } else {
      FUZZ_CHECK(!sig.ok() && sig.error().code() == ErrorCode::kUnsigned);
      FUZZ_CHECK(unsigned_elf->bytes.data() == data && unsigned_elf->bytes.size() == size);
    }
  } else {
    FUZZ_CHECK(!sig.ok());
  }

  auto verified = VerifyElf(file, TrustedCerts());
  Report("VerifyElf", verified);
  if (verified) FUZZ_CHECK(sig.ok() && verified->signer.get() == TrustedCerts()[0].get());

  auto module = LocateModuleSignature(file);
  Report("LocateModuleSignature", module);
  if (module) {
    FUZZ_CHECK(module->content.data() == data);
    FUZZ_CHECK(module->pkcs7.data() == data + module->content.size());
    FUZZ_CHECK(module->content.size() + module->pkcs7.size() + kModuleSignatureInfoSize +
                   kModuleSignatureMagicSize ==
               size);
  }
  auto module_signer = VerifyModule(file, TrustedCerts());
  Report("VerifyModule", module_signer);
  if (module_signer) FUZZ_CHECK(module.ok());
  return 0;
}
