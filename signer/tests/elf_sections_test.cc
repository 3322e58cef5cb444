// docs/format.md section 5 step 4 in the C digsig.ko shares with `digsig
// verify` (signer/format/digsig_sections.c): the last section is ".digsig",
// exactly over the record. On real signed files of both classes and byte
// orders (the fuzz corpus' cross-compiled programs, and files signed here),
// every answer must equal libObject's reading of the whole file and
// VerifyElf's verdict; then the hostile headers, one rule at a time, and
// the reads the C asks for.
#include <gtest/gtest.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "signer/format/digsig_elf.h"
#include "signer/format/digsig_format.h"
#include "signer/format/digsig_sections.h"
#include "signer/lib/byte_order.h"
#include "signer/lib/certificate.h"
#include "signer/lib/elf_signature.h"
#include "signer/lib/file_io.h"
#include "signer/lib/signing_key.h"
#include "signer/tests/sections_reference.h"
#include "signer/tests/test_elf.h"

namespace digsig {
namespace {

using testing::ReferenceSectionsCheck;
using testing::RunSectionsCheck;
using testing::SectionsRun;

constexpr uint64_t kMax64 = ~uint64_t{0};
constexpr uint32_t kShtProgbits = 1;
constexpr uint32_t kShtStrtab = 3;
constexpr uint32_t kShtNobits = 8;
constexpr uint16_t kShnXindex = 0xffff;

// Byte surgery on an ELF file's headers, in its own class and byte order.
class Elf {
 public:
  enum Header { kPhoff, kShoff, kPhentsize, kPhnum, kShentsize, kShnum, kShstrndx };
  enum Field { kName, kType, kOffset, kSize, kLink };

  explicit Elf(Bytes b) : b_(std::move(b)), is64_(b_[4] == 2), be_(b_[5] == 2) {}

  Bytes& bytes() { return b_; }
  const Bytes& bytes() const { return b_; }
  bool is64() const { return is64_; }
  uint64_t size() const { return b_.size(); }
  uint32_t entsize() const { return is64_ ? 64 : 40; }
  uint64_t word_max() const { return is64_ ? kMax64 : 0xffffffffu; }

  uint64_t Get(Header h) const { return Load(HeaderAt(h).first, HeaderAt(h).second); }
  void Set(Header h, uint64_t v) { Store(HeaderAt(h).first, HeaderAt(h).second, v); }

  // Section header `index`, which must lie inside the file.
  uint64_t Get(uint64_t index, Field f) const {
    return Load(SectionAt(index) + FieldAt(f).first, FieldAt(f).second);
  }
  void Set(uint64_t index, Field f, uint64_t v) {
    Store(SectionAt(index) + FieldAt(f).first, FieldAt(f).second, v);
  }

  // The resolved count and name table index (extended numbering).
  uint64_t count() const { return Get(kShnum) ? Get(kShnum) : Get(0, kSize); }
  uint64_t names() const { return Get(kShstrndx) == kShnXindex ? Get(0, kLink) : Get(kShstrndx); }
  uint64_t last() const { return count() - 1; }
  // The offset of a name in the name table.
  uint32_t NameOffset(const std::string& name) const {
    const uint64_t at = Get(names(), kOffset), n = Get(names(), kSize);
    const std::string table(b_.begin() + static_cast<ptrdiff_t>(at),
                            b_.begin() + static_cast<ptrdiff_t>(at + n));
    const size_t pos = table.find(name + '\0');
    EXPECT_NE(pos, std::string::npos) << name;
    return static_cast<uint32_t>(pos);
  }

 private:
  std::pair<size_t, size_t> HeaderAt(Header h) const {
    static const std::pair<size_t, size_t> k64[] = {{32, 8}, {40, 8}, {54, 2}, {56, 2},
                                                    {58, 2}, {60, 2}, {62, 2}};
    static const std::pair<size_t, size_t> k32[] = {{28, 4}, {32, 4}, {42, 2}, {44, 2},
                                                    {46, 2}, {48, 2}, {50, 2}};
    return is64_ ? k64[h] : k32[h];
  }
  std::pair<size_t, size_t> FieldAt(Field f) const {
    static const std::pair<size_t, size_t> k64[] = {{0, 4}, {4, 4}, {24, 8}, {32, 8}, {40, 4}};
    static const std::pair<size_t, size_t> k32[] = {{0, 4}, {4, 4}, {16, 4}, {20, 4}, {24, 4}};
    return is64_ ? k64[f] : k32[f];
  }
  size_t SectionAt(uint64_t index) const {
    const uint64_t at = Get(kShoff) + index * entsize();
    EXPECT_LE(at + entsize(), b_.size()) << "section " << index << " is outside the file";
    return at + entsize() <= b_.size() ? static_cast<size_t>(at) : 0;
  }
  uint64_t Load(size_t at, size_t width) const {
    switch (width) {
      case 2: return LoadInt<uint16_t>(b_.data() + at, be_);
      case 4: return LoadInt<uint32_t>(b_.data() + at, be_);
      default: return LoadInt<uint64_t>(b_.data() + at, be_);
    }
  }
  void Store(size_t at, size_t width, uint64_t v) {
    switch (width) {
      case 2: StoreInt<uint16_t>(b_.data() + at, static_cast<uint16_t>(v), be_); break;
      case 4: StoreInt<uint32_t>(b_.data() + at, static_cast<uint32_t>(v), be_); break;
      default: StoreInt<uint64_t>(b_.data() + at, v, be_); break;
    }
  }

