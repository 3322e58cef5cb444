#include "signer/lib/elf_signature.h"

#include <llvm/BinaryFormat/ELF.h>

#include <cstring>

#include "signer/format/digsig_elf.h"
#include "signer/format/digsig_sections.h"
#include "signer/lib/byte_order.h"
#include "signer/lib/file_io.h"

namespace digsig {
namespace {

uint64_t AlignUp(uint64_t v, uint64_t a) { return (v + a - 1) / a * a; }

Error FromFormatErrno(int err) {
  if (err == -EOPNOTSUPP)
    return Error(ErrorCode::kUnsupported, "signature record uses an unknown version or algorithm");
  return Error(ErrorCode::kMalformed, "signature record is malformed");
}

// Writes one section header entry (fields in the file's byte order).
class SectionHeaderWriter {
 public:
  SectionHeaderWriter(const ElfClassLayout& layout, bool big_endian)
      : l_(layout), be_(big_endian) {}

  void Write(uint8_t* table, uint64_t index, uint32_t name, uint32_t type, uint64_t flags,
             uint64_t offset, uint64_t size) const {
    uint8_t* e = table + index * l_.shdr_size;
    std::memset(e, 0, l_.shdr_size);
    StoreInt<uint32_t>(e + 0, name, be_);
    StoreInt<uint32_t>(e + 4, type, be_);
    Word(e + 8, flags);
    SetOffsetAndSize(table, index, offset, size);
    Word(e + (l_.is64 ? 48 : 32), 1);  // sh_addralign
  }

  void SetOffsetAndSize(uint8_t* table, uint64_t index, uint64_t offset, uint64_t size) const {
    uint8_t* e = table + index * l_.shdr_size;
    Word(e + (l_.is64 ? 24 : 16), offset);
    Word(e + (l_.is64 ? 32 : 20), size);
  }

  // Section 0 holds the real count and name-table index when they overflow
  // the 16-bit header fields (ELF extended section numbering).
  void SetExtendedCount(uint8_t* table, uint64_t count) const {
    Word(table + (l_.is64 ? 32 : 20), count);
  }
  void SetExtendedStrndx(uint8_t* table, uint32_t index) const {
    StoreInt<uint32_t>(table + (l_.is64 ? 40 : 24), index, be_);
  }

