#include "signer/lib/file_signing.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>

#include "signer/lib/certificate.h"
#include "signer/lib/elf_signature.h"
#include "signer/lib/file_io.h"
#include "signer/tests/test_elf.h"

namespace digsig {
namespace {

std::string Tmp(const std::string& name) {
  const char* t = std::getenv("TEST_TMPDIR");
  return std::string(t ? t : "/tmp") + "/" + name;
}

void WriteFile(const std::string& path, const Bytes& b) {
  std::ofstream(path, std::ios::binary).write(reinterpret_cast<const char*>(b.data()), b.size());
}

Bytes ReadFile(const std::string& path) {
  auto b = ReadWholeFile(path, 1 << 30);
  EXPECT_TRUE(b.ok());
  return b ? *b : Bytes();
}

Bytes Flatten(const SignedElf& s) {
  Bytes out;
  for (ByteSpan p : s.Pieces()) out.insert(out.end(), p.begin(), p.end());
  return out;
}

// The file path streams the covered bytes (pread, hash, write in one pass);
// it must produce exactly what the in-memory signer produces.
TEST(FileSigning, StreamingMatchesInMemory) {
  std::string dir = testing::TestKeyDir("rsa-2048");
  auto key = SigningKey::Load(KeySpec::Files(dir + "/key.pem", dir + "/cert.pem"));
  ASSERT_TRUE(key.ok());
  testing::ElfSpec spec;
  spec.payload_bytes = 700 * 1024;  // several streaming chunks
  const Bytes original = testing::MakeElf(spec);
  WriteFile(Tmp("in.elf"), original);

  auto status =
      SignFile({Tmp("in.elf"), Tmp("out.elf")}, **key, HashAlgo::kSha384, NonElfInput::kFail);
  ASSERT_TRUE(status.ok()) << status.error().message();
  auto expected = SignElf(original, **key, HashAlgo::kSha384);
  ASSERT_TRUE(expected.ok());
  const Bytes streamed = ReadFile(Tmp("out.elf"));
  EXPECT_EQ(streamed, Flatten(*expected));

  // Re-signing a signed file (the body then comes from memory) in place.
  status = SignFile({Tmp("out.elf"), Tmp("out.elf")}, **key, HashAlgo::kSha384, NonElfInput::kFail);
  ASSERT_TRUE(status.ok());
  EXPECT_EQ(ReadFile(Tmp("out.elf")), streamed);

  auto certs = LoadCertificates(dir + "/cert.pem");
  auto verified = VerifyFile(Tmp("out.elf"), *certs);
  ASSERT_TRUE(verified.ok()) << verified.error().message();
  EXPECT_EQ(verified->hash, "sha384");
}

// --auto, what build rules use: ELF files signed, anything else copied as is.
TEST(FileSigning, AutoSignsElfAndCopiesTheRest) {
  std::string dir = testing::TestKeyDir("rsa-2048");
  auto key = SigningKey::Load(KeySpec::Files(dir + "/key.pem", dir + "/cert.pem"));
  ASSERT_TRUE(key.ok());
  const Bytes text = {'#', '!', '/', 'b', 'i', 'n', '/', 's', 'h', '\n'};
  WriteFile(Tmp("script"), text);
  auto copied = SignFile({Tmp("script"), Tmp("script.out"), SignatureKind::kAuto}, **key,
                         HashAlgo::kSha256, NonElfInput::kCopy);
  ASSERT_TRUE(copied.ok()) << copied.error().message();
  EXPECT_EQ(*copied, SignOutcome::kCopiedNotElf);
  EXPECT_EQ(ReadFile(Tmp("script.out")), text);
  auto refused = SignFile({Tmp("script"), Tmp("script.no"), SignatureKind::kAuto}, **key,
                          HashAlgo::kSha256, NonElfInput::kFail);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().code(), ErrorCode::kNotElf);

  WriteFile(Tmp("prog"), testing::MakeElf({}));
  auto signed_elf = SignFile({Tmp("prog"), Tmp("prog.out"), SignatureKind::kAuto}, **key,
                             HashAlgo::kSha256, NonElfInput::kCopy);
  ASSERT_TRUE(signed_elf.ok());
  EXPECT_EQ(*signed_elf, SignOutcome::kSigned);
  auto certs = LoadCertificates(dir + "/cert.pem");
  auto verified = VerifyFile(Tmp("prog.out"), *certs);
  ASSERT_TRUE(verified.ok()) << verified.error().message();
  EXPECT_EQ(verified->kind, SignatureKind::kEmbedded);
}

}  // namespace
}  // namespace digsig