  Bytes b_;
  bool is64_, be_;
};

uint32_t RecordLen(const Bytes& f) { return LoadBe<uint32_t>(f.data() + f.size() - 16); }
uint64_t Covered(const Bytes& f) { return f.size() - RecordLen(f); }

// The C's answer for `f` (signed: its trailer gives covered_len and
// record_len), after checking the promises it makes about its reads and
// that libObject's reading of the whole file gives the same answer.
int Check(const Bytes& f) {
  const SectionsRun run = RunSectionsCheck(f, Covered(f), RecordLen(f));
  EXPECT_FALSE(run.broken_promise);
  EXPECT_LE(run.reads.size(), size_t{DIGSIG_SECTIONS_MAX_READS});
  EXPECT_EQ(run.result, ReferenceSectionsCheck(f, Covered(f), RecordLen(f)))
      << "digsig_sections_check() and libObject disagree";
  return run.result;
}

// Check() gives `want`, and so does digsig verify's VerifyElf(): malformed
// exactly when step 4 fails. With `trusted` (the file re-signed by it), a
// file that passes step 4 verifies; without, it fails a later step only.
void Expect(const Bytes& f, int want, const std::vector<CertPtr>& trusted = {}) {
  EXPECT_EQ(Check(f), want);
  auto v = VerifyElf(f, trusted);
  if (want != 0) {
    ASSERT_FALSE(v.ok());
    EXPECT_EQ(v.error().code(), ErrorCode::kMalformed) << v.error().message();
  } else if (!trusted.empty()) {
    EXPECT_TRUE(v.ok()) << v.error().message();
  } else {
    EXPECT_TRUE(v.ok() || v.error().code() != ErrorCode::kMalformed) << v.error().message();
  }
}

// --- real files -------------------------------------------------------------------

std::string CorpusPath(const std::string& name) {
  const char* srcdir = std::getenv("TEST_SRCDIR");
  return std::string(srcdir ? srcdir : ".") + "/digsig/signer/fuzz/corpus/elf_reader_fuzzer/" +
         name;
}

Bytes Corpus(const std::string& name) {
  auto f = ReadWholeFile(CorpusPath(name), 1 << 20);
  EXPECT_TRUE(f.ok()) << name << ": " << (f ? "" : f.error().message());
  return f ? *f : Bytes();
}

// Cross-compiled programs signed by make_corpus.sh: ELF64 LE (x86_64,
// aarch64, riscv64), ELF64 BE (s390x), ELF32 LE (i686), ELF32 BE (powerpc,
// mips); an object, files that had no section header table or used
// extended numbering before signing, ECDSA records (padded slots).
const char* const kSignedCorpus[] = {
    "exec-x86_64.signed",       "exec-aarch64.sha384.signed", "exec-riscv64.signed",
    "exec-s390x.sha512.signed", "exec-i686.signed",           "exec-powerpc.signed",
    "exec-mips.signed",         "exec-x86_64.ecdsa.signed",   "exec-powerpc.ecdsa.signed",
    "rel-x86_64.o.signed",      "nosht-x86_64.signed",        "nosht-powerpc.signed",
    "extnum-x86_64.o.signed",   "altered-body.signed",        "altered-digest.signed",
};
// One of each class and byte order, for the mutations.
const char* const kShapes[] = {"exec-x86_64.signed", "exec-s390x.sha512.signed", "exec-i686.signed",
                               "exec-powerpc.signed"};

TEST(ElfSections, RealSignedFilesPass) {
  for (const char* name : kSignedCorpus) {
    SCOPED_TRACE(name);
    const Bytes f = Corpus(name);
    ASSERT_GT(f.size(), 200u);
    Expect(f, 0);
  }
}

TEST(ElfSections, ReadsAreFewSmallAndInsideTheFile) {
  for (const char* name : kShapes) {
    SCOPED_TRACE(name);
    const Bytes f = Corpus(name);
    Elf e(f);
    const SectionsRun run = RunSectionsCheck(f, Covered(f), RecordLen(f));
    ASSERT_EQ(run.result, 0);
    ASSERT_EQ(run.reads.size(), 5u);
    const uint64_t shoff = e.Get(Elf::kShoff), names_at = e.Get(e.names(), Elf::kOffset);
    const uint64_t names_size = e.Get(e.names(), Elf::kSize);
    // Section 0, the last section, the name table's header, its last byte,
    // the name.
    EXPECT_EQ(run.reads[0].pos, shoff);
    EXPECT_EQ(run.reads[1].pos, shoff + e.last() * e.entsize());
    EXPECT_EQ(run.reads[2].pos, shoff + e.names() * e.entsize());
    for (int i = 0; i < 3; ++i) EXPECT_EQ(run.reads[i].len, e.entsize());
    EXPECT_EQ(run.reads[3].pos, names_at + names_size - 1);
    EXPECT_EQ(run.reads[3].len, 1u);
    EXPECT_EQ(run.reads[4].pos, names_at + e.Get(e.last(), Elf::kName));
    EXPECT_EQ(run.reads[4].len, 8u);
  }
}

TEST(ElfSections, ReadErrorsAreReturned) {
  const Bytes f = Corpus("exec-i686.signed");
  for (int i = 0; i < DIGSIG_SECTIONS_MAX_READS; ++i) {
    SCOPED_TRACE(i);
    EXPECT_EQ(RunSectionsCheck(f, Covered(f), RecordLen(f), i).result, -EIO);
  }
}

// --- files signed here, re-signed after each change -----------------------------------

class Signer {
 public:
  Signer() {
    const std::string dir = testing::TestKeyDir("rsa-2048");
    auto key = SigningKey::Load(KeySpec::Files(dir + "/key.pem", dir + "/cert.pem"));
    EXPECT_TRUE(key.ok());
    key_ = *key;
    auto certs = LoadCertificates(dir + "/cert.pem");
    EXPECT_TRUE(certs.ok());
    trusted_ = *certs;
  }

