#include <gtest/gtest.h>

#include <cstring>
#include <vector>

#include "signer/format/digsig_format.h"

namespace {

digsig_payload SamplePayload() {
  digsig_payload p{};
  p.hash_algo = DIGSIG_HASH_SHA384;
  p.digest_len = 48;
  p.covered_len = 4096;
  p.orig_len = 4000;
  p.orig_shoff = 3000;
  p.orig_shentsize = 64;
  p.orig_shnum = 30;
  p.orig_shstrndx = 29;
  for (int i = 0; i < 48; ++i) p.digest[i] = static_cast<uint8_t>(i + 1);
  return p;
}

std::vector<uint8_t> Record(const digsig_payload& p, uint32_t sig_len, uint32_t pad) {
  const uint32_t len = DIGSIG_RECORD_HEADER_SIZE + sig_len + pad + DIGSIG_TRAILER_SIZE;
  std::vector<uint8_t> r(len, 0);
  digsig_encode_payload(&p, r.data());
  r[DIGSIG_PAYLOAD_SIZE] = DIGSIG_SIG_PKCS7;
  r[DIGSIG_PAYLOAD_SIZE + 4] = static_cast<uint8_t>(sig_len >> 24);
  r[DIGSIG_PAYLOAD_SIZE + 5] = static_cast<uint8_t>(sig_len >> 16);
  r[DIGSIG_PAYLOAD_SIZE + 6] = static_cast<uint8_t>(sig_len >> 8);
  r[DIGSIG_PAYLOAD_SIZE + 7] = static_cast<uint8_t>(sig_len);
  // A DER SEQUENCE of exactly sig_len bytes (long form, 2-byte length).
  EXPECT_GE(sig_len, 260u);
  EXPECT_LT(sig_len, 65536u + 4);
  uint8_t* sig = r.data() + DIGSIG_RECORD_HEADER_SIZE;
  sig[0] = 0x30;
  sig[1] = 0x82;
  sig[2] = static_cast<uint8_t>((sig_len - 4) >> 8);
  sig[3] = static_cast<uint8_t>(sig_len - 4);
  for (uint32_t i = 4; i < sig_len; ++i) sig[i] = 0x05;
  uint8_t* t = r.data() + len - DIGSIG_TRAILER_SIZE;
  t[0] = static_cast<uint8_t>(len >> 24);
  t[1] = static_cast<uint8_t>(len >> 16);
  t[2] = static_cast<uint8_t>(len >> 8);
  t[3] = static_cast<uint8_t>(len);
  std::memcpy(t + 4, DIGSIG_TRAILER_MAGIC, DIGSIG_TRAILER_MAGIC_SIZE);
  return r;
}

TEST(Format, PayloadRoundTrip) {
  digsig_payload p = SamplePayload(), q{};
  uint8_t bytes[DIGSIG_PAYLOAD_SIZE];
  digsig_encode_payload(&p, bytes);
  ASSERT_EQ(digsig_decode_payload(bytes, &q), 0);
  EXPECT_EQ(q.covered_len, p.covered_len);
  EXPECT_EQ(q.orig_shnum, p.orig_shnum);
  EXPECT_EQ(std::memcmp(q.digest, p.digest, 48), 0);
  EXPECT_EQ(std::memcmp(bytes, "DIGSIGP1", 8), 0);
  EXPECT_EQ(bytes[9], DIGSIG_HASH_SHA384);
  // covered_len is big-endian at offset 16.
  EXPECT_EQ(bytes[16 + 6], 0x10);
}

TEST(Format, RecordParses) {
  digsig_payload p = SamplePayload();
  auto r = Record(p, 300, 5);
  digsig_record rec;
  ASSERT_EQ(digsig_parse_record(r.data(), static_cast<uint32_t>(r.size()), 4096 + r.size(), &rec),
            0);
  EXPECT_EQ(rec.sig_len, 300u);
  EXPECT_EQ(rec.sig, r.data() + DIGSIG_RECORD_HEADER_SIZE);
}

TEST(Format, RejectsInconsistentRecords) {
  digsig_payload p = SamplePayload();
  auto good = Record(p, 300, 5);
  const uint64_t file_size = 4096 + good.size();
  digsig_record rec;
  // Record not ending where covered bytes say.
  EXPECT_EQ(digsig_parse_record(good.data(), good.size(), file_size + 1, &rec), -EBADMSG);
  // Non-zero padding.
  auto r = good;
  r[DIGSIG_RECORD_HEADER_SIZE + 301] = 1;
  EXPECT_EQ(digsig_parse_record(r.data(), r.size(), file_size, &rec), -EBADMSG);
  // Signature length past the record.
  r = good;
  r[DIGSIG_PAYLOAD_SIZE + 6] = 0xff;
  EXPECT_EQ(digsig_parse_record(r.data(), r.size(), file_size, &rec), -EBADMSG);
  // Unknown hash algorithm and version are "unsupported", not "malformed".
  r = good;
  r[9] = 99;
  EXPECT_EQ(digsig_parse_record(r.data(), r.size(), file_size, &rec), -EOPNOTSUPP);
  r = good;
  r[8] = 2;
  EXPECT_EQ(digsig_parse_record(r.data(), r.size(), file_size, &rec), -EOPNOTSUPP);
  // Unused digest bytes must be zero.
  r = good;
  r[48 + 60] = 1;
  EXPECT_EQ(digsig_parse_record(r.data(), r.size(), file_size, &rec), -EBADMSG);
}

// docs/format.md section 2: the slot is the DER signature and nothing else.
TEST(Format, SignatureSlotIsExactlyOneDer) {
  digsig_payload p = SamplePayload();
  auto good = Record(p, 300, 5);
  const uint64_t file_size = 4096 + good.size();
  const size_t s = DIGSIG_RECORD_HEADER_SIZE;
  digsig_record rec;
  ASSERT_EQ(digsig_parse_record(good.data(), good.size(), file_size, &rec), 0);
  // One byte after the DER inside sig_len: the decoder would never read it.
  auto r = good;
  r[s + 3] = static_cast<uint8_t>(300 - 4 - 1);
  EXPECT_EQ(digsig_parse_record(r.data(), r.size(), file_size, &rec), -EBADMSG);
  // DER claiming more than the slot.
  r = good;
  r[s + 3] = static_cast<uint8_t>(300 - 4 + 1);
  EXPECT_EQ(digsig_parse_record(r.data(), r.size(), file_size, &rec), -EBADMSG);
  // Not a SEQUENCE.
  r = good;
  r[s] = 0x31;
  EXPECT_EQ(digsig_parse_record(r.data(), r.size(), file_size, &rec), -EBADMSG);
  // The same 300 bytes with the length in three bytes, 0x83 00 01 27: BER,
  // not DER (the minimal form is 0x82 01 28).
  auto ber = Record(p, 300, 5);
  ber[s + 1] = 0x83;
  ber[s + 2] = 0x00;
  ber[s + 3] = 0x01;
  ber[s + 4] = 0x27;  // 300 - 5 content bytes
  EXPECT_EQ(digsig_parse_record(ber.data(), ber.size(), file_size, &rec), -EBADMSG);
  // Indefinite length (0x80) is not DER.
  r = good;
  r[s + 1] = 0x80;
  EXPECT_EQ(digsig_parse_record(r.data(), r.size(), file_size, &rec), -EBADMSG);
}

TEST(Format, TrailerBounds) {
  uint8_t t[DIGSIG_TRAILER_SIZE] = {0xff, 0xff, 0xff, 0xff};
  std::memcpy(t + 4, DIGSIG_TRAILER_MAGIC, DIGSIG_TRAILER_MAGIC_SIZE);
  uint32_t len = 0;
  EXPECT_EQ(digsig_parse_trailer(t, 1 << 30, &len), -EBADMSG);
  t[0] = t[1] = 0;
  t[2] = 0x01;
  t[3] = 0x00;  // 256 bytes
  EXPECT_EQ(digsig_parse_trailer(t, 100, &len), -EBADMSG);
  EXPECT_EQ(digsig_parse_trailer(t, 1000, &len), 0);
  EXPECT_EQ(len, 256u);
  t[4] = 'X';
  EXPECT_EQ(digsig_parse_trailer(t, 1000, &len), -ENODATA);
}

}  // namespace