 private:
  void Word(uint8_t* p, uint64_t v) const {
    if (l_.is64)
      StoreInt<uint64_t>(p, v, be_);
    else
      StoreInt<uint32_t>(p, static_cast<uint32_t>(v), be_);
  }
  const ElfClassLayout& l_;
  bool be_;
};

void WriteHeaderFields(uint8_t* ehdr, const ElfClassLayout& l, bool be, uint64_t shoff,
                       uint16_t shentsize, uint16_t shnum, uint16_t shstrndx) {
  if (l.is64)
    StoreInt<uint64_t>(ehdr + l.e_shoff_at, shoff, be);
  else
    StoreInt<uint32_t>(ehdr + l.e_shoff_at, static_cast<uint32_t>(shoff), be);
  StoreInt<uint16_t>(ehdr + l.e_shentsize_at, shentsize, be);
  StoreInt<uint16_t>(ehdr + l.e_shnum_at, shnum, be);
  StoreInt<uint16_t>(ehdr + l.e_shstrndx_at, shstrndx, be);
}

// The section name table of the signed file: the old one plus ".digsig", or
// a fresh one when the file had none.
struct NameTable {
  Bytes bytes;
  uint32_t digsig_name = 0;
  bool is_new = false;
};

NameTable BuildNameTable(ByteSpan file, const ElfImage& img) {
  NameTable t;
  if (img.shstrndx != 0) {
    const ElfSection& s = img.sections[img.shstrndx];
    ByteSpan old = Sub(file, s.offset, s.size);
    t.bytes.assign(old.begin(), old.end());
    if (t.bytes.empty() || t.bytes.back() != 0) t.bytes.push_back(0);
  } else {
    static const char kFresh[] = "\0.shstrtab";  // index 1 names the table itself
    t.bytes.assign(kFresh, kFresh + sizeof(kFresh));
    t.is_new = true;
  }
  t.digsig_name = static_cast<uint32_t>(t.bytes.size());
  t.bytes.insert(t.bytes.end(), kSignatureSectionName,
                 kSignatureSectionName + sizeof(kSignatureSectionName));
  return t;
}

// digsig_sections_check()'s reader over a file in memory (it asks only for
// bytes inside the file).
int ReadFromSpan(void* ctx, uint8_t* buf, uint32_t n, uint64_t pos) {
  const ByteSpan& file = *static_cast<const ByteSpan*>(ctx);
  if (pos > file.size() || n > file.size() - pos) return -EIO;
  std::memcpy(buf, file.data() + pos, n);
  return 0;
}

Result<Bytes> DigestOf(HashAlgo hash, const std::vector<ByteSpan>& pieces) {
  auto hasher = Hasher::Create(hash);
  if (!hasher) return hasher.error();
  for (ByteSpan p : pieces) hasher->Update(p);
  return hasher->Finish();
}

}  // namespace

Result<ElfSignature> LocateSignature(ByteSpan file) {
  if (!HasElfMagic(file)) return Error(ErrorCode::kNotElf, "not an ELF file");
  uint32_t record_len = 0;
  int err = file.size() >= DIGSIG_TRAILER_SIZE
                ? digsig_parse_trailer(file.data() + file.size() - DIGSIG_TRAILER_SIZE, file.size(),
                                       &record_len)
                : -ENODATA;
  if (err == -ENODATA) {
    // Parse anyway so a broken file is reported as malformed, not unsigned.
    auto img = ParseElf(file);
    if (!img) return img.error();
    for (const ElfSection& s : img->sections)
      if (s.name == kSignatureSectionName)
        return Error(ErrorCode::kMalformed,
                     "has a .digsig section but does not end with its record (bytes appended, or "
                     "a section a linker copied from a signed object file)");
    return Error(ErrorCode::kUnsigned, "no digsig signature");
  }
  if (err != 0) return FromFormatErrno(err);

  ElfSignature sig;
  sig.record_offset = file.size() - record_len;
  err = digsig_parse_record(file.data() + sig.record_offset, record_len, file.size(), &sig.record);
  if (err != 0) return FromFormatErrno(err);

  auto img = ParseElf(file);
  if (!img) return img.error();
  // The record must be exactly the content of the last section, ".digsig"
  // (docs/format.md section 5 step 4): the C digsig.ko runs, so that the
  // rule is written once.
  if (img->sections.empty())
    return Error(ErrorCode::kMalformed, "signature record without a section header table");
  if (digsig_sections_check(file.data(), file.size(), file.size(), sig.record_offset, record_len,
                            ReadFromSpan, &file) != 0)
    return Error(ErrorCode::kMalformed, "signature record is not the last section, .digsig");
  if (digsig_elf_orig_len_ok(file.data(), file.size(), file.size(), sig.record.payload.orig_len))
    return Error(ErrorCode::kMalformed, "recorded original length too small");
  sig.image = std::move(*img);

  auto signer = Pkcs7Describe(sig.pkcs7());
  if (!signer) return signer.error();
  sig.signer = std::move(*signer);
  return sig;
}

Result<UnsignedElf> RemoveSignature(ByteSpan file) {
  auto sig = LocateSignature(file);
  if (!sig) {
    if (sig.error().code() == ErrorCode::kUnsigned) return UnsignedElf{file, nullptr, false};
    return sig.error().Wrap("existing signature cannot be replaced");
  }
  const digsig_payload& p = sig->record.payload;
  auto restored = std::make_shared<Bytes>(file.begin(), file.begin() + p.orig_len);
  WriteHeaderFields(restored->data(), sig->image.layout(), sig->image.big_endian, p.orig_shoff,
                    p.orig_shentsize, p.orig_shnum, p.orig_shstrndx);
  return UnsignedElf{*restored, restored, true};
}

Result<ElfSigningPlan> PlanElfSignature(ByteSpan file, const SigningKey& key, HashAlgo hash) {
  auto original = RemoveSignature(file);
  if (!original) return original.error();
  ByteSpan u = original->bytes;
  auto img = ParseElf(u);  // cannot fail: RemoveSignature parsed it already
  if (!img) return img.error();

  const ElfClassLayout& l = img->layout();
  const bool be = img->big_endian;
  NameTable names = BuildNameTable(u, *img);

  // Layout of what is appended: name table, section headers, record.
  const uint64_t strtab_off = AlignUp(u.size(), 8);
  const uint64_t sht_off = AlignUp(strtab_off + names.bytes.size(), l.table_align);
  const uint64_t old_count = img->section_count;
  const uint64_t count = (old_count > 0 ? old_count : 1) + (names.is_new ? 1 : 0) + 1;
  const uint64_t record_off = sht_off + count * l.shdr_size;
  auto slot = key.SignatureSlot(hash);
  if (!slot) return slot.error();
  const uint64_t record_len = DIGSIG_RECORD_HEADER_SIZE + *slot + DIGSIG_TRAILER_SIZE;
  if (record_len > DIGSIG_MAX_RECORD)
    return Error(ErrorCode::kTooLarge, "signature too large for the record format");
  if (!l.is64 && record_off + record_len > UINT32_MAX)
    return Error(ErrorCode::kTooLarge, "signed ELF32 file would exceed 4 GiB");

  Bytes sht(count * l.shdr_size, 0);
  if (old_count > 0) std::memcpy(sht.data(), u.data() + img->shoff, old_count * l.shdr_size);
  SectionHeaderWriter shw(l, be);
  const uint64_t strndx = names.is_new ? count - 2 : img->shstrndx;
  if (names.is_new)
    shw.Write(sht.data(), strndx, 1, llvm::ELF::SHT_STRTAB, 0, strtab_off, names.bytes.size());
  else
    shw.SetOffsetAndSize(sht.data(), strndx, strtab_off, names.bytes.size());
  // In an object file the signature belongs to the object alone: SHF_EXCLUDE
  // makes linkers drop it instead of copying it into what they link.
  const uint64_t flags = img->type == llvm::ELF::ET_REL ? static_cast<uint64_t>(llvm::ELF::SHF_EXCLUDE) : 0;
  shw.Write(sht.data(), count - 1, names.digsig_name, llvm::ELF::SHT_PROGBITS, flags, record_off,
            record_len);
  uint16_t e_shnum = static_cast<uint16_t>(count);
  if (count >= llvm::ELF::SHN_LORESERVE) {
    e_shnum = 0;
    shw.SetExtendedCount(sht.data(), count);
  }
  uint16_t e_shstrndx = static_cast<uint16_t>(strndx);
  if (strndx >= llvm::ELF::SHN_LORESERVE) {
    e_shstrndx = llvm::ELF::SHN_XINDEX;
    shw.SetExtendedStrndx(sht.data(), static_cast<uint32_t>(strndx));
  }

  ElfSigningPlan plan;
  plan.header.assign(u.begin(), u.begin() + l.ehdr_size);
  WriteHeaderFields(plan.header.data(), l, be, sht_off, static_cast<uint16_t>(l.shdr_size), e_shnum,
                    e_shstrndx);
  plan.body = u.subspan(l.ehdr_size);
  plan.body_offset = l.ehdr_size;
  plan.storage = original->storage;
  plan.tail.reserve(record_off - u.size());
  plan.tail.resize(strtab_off - u.size(), 0);
  plan.tail.insert(plan.tail.end(), names.bytes.begin(), names.bytes.end());
  plan.tail.resize(sht_off - u.size(), 0);
  plan.tail.insert(plan.tail.end(), sht.begin(), sht.end());
  plan.hash = hash;
  plan.payload = digsig_payload{};
  plan.payload.hash_algo = static_cast<uint8_t>(hash);
  plan.payload.digest_len = static_cast<uint8_t>(HashAlgoSize(hash));
  plan.payload.covered_len = record_off;
  plan.payload.orig_len = u.size();
  plan.payload.orig_shoff = img->shoff;
  plan.payload.orig_shentsize = img->shentsize;
  plan.payload.orig_shnum = img->shnum_raw;
  plan.payload.orig_shstrndx = img->shstrndx_raw;
  plan.record_len = record_len;
  plan.signature_slot = *slot;
  return plan;
}

Result<Bytes> MakeSignatureRecord(const ElfSigningPlan& plan, ByteSpan digest,
                                  const SigningKey& key) {
  digsig_payload payload = plan.payload;
  if (digest.size() != payload.digest_len) return Error(ErrorCode::kCrypto, "digest failed");
  std::memcpy(payload.digest, digest.data(), digest.size());
  uint8_t payload_bytes[DIGSIG_PAYLOAD_SIZE];
  digsig_encode_payload(&payload, payload_bytes);
  auto pkcs7 = key.SignPkcs7(ByteSpan(payload_bytes, sizeof(payload_bytes)), plan.hash);
  if (!pkcs7) return pkcs7.error();
  if (pkcs7->size() > plan.signature_slot)
    return Error(ErrorCode::kCrypto, "signature longer than its reserved slot");

  Bytes record(plan.record_len, 0);
  uint8_t* rec = record.data();
  std::memcpy(rec, payload_bytes, DIGSIG_PAYLOAD_SIZE);
  rec[DIGSIG_PAYLOAD_SIZE] = DIGSIG_SIG_PKCS7;
  StoreBe<uint32_t>(rec + DIGSIG_PAYLOAD_SIZE + 4, static_cast<uint32_t>(pkcs7->size()));
  std::memcpy(rec + DIGSIG_RECORD_HEADER_SIZE, pkcs7->data(), pkcs7->size());
  uint8_t* trailer = rec + plan.record_len - DIGSIG_TRAILER_SIZE;
  StoreBe<uint32_t>(trailer, static_cast<uint32_t>(plan.record_len));
  std::memcpy(trailer + 4, DIGSIG_TRAILER_MAGIC, DIGSIG_TRAILER_MAGIC_SIZE);
  return record;
}

Result<SignedElf> SignElf(ByteSpan file, const SigningKey& key, HashAlgo hash) {
  auto plan = PlanElfSignature(file, key, hash);
  if (!plan) return plan.error();
  auto digest = DigestOf(hash, {plan->header, plan->body, plan->tail});
  if (!digest) return digest.error();
  auto record = MakeSignatureRecord(*plan, *digest, key);
  if (!record) return record.error();
  SignedElf out{std::move(plan->header), plan->body, std::move(plan->tail), plan->storage};
  out.tail.insert(out.tail.end(), record->begin(), record->end());
  return out;
}

Result<VerifiedElf> VerifyElf(ByteSpan file, const std::vector<CertPtr>& trusted, int fd) {
  auto sig = LocateSignature(file);
  if (!sig) return sig.error();
  const digsig_payload& p = sig->record.payload;
  Bytes digest;
  if (fd >= 0) {
    auto hasher = Hasher::Create(sig->hash());
    if (!hasher) return hasher.error();
    DIGSIG_RETURN_IF_ERROR(ForEachChunk(fd, 0, p.covered_len, [&](ByteSpan chunk) -> Status {
      hasher->Update(chunk);
      return Status::Ok();
    }));
    digest = hasher->Finish();
  } else {
    auto whole = DigestOf(sig->hash(), {file.first(p.covered_len)});
    if (!whole) return whole.error();
    digest = std::move(*whole);
  }
  if (digest.size() != p.digest_len || std::memcmp(digest.data(), p.digest, p.digest_len) != 0)
    return Error(ErrorCode::kAltered, "content does not match its signature (file altered)");
  auto signer = Pkcs7VerifyDetached(sig->pkcs7(), sig->payload(), trusted, sig->hash());
  if (!signer) return signer.error();
  return VerifiedElf{std::move(*sig), std::move(*signer)};
}

}  // namespace digsig