  Bytes Sign(const Bytes& in) const {
    auto s = SignElf(in, *key_, HashAlgo::kSha256);
    EXPECT_TRUE(s.ok()) << (s ? "" : s.error().message());
    Bytes out;
    if (s)
      for (ByteSpan p : s->Pieces()) out.insert(out.end(), p.begin(), p.end());
    return out;
  }

  // A new record over the covered bytes as they are now (or `covered`
  // bytes long when given): a signature the trusted key made, so that only
  // step 4 can fail.
  // `orig_len`, when given, replaces the payload's.
  Bytes Resign(const Bytes& f, uint64_t covered = 0,
               std::optional<uint64_t> orig_len = std::nullopt) const {
    if (covered == 0) covered = Covered(f);
    const Bytes rec(f.begin() + static_cast<ptrdiff_t>(Covered(f)), f.end());
    digsig_payload p;
    EXPECT_EQ(digsig_decode_payload(rec.data(), &p), 0);
    p.covered_len = covered;
    if (orig_len) p.orig_len = *orig_len;
    auto hasher = Hasher::Create(HashAlgo::kSha256);
    hasher->Update(ByteSpan(f.data(), covered));
    const Bytes digest = hasher->Finish();
    std::memcpy(p.digest, digest.data(), digest.size());
    uint8_t payload[DIGSIG_PAYLOAD_SIZE];
    digsig_encode_payload(&p, payload);
    auto sig = key_->SignPkcs7(ByteSpan(payload, sizeof(payload)), HashAlgo::kSha256);
    EXPECT_TRUE(sig.ok());
    Bytes out(f.begin(), f.begin() + static_cast<ptrdiff_t>(covered));
    out.insert(out.end(), payload, payload + sizeof(payload));
    const uint32_t rl = static_cast<uint32_t>(DIGSIG_RECORD_HEADER_SIZE + sig->size() + 16);
    uint8_t word[4];
    out.insert(out.end(), {DIGSIG_SIG_PKCS7, 0, 0, 0});
    StoreBe<uint32_t>(word, static_cast<uint32_t>(sig->size()));
    out.insert(out.end(), word, word + 4);
    out.insert(out.end(), sig->begin(), sig->end());
    StoreBe<uint32_t>(word, rl);
    out.insert(out.end(), word, word + 4);
    out.insert(out.end(), DIGSIG_TRAILER_MAGIC, DIGSIG_TRAILER_MAGIC + DIGSIG_TRAILER_MAGIC_SIZE);
    EXPECT_EQ(RecordLen(out), rl);
    return out;
  }

  const std::vector<CertPtr>& trusted() const { return trusted_; }

