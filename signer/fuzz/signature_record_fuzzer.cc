// Fuzz target: the plain C signature record codec shared with the kernel
// module (signer/format). Besides never crashing, every accepted record must
// satisfy the guarantees the callers rely on, and decoding must be the exact
// inverse of encoding.
#include <cerrno>
#include <cstdint>
#include <cstring>

#include "signer/format/digsig_format.h"
#include "base/fuzz_check.h"

namespace {

uint64_t Be64(const uint8_t* p) {
  uint64_t v = 0;
  for (int i = 0; i < 8; ++i) v = (v << 8) | p[i];
  return v;
}

void CheckPayload(const digsig_payload& p, const uint8_t* encoded) {
  const unsigned int dlen = digsig_digest_len(p.hash_algo);
  FUZZ_CHECK(dlen != 0 && p.digest_len == dlen);
  FUZZ_CHECK(p.flags == 0);
  FUZZ_CHECK(p.orig_len <= p.covered_len);
  uint8_t again[DIGSIG_PAYLOAD_SIZE];
  digsig_encode_payload(&p, again);
  FUZZ_CHECK(std::memcmp(again, encoded, DIGSIG_PAYLOAD_SIZE) == 0);
}

void TryTrailer(const uint8_t* data, size_t size, uint64_t file_size) {
  uint32_t len = 0;
  const int r = digsig_parse_trailer(data + size - DIGSIG_TRAILER_SIZE, file_size, &len);
  FUZZ_CHECK(r == 0 || r == -ENODATA || r == -EBADMSG);
  if (r == 0) {
    FUZZ_CHECK(len >= DIGSIG_MIN_RECORD && len <= DIGSIG_MAX_RECORD);
    FUZZ_CHECK(len <= file_size);
  }
}

void TryRecord(const uint8_t* data, size_t size, uint64_t file_size) {
  digsig_record rec;
  std::memset(&rec, 0xA5, sizeof(rec));
  const uint32_t rec_len = static_cast<uint32_t>(size);
  const int r = digsig_parse_record(data, rec_len, file_size, &rec);
  FUZZ_CHECK(r == 0 || r == -EBADMSG || r == -EOPNOTSUPP);
  if (r != 0) return;
  const uint8_t* end = data + size;
  FUZZ_CHECK(rec.record_len == rec_len);
  FUZZ_CHECK(rec_len >= DIGSIG_MIN_RECORD && rec_len <= DIGSIG_MAX_RECORD);
  FUZZ_CHECK(rec.payload_bytes == data);
  FUZZ_CHECK(rec.sig_format == DIGSIG_SIG_PKCS7);
  FUZZ_CHECK(rec.sig_len > 0);
  FUZZ_CHECK(rec.sig >= data + DIGSIG_RECORD_HEADER_SIZE && rec.sig < end);
  FUZZ_CHECK(rec.sig_len <= static_cast<size_t>(end - DIGSIG_TRAILER_SIZE - rec.sig));
  // The slot is one DER SEQUENCE exactly: its header's length ends it.
  FUZZ_CHECK(rec.sig_len >= 2 && rec.sig[0] == 0x30);
  const uint32_t head = rec.sig[1] < 0x80 ? 2 : 2 + (rec.sig[1] & 0x7f);
  uint32_t der_len = rec.sig[1] < 0x80 ? rec.sig[1] : 0;
  for (uint32_t i = 2; i < head && i < rec.sig_len; ++i) der_len = (der_len << 8) | rec.sig[i];
  FUZZ_CHECK(head + der_len == rec.sig_len);
  FUZZ_CHECK(rec.payload.covered_len + rec.record_len == file_size);
  FUZZ_CHECK(rec.payload.covered_len <= file_size);  // no wrap-around
  CheckPayload(rec.payload, rec.payload_bytes);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  // A record is at most DIGSIG_MAX_RECORD bytes; a little beyond that checks
  // the bound without spending time on huge inputs.
  if (size > 2 * DIGSIG_MAX_RECORD) return 0;

  // Candidate sizes of the file the record ends: the record alone, the
  // record after exactly the covered bytes its payload names (what a real
  // signed file has), and one derived from the last byte (often too small).
  uint64_t file_sizes[3] = {size, size, size};
  if (size >= 24) file_sizes[1] = size + Be64(data + 16);  // may wrap: must be rejected
  if (size > 0) file_sizes[2] = uint64_t{size} + data[size - 1] - 128;  // wraps for tiny inputs

  if (size >= DIGSIG_TRAILER_SIZE)
    for (uint64_t fs : file_sizes) TryTrailer(data, size, fs);
  for (uint64_t fs : file_sizes) TryRecord(data, size, fs);

  // The payload decoder on its own: the first 112 bytes, zero-padded.
  uint8_t payload_bytes[DIGSIG_PAYLOAD_SIZE] = {0};
  std::memcpy(payload_bytes, data, size < sizeof(payload_bytes) ? size : sizeof(payload_bytes));
  digsig_payload p;
  const int r = digsig_decode_payload(payload_bytes, &p);
  FUZZ_CHECK(r == 0 || r == -EBADMSG || r == -EOPNOTSUPP);
  if (r == 0) CheckPayload(p, payload_bytes);
  if (digsig::fuzz::Verbose()) std::fprintf(stderr, "  decode_payload: %d\n", r);
  return 0;
}
