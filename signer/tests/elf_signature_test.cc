#include "signer/lib/elf_signature.h"

#include <gtest/gtest.h>
#include <llvm/BinaryFormat/ELF.h>

#include "signer/lib/byte_order.h"
#include "signer/lib/certificate.h"
#include "signer/tests/test_elf.h"

namespace digsig {
namespace {

using testing::ElfSpec;
using testing::MakeElf;
using testing::TestKeyDir;

std::shared_ptr<SigningKey> LoadKey(const std::string& algo) {
  std::string dir = TestKeyDir(algo);
  auto key = SigningKey::Load(KeySpec::Files(dir + "/key.pem", dir + "/cert.pem"));
  EXPECT_TRUE(key.ok()) << (key ? "" : key.error().message());
  return *key;
}

std::vector<CertPtr> Trust(const std::string& algo) {
  auto certs = LoadCertificates(TestKeyDir(algo) + "/cert.pem");
  EXPECT_TRUE(certs.ok());
  return *certs;
}

Bytes Flatten(const SignedElf& s) {
  Bytes out;
  for (ByteSpan p : s.Pieces()) out.insert(out.end(), p.begin(), p.end());
  return out;
}

Bytes Sign(const Bytes& in, const SigningKey& key, HashAlgo hash = HashAlgo::kSha256) {
  auto s = SignElf(in, key, hash);
  EXPECT_TRUE(s.ok()) << (s ? "" : s.error().message());
  return s ? Flatten(*s) : Bytes();
}

struct Shape {
  bool is64, be, table;
};

class ElfShapes : public ::testing::TestWithParam<Shape> {};

TEST_P(ElfShapes, SignVerifyStripAndResign) {
  const Shape sh = GetParam();
  ElfSpec spec;
  spec.is64 = sh.is64;
  spec.big_endian = sh.be;
  spec.section_table = sh.table;
  spec.machine = sh.is64 ? (sh.be ? 22 : 62) : (sh.be ? 20 : 40);  // s390, x86_64, ppc, arm
  Bytes original = MakeElf(spec);
  auto key = LoadKey("rsa-2048");
  Bytes signed_bytes = Sign(original, *key);

  auto img = ParseElf(signed_bytes);
  ASSERT_TRUE(img.ok()) << img.error().message();
  EXPECT_EQ(img->is64, sh.is64);
  EXPECT_EQ(img->big_endian, sh.be);
  ASSERT_FALSE(img->sections.empty());
  EXPECT_EQ(img->sections.back().name, ".digsig");
  EXPECT_EQ(img->sections.back().offset + img->sections.back().size, signed_bytes.size());

  auto v = VerifyElf(signed_bytes, Trust("rsa-2048"));
  ASSERT_TRUE(v.ok()) << v.error().message();

  // Removing the signature gives back the exact original bytes.
  auto stripped = RemoveSignature(signed_bytes);
  ASSERT_TRUE(stripped.ok());
  EXPECT_TRUE(stripped->was_signed);
  EXPECT_EQ(Bytes(stripped->bytes.begin(), stripped->bytes.end()), original);

  // Signing a signed file replaces the signature: same bytes as signing once.
  EXPECT_EQ(Sign(signed_bytes, *key), signed_bytes);
}

INSTANTIATE_TEST_SUITE_P(AllClasses, ElfShapes,
                         ::testing::Values(Shape{true, false, true}, Shape{true, true, true},
                                           Shape{false, false, true}, Shape{false, true, true},
                                           Shape{true, false, false}, Shape{false, true, false}));

TEST(ElfSignature, EveryByteIsCovered) {
  ElfSpec spec;
  spec.extra_sections = 1;
  spec.payload_bytes = 16;
  auto key = LoadKey("rsa-2048");
  const Bytes signed_bytes = Sign(MakeElf(spec), *key);
  const auto trusted = Trust("rsa-2048");
  // Flip each byte in turn: no position may change unnoticed.
  for (size_t i = 0; i < signed_bytes.size(); ++i) {
    Bytes bad = signed_bytes;
    bad[i] ^= 0x01;
    auto v = VerifyElf(bad, trusted);
    ASSERT_FALSE(v.ok()) << "byte " << i << " of " << bad.size() << " is not covered";
  }
}

TEST(ElfSignature, ReasonsAreSpecific) {
  auto key = LoadKey("rsa-2048");
  const Bytes original = MakeElf({});
  const Bytes signed_bytes = Sign(original, *key);

  auto unsigned_result = VerifyElf(original, Trust("rsa-2048"));
  EXPECT_EQ(unsigned_result.error().code(), ErrorCode::kUnsigned);

  Bytes altered = signed_bytes;
  altered[100] ^= 0xff;
  EXPECT_EQ(VerifyElf(altered, Trust("rsa-2048")).error().code(), ErrorCode::kAltered);

  EXPECT_EQ(VerifyElf(signed_bytes, Trust("rsa-3072")).error().code(), ErrorCode::kUnknownSigner);

  Bytes text = {'h', 'e', 'l', 'l', 'o'};
  EXPECT_EQ(VerifyElf(text, Trust("rsa-2048")).error().code(), ErrorCode::kNotElf);

  Bytes truncated(signed_bytes.begin(), signed_bytes.end() - 1);
  EXPECT_FALSE(VerifyElf(truncated, Trust("rsa-2048")).ok());
}

TEST(ElfSignature, AllHashesAndKeyTypes) {
  for (const char* algo : {"rsa-2048", "rsa-3072", "ecdsa-p256", "ecdsa-p384"}) {
    auto key = LoadKey(algo);
    for (HashAlgo h : {HashAlgo::kSha256, HashAlgo::kSha384, HashAlgo::kSha512}) {
      Bytes s = Sign(MakeElf({}), *key, h);
      auto v = VerifyElf(s, Trust(algo));
      ASSERT_TRUE(v.ok()) << algo << "/" << HashAlgoName(h) << ": " << v.error().message();
      EXPECT_EQ(v->signature.hash(), h);
    }
  }
}

TEST(ElfSignature, RsaSignaturesAreDeterministic) {
  auto key = LoadKey("rsa-2048");
  Bytes in = MakeElf({});
  EXPECT_EQ(Sign(in, *key), Sign(in, *key));
}

TEST(ElfSignature, ExtendedSectionNumbering) {
  // 0xfeff sections + .digsig crosses SHN_LORESERVE: e_shnum must become 0
  // with the real count in section 0, as the ELF specification requires.
  ElfSpec spec;
  spec.extra_sections = 0xff00 - 2;
  spec.payload_bytes = 1;
  auto key = LoadKey("rsa-2048");
  Bytes s = Sign(MakeElf(spec), *key);
  auto img = ParseElf(s);
  ASSERT_TRUE(img.ok()) << img.error().message();
  EXPECT_EQ(img->shnum_raw, 0);
  EXPECT_EQ(img->section_count, 0xff00u + 1);
  EXPECT_EQ(img->sections.back().name, ".digsig");
  EXPECT_TRUE(VerifyElf(s, Trust("rsa-2048")).ok());
  EXPECT_EQ(Sign(s, *key), s);
}

TEST(ElfSignature, RefusesStaleSignatureSection) {
  auto key = LoadKey("rsa-2048");
  Bytes s = Sign(MakeElf({}), *key);
  // Destroy the trailer: a .digsig section remains without a valid record.
  s[s.size() - 2] = 'X';
  auto r = SignElf(s, *key, HashAlgo::kSha256);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code(), ErrorCode::kMalformed);
}

}  // namespace
}  // namespace digsig