 private:
  std::shared_ptr<SigningKey> key_;
  std::vector<CertPtr> trusted_;
};

struct Shape {
  bool is64, be, table;
};
const Shape kSynthetic[] = {{true, false, true}, {true, true, true},   {false, false, true},
                            {false, true, true}, {true, false, false}, {false, true, false}};

std::string Name(const Shape& s) {
  return std::string(s.is64 ? "ELF64" : "ELF32") + (s.be ? " BE" : " LE") +
         (s.table ? "" : " without a section table");
}

Bytes Unsigned(const Shape& s) {
  testing::ElfSpec spec;
  spec.is64 = s.is64;
  spec.big_endian = s.be;
  spec.section_table = s.table;
  spec.machine = s.is64 ? (s.be ? 22 : 62) : (s.be ? 20 : 40);
  return testing::MakeElf(spec);
}

// The board's case (tests/board/enforcement_board_test.sh): one more
// section header after .digsig, the record moved past it and signed
// again by the trusted key. Only step 4 fails.
Bytes SectionAfterDigsig(const Signer& signer, const Bytes& signed_file) {
  Elf e(signed_file);
  const uint64_t table_end = e.Get(Elf::kShoff) + e.count() * e.entsize();
  EXPECT_EQ(table_end, Covered(signed_file));  // the table ends the covered bytes
  Bytes b(signed_file.begin(), signed_file.begin() + static_cast<ptrdiff_t>(table_end));
  b.insert(b.end(), e.entsize(), 0);  // an SHT_NULL entry
  b.insert(b.end(), signed_file.begin() + static_cast<ptrdiff_t>(table_end), signed_file.end());
  Elf moved(std::move(b));
  const uint64_t digsig = e.last();
  if (moved.Get(Elf::kShnum) != 0)
    moved.Set(Elf::kShnum, moved.Get(Elf::kShnum) + 1);
  else
    moved.Set(0, Elf::kSize, moved.Get(0, Elf::kSize) + 1);
  moved.Set(digsig, Elf::kOffset, table_end + e.entsize());
  return signer.Resign(moved.bytes(), table_end + e.entsize());
}

TEST(ElfSections, SignedHereEveryShapeAndOnlyStep4Fails) {
  const Signer signer;
  for (const Shape& s : kSynthetic) {
    SCOPED_TRACE(Name(s));
    const Bytes f = signer.Sign(Unsigned(s));
    Expect(f, 0, signer.trusted());
    Expect(signer.Resign(f), 0, signer.trusted());  // Resign() itself changes nothing
    Expect(SectionAfterDigsig(signer, f), -EBADMSG, signer.trusted());
    Elf e(f);
    const uint64_t last = e.last();
    // .digsig renamed (to the name table's own name), moved by one byte,
    // one byte shorter or longer: each signed again.
    Elf renamed(f);
    renamed.Set(last, Elf::kName, e.NameOffset(".shstrtab"));
    Expect(signer.Resign(renamed.bytes()), -EBADMSG, signer.trusted());
    for (int64_t d : {-1, 1}) {
      Elf off(f), size(f);
      off.Set(last, Elf::kOffset, e.Get(last, Elf::kOffset) + d);
      size.Set(last, Elf::kSize, e.Get(last, Elf::kSize) + d);
      Expect(signer.Resign(off.bytes()), -EBADMSG, signer.trusted());
      Expect(signer.Resign(size.bytes()), -EBADMSG, signer.trusted());
    }
    // .digsig and the section before it swapped (the name table's index
    // following its entry).
    Elf swapped(f);
    const uint64_t at = swapped.Get(Elf::kShoff) + (last - 1) * swapped.entsize();
    std::swap_ranges(swapped.bytes().begin() + static_cast<ptrdiff_t>(at),
                     swapped.bytes().begin() + static_cast<ptrdiff_t>(at + swapped.entsize()),
                     swapped.bytes().begin() + static_cast<ptrdiff_t>(at + swapped.entsize()));
    if (e.names() == last - 1) swapped.Set(Elf::kShstrndx, last);
    Expect(signer.Resign(swapped.bytes()), -EBADMSG, signer.trusted());
  }
}

// Step 3's lower bound on orig_len, the class's ELF header: the shared C
// that digsig.ko and digsig verify both call. A trusted signature over a
// smaller one is malformed; the header size itself passes.
TEST(ElfOrigLen, AtLeastTheElfHeader) {
  const Signer signer;
  for (const Shape& s : kSynthetic) {
    SCOPED_TRACE(Name(s));
    const uint64_t header = s.is64 ? 64 : 52;
    const Bytes f = signer.Sign(Unsigned(s));
    for (uint64_t orig : {uint64_t{0}, header - 1, header}) {
      SCOPED_TRACE(orig);
      const Bytes g = signer.Resign(f, 0, orig);
      const int want = orig < header ? -EBADMSG : 0;
      EXPECT_EQ(digsig_elf_orig_len_ok(g.data(), g.size(), g.size(), orig), want);
      auto v = VerifyElf(g, signer.trusted());
      if (want != 0) {
        ASSERT_FALSE(v.ok());
        EXPECT_EQ(v.error().code(), ErrorCode::kMalformed) << v.error().message();
      }
    }
    EXPECT_EQ(digsig_elf_orig_len_ok(f.data(), 3, f.size(), header), -ENOEXEC);
  }
}

TEST(ElfSections, ExtendedNumberingWrittenBySigner) {
  // 0xff01 sections after signing: e_shnum 0, the count in section 0.
  const Signer signer;
  testing::ElfSpec spec;
  spec.extra_sections = 0xff00 - 2;
  spec.payload_bytes = 0;
  const Bytes f = signer.Sign(testing::MakeElf(spec));
  Elf e(f);
  ASSERT_EQ(e.Get(Elf::kShnum), 0u);
  ASSERT_EQ(e.count(), 0xff01u);
  Expect(f, 0, signer.trusted());
  // Section 0 lying about the count, signed again.
  for (uint64_t n : {uint64_t{0}, uint64_t{1}, uint64_t{0xff00}, uint64_t{0xff02}, kMax64}) {
    SCOPED_TRACE(n);
    Elf lie(f);
    lie.Set(0, Elf::kSize, n);
    Expect(signer.Resign(lie.bytes()), -EBADMSG, signer.trusted());
  }
}

// --- hostile headers on the real files, one rule at a time ----------------------

// For each class and byte order: a copy of the file changed by `edit`.
template <typename Edit>
void ForEachShape(Edit edit) {
  for (const char* name : kShapes) {
    SCOPED_TRACE(name);
    Elf e(Corpus(name));
    edit(e);
  }
}

TEST(ElfSections, ExtendedNumbering) {
  ForEachShape([](const Elf& original) {
    const uint64_t count = original.count(), names = original.names();
    auto extended = [&](uint64_t count_in_0) {
      Elf e = original;
      e.Set(Elf::kShnum, 0);
      e.Set(0, Elf::kSize, count_in_0);
      return e;
    };
    Expect(extended(count).bytes(), 0);
    // Section 0's sh_size lying: one less (the last is another section),
    // one more (the last is in the record), none, past the file, too many
    // to count (2^58 + count: the table's size wraps to the real one's).
    for (uint64_t n :
         {count - 1, count + 1, uint64_t{0}, original.size() / original.entsize(),
          original.word_max(), original.word_max() / 40 + 1, (uint64_t{1} << 58) + count}) {
      if (n > original.word_max()) continue;
      SCOPED_TRACE(n);
      Expect(extended(n).bytes(), -EBADMSG);
    }
    // SHN_XINDEX: the index in section 0's sh_link, with either count.
    for (bool shnum_too : {false, true}) {
      Elf e = shnum_too ? extended(count) : original;
      e.Set(Elf::kShstrndx, kShnXindex);
      e.Set(0, Elf::kLink, names);
      Expect(e.bytes(), 0);
      for (uint64_t link : {uint64_t{0}, count - 1, count, uint64_t{0xffffffff}}) {
        SCOPED_TRACE(link);
        e.Set(0, Elf::kLink, link);
        Expect(e.bytes(), -EBADMSG);
      }
    }
    // A plain e_shstrndx out of range, or none.
    for (uint64_t index : {uint64_t{0}, count, uint64_t{0xff00}, uint64_t{0xfffe}}) {
      SCOPED_TRACE(index);
      Elf e = original;
      e.Set(Elf::kShstrndx, index);
      Expect(e.bytes(), -EBADMSG);
    }
    // Index 0 is "no name table" even when section 0 is one.
    Elf zero = original;
    zero.Set(0, Elf::kType, kShtStrtab);
    zero.Set(0, Elf::kOffset, original.Get(names, Elf::kOffset));
    zero.Set(0, Elf::kSize, original.Get(names, Elf::kSize));
    Expect(zero.bytes(), 0);
    zero.Set(Elf::kShstrndx, 0);
    Expect(zero.bytes(), -EBADMSG);
  });
}

TEST(ElfSections, SectionTableOutsideTheFile) {
  ForEachShape([](const Elf& original) {
    const uint64_t size = original.size(), entsize = original.entsize();
    for (uint64_t shoff : {uint64_t{0}, size, size - entsize + 1, size - 1, original.word_max(),
                           original.word_max() - entsize + 1, uint64_t{1} << 63}) {
      if (shoff > original.word_max()) continue;
      SCOPED_TRACE(shoff);
      Elf e = original;
      e.Set(Elf::kShoff, shoff);
      Expect(e.bytes(), -EBADMSG);
    }
    // One entry too many for the file.
    Elf e = original;
    e.Set(Elf::kShnum, (size - e.Get(Elf::kShoff)) / entsize + 1);
    Expect(e.bytes(), -EBADMSG);
    // Shifted by a byte: whatever libObject makes of it.
    for (int64_t d : {int64_t{-1}, int64_t{1}, -static_cast<int64_t>(entsize)}) {
      Elf shifted = original;
      shifted.Set(Elf::kShoff, original.Get(Elf::kShoff) + d);
      Check(shifted.bytes());
    }
  });
}

TEST(ElfSections, WrongEntrySize) {
  ForEachShape([](const Elf& original) {
    for (uint64_t n : {0, 1, 39, 40, 41, 63, 64, 65, 0xffff}) {
      if (n == original.entsize()) continue;
      SCOPED_TRACE(n);
      Elf e = original;
      e.Set(Elf::kShentsize, n);
      Expect(e.bytes(), -EBADMSG);
    }
  });
}

TEST(ElfSections, ProgramHeadersAsLibObjectReadsThem) {
  ForEachShape([](const Elf& original) {
    const uint64_t phentsize = original.is64() ? 56 : 32;
    Elf e = original;
    e.Set(Elf::kPhoff, original.size());
    Expect(e.bytes(), -EBADMSG);
    e.Set(Elf::kPhoff, original.word_max());
    Expect(e.bytes(), -EBADMSG);
    // Without entries the offset must still be inside the file...
    e.Set(Elf::kPhnum, 0);
    Expect(e.bytes(), -EBADMSG);
    e.Set(Elf::kPhoff, original.size());
    Expect(e.bytes(), 0);
    // ...and the entry size does not matter.
    e.Set(Elf::kPhentsize, phentsize + 1);
    Expect(e.bytes(), 0);
    Elf wrong = original;
    wrong.Set(Elf::kPhentsize, phentsize + 1);
    Expect(wrong.bytes(), -EBADMSG);
  });
}

TEST(ElfSections, NameTable) {
  ForEachShape([](const Elf& original) {
    const uint64_t names = original.names();
    const uint64_t at = original.Get(names, Elf::kOffset), size = original.Get(names, Elf::kSize);
    auto with = [&](Elf::Field f, uint64_t v) {
      Elf e = original;
      e.Set(names, f, v);
      return e.bytes();
    };
    for (uint32_t type : {0u, kShtProgbits, kShtNobits, 2u})
      Expect(with(Elf::kType, type), -EBADMSG);
    Expect(with(Elf::kSize, 0), -EBADMSG);
    Expect(with(Elf::kSize, original.size() - at + 1), -EBADMSG);
    Expect(with(Elf::kOffset, original.size()), -EBADMSG);
    Expect(with(Elf::kOffset, original.word_max()), -EBADMSG);
    // Offset + size wraps in the class's offset type (ELF32: to 0x10).
    Elf wrap = original;
    wrap.Set(names, Elf::kOffset, original.word_max() - 0xf);
    wrap.Set(names, Elf::kSize, 0x20);
    Expect(wrap.bytes(), -EBADMSG);
    // Not NUL-terminated, the name itself intact: the table grown to the
    // next non-zero byte after it (in the section header table).
    uint64_t end = at + size;
    while (original.bytes()[end] == 0) ++end;
    ASSERT_LT(end, Covered(original.bytes()));
    Expect(with(Elf::kSize, end - at + 1), -EBADMSG);
    // Grown over a zero byte: still terminated.
    if (original.bytes()[at + size] == 0) Expect(with(Elf::kSize, size + 1), 0);
  });
}

TEST(ElfSections, NameOfTheLastSection) {
  ForEachShape([](const Elf& original) {
    const uint64_t last = original.last();
    const uint64_t names_size = original.Get(original.names(), Elf::kSize);
    const uint64_t name = original.Get(last, Elf::kName);
    auto named = [&](uint64_t v) {
      Elf e = original;
      e.Set(last, Elf::kName, v);
      return e.bytes();
    };
    // No name (0, whatever the table holds there), outside the table, the
    // table's last byte (""), a tail of ".digsig", another section's name,
    // and offsets where offset + 8 wraps in 32 bits.
    for (uint64_t v :
         {uint64_t{0}, names_size, names_size + 1, names_size - 1, name + 1,
          uint64_t{original.NameOffset(".shstrtab")}, uint64_t{0xfffffff9}, uint64_t{0xffffffff}}) {
      SCOPED_TRACE(v);
      Expect(named(v), -EBADMSG);
    }
    // Not NUL-terminated: ".digsigX" (also the table's last byte here).
    const uint64_t at = original.Get(original.names(), Elf::kOffset) + name;
    for (uint64_t i : {uint64_t{0}, uint64_t{6}, uint64_t{7}}) {
      Elf e = original;
      e.bytes()[at + i] = 'X';
      Expect(e.bytes(), -EBADMSG);
    }
    // Section 0's name offset outside the table.
    Elf zero = original;
    zero.Set(0, Elf::kName, names_size);
    Expect(zero.bytes(), -EBADMSG);
  });
}

TEST(ElfSections, LastSectionOffsetSizeAndType) {
  ForEachShape([](const Elf& original) {
    const uint64_t last = original.last(), covered = Covered(original.bytes());
    const uint64_t rl = RecordLen(original.bytes());
    for (auto [off, size] : std::vector<std::pair<uint64_t, uint64_t>>{{covered - 1, rl},
                                                                       {covered + 1, rl},
                                                                       {covered, rl - 1},
                                                                       {covered, rl + 1},
                                                                       {covered, 0},
                                                                       {0, rl},
                                                                       {covered - 1, rl + 1}}) {
      SCOPED_TRACE(::testing::Message() << off << " " << size);
      Elf e = original;
      e.Set(last, Elf::kOffset, off);
      e.Set(last, Elf::kSize, size);
      Expect(e.bytes(), -EBADMSG);
    }
    // The type is not part of the rule, for digsig verify either.
    for (uint32_t type : {0u, kShtStrtab, kShtNobits}) {
      Elf e = original;
      e.Set(last, Elf::kType, type);
      Expect(e.bytes(), 0);
    }
  });
}

TEST(ElfSections, SectionZeroAndTheNameTableAreCheckedLikeAnySection) {
  ForEachShape([](const Elf& original) {
    // Section 0 with data outside the file, unless it has none.
    Elf e = original;
    e.Set(0, Elf::kOffset, original.size());
    e.Set(0, Elf::kSize, 1);
    Expect(e.bytes(), 0);  // SHT_NULL: its offset is not data
    e.Set(0, Elf::kType, kShtProgbits);
    Expect(e.bytes(), -EBADMSG);
    e.Set(0, Elf::kType, kShtNobits);
    Expect(e.bytes(), 0);
    // The name table's own name outside it.
    Elf n = original;
    n.Set(original.names(), Elf::kName, original.Get(original.names(), Elf::kSize));
    Expect(n.bytes(), -EBADMSG);
  });
}

TEST(ElfSections, OtherSectionsAreNotRead) {
  // The documented limit: a section other than 0, the name table and the
  // last one is not read, so its offsets are not checked here. digsig
  // verify refuses the file (ParseElf reads every header); digsig.ko
  // passes step 4, and the section table is covered by the signature.
  ForEachShape([](const Elf& original) {
    uint64_t other = 1;
    while (other == original.names()) ++other;
    ASSERT_LT(other, original.last());
    Elf e = original;
    e.Set(other, Elf::kType, kShtProgbits);
    e.Set(other, Elf::kOffset, original.size());
    e.Set(other, Elf::kSize, 1);
    const SectionsRun run = RunSectionsCheck(e.bytes(), Covered(e.bytes()), RecordLen(e.bytes()));
    EXPECT_EQ(run.result, 0);
    EXPECT_EQ(ReferenceSectionsCheck(e.bytes(), Covered(e.bytes()), RecordLen(e.bytes())),
              -EBADMSG);
    auto v = VerifyElf(e.bytes(), {});
    ASSERT_FALSE(v.ok());
    EXPECT_EQ(v.error().code(), ErrorCode::kMalformed);
  });
}

TEST(ElfSections, HeaderAndRecordArguments) {
  ForEachShape([](const Elf& original) {
    const Bytes& f = original.bytes();
    const uint64_t covered = Covered(f);
    const uint32_t rl = RecordLen(f);
    // Not ELF; unknown class or byte order.
    Elf e = original;
    e.bytes()[3] = 'G';
    EXPECT_EQ(Check(e.bytes()), -ENOEXEC);
    for (size_t at : {4, 5}) {
      for (uint8_t v : {0, 3, 0xff}) {
        Elf bad = original;
        bad.bytes()[at] = v;
        EXPECT_EQ(Check(bad.bytes()), -EBADMSG);
      }
    }
    // The caller's header buffer too short for the class.
    const size_t need = original.is64() ? 64 : 52;
    const testing::FileBytes bytes = [&f](uint64_t pos, uint32_t len, uint8_t* out) {
      std::memcpy(out, f.data() + pos, len);
    };
    for (size_t n : {size_t{0}, size_t{3}, size_t{4}, size_t{51}, need - 1, need}) {
      SCOPED_TRACE(n);
      const int r = RunSectionsCheck(ByteSpan(f.data(), n), f.size(), bytes, covered, rl).result;
      EXPECT_EQ(r, n < 4 ? -ENOEXEC : n < need ? -EBADMSG : 0);
    }
    // covered_len and record_len that do not make the file (step 3's rule),
    // even with a last section that says the same.
    for (auto [c, r] : std::vector<std::pair<uint64_t, uint32_t>>{{covered + 1, rl},
                                                                  {covered - 1, rl},
                                                                  {covered, rl + 1},
                                                                  {covered, rl - 1},
                                                                  {covered - 1, rl - 1},
                                                                  {kMax64, rl},
                                                                  {f.size() + 1, 0}}) {
      SCOPED_TRACE(::testing::Message() << c << " " << r);
      EXPECT_EQ(RunSectionsCheck(f, c, r).result, -EBADMSG);
      Elf lying = original;
      lying.Set(lying.last(), Elf::kOffset, c);
      lying.Set(lying.last(), Elf::kSize, r);
      EXPECT_EQ(RunSectionsCheck(lying.bytes(), c, r).result, -EBADMSG);
      EXPECT_EQ(ReferenceSectionsCheck(lying.bytes(), c, r), -EBADMSG);
    }
  });
}

// --- minimal ELF32 files: three sections, in memory or over 4 GiB --------------------

struct SparseFile {
  uint64_t size;
  std::map<uint64_t, Bytes> chunks;  // zeros elsewhere

