#include "signer/lib/module_signature.h"

#include <gtest/gtest.h>

#include <cstring>

#include "signer/lib/certificate.h"
#include "signer/tests/test_elf.h"

namespace digsig {
namespace {

Bytes MakeModule() {
  testing::ElfSpec spec;
  spec.type = 1;  // ET_REL
  spec.extra_sections = 2;
  spec.first_section_name = ".modinfo";
  return testing::MakeElf(spec);
}

std::shared_ptr<SigningKey> Key() {
  std::string dir = testing::TestKeyDir("rsa-2048");
  return *SigningKey::Load(KeySpec::Files(dir + "/key.pem", dir + "/cert.pem"));
}

Bytes Flatten(const SignedModule& m) {
  Bytes out;
  for (ByteSpan p : m.Pieces()) out.insert(out.end(), p.begin(), p.end());
  return out;
}

TEST(ModuleSignature, SignsVerifiesAndReplaces) {
  auto key = Key();
  const Bytes module = MakeModule();
  auto signed_module = SignModule(module, *key, HashAlgo::kSha256);
  ASSERT_TRUE(signed_module.ok()) << signed_module.error().message();
  Bytes once = Flatten(*signed_module);
  ASSERT_TRUE(HasModuleSignature(once));
  EXPECT_EQ(0, std::memcmp(once.data(), module.data(), module.size()));

  auto certs = LoadCertificates(testing::TestKeyDir("rsa-2048") + "/cert.pem");
  ASSERT_TRUE(certs.ok());
  EXPECT_TRUE(VerifyModule(once, *certs).ok());

  auto twice = SignModule(once, *key, HashAlgo::kSha256);
  ASSERT_TRUE(twice.ok());
  EXPECT_EQ(Flatten(*twice), once);

  Bytes altered = once;
  altered[10] ^= 1;
  auto v = VerifyModule(altered, *certs);
  ASSERT_FALSE(v.ok());
  EXPECT_EQ(v.error().code(), ErrorCode::kAltered);
}

TEST(ModuleSignature, RequiresModinfo) {
  testing::ElfSpec spec;
  spec.type = 1;
  auto r = SignModule(testing::MakeElf(spec), *Key(), HashAlgo::kSha256);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code(), ErrorCode::kInvalidArgument);
}

TEST(ModuleSignature, RefusesExecutables) {
  auto r = SignModule(testing::MakeElf({}), *Key(), HashAlgo::kSha256);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message().find("relocatable"), std::string::npos);
}

TEST(ModuleSignature, RejectsAbsurdLength) {
  Bytes b = MakeModule();
  uint8_t info[12] = {0, 0, 2, 0, 0, 0, 0, 0, 0x7f, 0xff, 0xff, 0xff};
  b.insert(b.end(), info, info + 12);
  b.insert(b.end(), kModuleSignatureMagic, kModuleSignatureMagic + kModuleSignatureMagicSize);
  auto r = LocateModuleSignature(b);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code(), ErrorCode::kMalformed);
}

}  // namespace
}  // namespace digsig