  void Put(uint64_t at, const Bytes& b) { chunks[at] = b; }
  testing::FileBytes Reader() const {
    return [this](uint64_t pos, uint32_t len, uint8_t* out) {
      std::memset(out, 0, len);
      for (const auto& [at, b] : chunks)
        for (uint64_t i = 0; i < b.size(); ++i)
          if (at + i >= pos && at + i < pos + len) out[at + i - pos] = b[i];
    };
  }
  Bytes Header() const { return chunks.at(0); }
  Bytes InMemory() const {
    Bytes b(size, 0);
    Reader()(0, static_cast<uint32_t>(size), b.data());
    return b;
  }
};

struct Minimal {
  uint64_t shoff = 0x100;
  uint64_t names = 0x80;  // the name table's offset
  Bytes name_bytes{0, '.', 'd', 'i', 'g', 's', 'i', 'g', 0};
  uint64_t names_size = 9;
  uint32_t digsig_name = 1;
  uint64_t covered = 0x200;
  uint32_t record_len = 0x100;
};

// ELF32 LE: the header, the name table, three section headers (null, the
// name table, .digsig), the record's bytes (zeros) ending the file.
SparseFile MinimalElf32(const Minimal& m) {
  SparseFile f{m.covered + m.record_len, {}};
  Bytes h(52, 0);
  const uint8_t ident[] = {0x7f, 'E', 'L', 'F', 1, 1, 1};
  std::memcpy(h.data(), ident, sizeof(ident));
  StoreInt<uint32_t>(h.data() + 32, static_cast<uint32_t>(m.shoff), false);
  StoreInt<uint16_t>(h.data() + 46, 40, false);
  StoreInt<uint16_t>(h.data() + 48, 3, false);
  StoreInt<uint16_t>(h.data() + 50, 1, false);
  f.Put(0, h);
  f.Put(m.names, m.name_bytes);
  Bytes t(120, 0);
  auto sh = [&](int i, uint32_t name, uint32_t type, uint64_t off, uint64_t size) {
    StoreInt<uint32_t>(t.data() + i * 40, name, false);
    StoreInt<uint32_t>(t.data() + i * 40 + 4, type, false);
    StoreInt<uint32_t>(t.data() + i * 40 + 16, static_cast<uint32_t>(off), false);
    StoreInt<uint32_t>(t.data() + i * 40 + 20, static_cast<uint32_t>(size), false);
  };
  sh(1, 0, kShtStrtab, m.names, m.names_size);
  sh(2, m.digsig_name, kShtProgbits, m.covered, m.record_len);
  f.Put(m.shoff, t);
  return f;
}

// The C on a file in memory, agreeing with libObject.
int CheckMinimal(const Minimal& m) {
  const Bytes b = MinimalElf32(m).InMemory();
  const SectionsRun run = RunSectionsCheck(b, m.covered, m.record_len);
  EXPECT_FALSE(run.broken_promise);
  EXPECT_EQ(run.result, ReferenceSectionsCheck(b, m.covered, m.record_len));
  return run.result;
}

TEST(ElfSections, MinimalFile) {
  EXPECT_EQ(CheckMinimal({}), 0);
  // sh_name 0 is "no name", even when the table starts with ".digsig".
  Minimal zero;
  zero.name_bytes = {'.', 'd', 'i', 'g', 's', 'i', 'g', 0};
  zero.names_size = 8;
  zero.digsig_name = 0;
  EXPECT_EQ(CheckMinimal(zero), -EBADMSG);
  zero.digsig_name = 1;  // "digsig"
  EXPECT_EQ(CheckMinimal(zero), -EBADMSG);
  // ".digsig" as the tail of a longer name ("x.digsig"): fine, a C string.
  Minimal tail;
  tail.name_bytes = {0, 'x', '.', 'd', 'i', 'g', 's', 'i', 'g', 0};
  tail.names_size = 10;
  tail.digsig_name = 2;
  EXPECT_EQ(CheckMinimal(tail), 0);
  tail.digsig_name = 1;
  EXPECT_EQ(CheckMinimal(tail), -EBADMSG);
  // The name's NUL is the table's last byte, or there are bytes after it.
  Minimal longer;
  longer.name_bytes = {0, '.', 'd', 'i', 'g', 's', 'i', 'g', 0, 'a', 0};
  longer.names_size = 11;
  EXPECT_EQ(CheckMinimal(longer), 0);
  longer.names_size = 10;  // ends in 'a'
  EXPECT_EQ(CheckMinimal(longer), -EBADMSG);
  longer.names_size = 8;  // ends before the name's NUL
  EXPECT_EQ(CheckMinimal(longer), -EBADMSG);
}

// Offsets whose end is not representable in 32 bits are malformed for
// libObject even when the file is long enough to hold them; such files are
// too large to compare with it in memory, so these answers are stated.
int CheckOver4GiB(uint64_t shoff, uint64_t names, uint64_t names_size, uint64_t covered) {
  Minimal m;
  m.shoff = shoff;
  m.names = names;
  m.names_size = names_size;
  m.covered = covered;
  m.record_len = 0x200;
  const SparseFile f = MinimalElf32(m);
  const SectionsRun run = RunSectionsCheck(f.Header(), f.size, f.Reader(), m.covered, m.record_len);
  EXPECT_FALSE(run.broken_promise);
  return run.result;
}

TEST(ElfSections, Elf32OffsetsOver4GiB) {
  const uint64_t covered = 0xffffff00;  // the file: 4 GiB + 256 bytes
  // Everything representable: fine.
  EXPECT_EQ(CheckOver4GiB(0xffffe000, 0xffffd000, 9, covered), 0);
  // The name table ends past 2^32 (inside the file in 64-bit arithmetic),
  // or at 2^32, one past the largest offset.
  EXPECT_EQ(CheckOver4GiB(0xffffe000, 0xfffffff8, 0x10, covered), -EBADMSG);
  EXPECT_EQ(CheckOver4GiB(0xffffe000, 0xfffffff7, 9, covered), -EBADMSG);
  EXPECT_EQ(CheckOver4GiB(0xffffe000, 0xfffffff6, 9, covered), 0);
  // Section 0 ends past 2^32.
  EXPECT_EQ(CheckOver4GiB(0xffffffe0, 0xffffd000, 9, covered), -EBADMSG);
  // The last section's offset is 32 bits: a record past 2^32 cannot match.
  EXPECT_EQ(CheckOver4GiB(0xffffe000, 0xffffd000, 9, 0x100000000), -EBADMSG);
}

}  // namespace
}  // namespace digsig
