// The signed revocation list (docs/format.md section 11): the C parser shared
// with the kernel module (signer/format/digsig_revocation.c) accepts exactly
// the canonical grammar, and the C++ writer and verifier on top of it
// (signer/lib/revocation_list.cc) round-trip through it.
#include "signer/lib/revocation_list.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstring>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "signer/format/digsig_format.h"
#include "signer/format/digsig_revocation.h"
#include "signer/lib/byte_order.h"
#include "signer/lib/certificate.h"
#include "signer/tests/test_elf.h"

namespace digsig {
namespace {

const std::string kHeader = "digsig-revocations 1\n";
const std::string kSha256Hex(64, 'a');
const std::string kSha384Hex(96, 'b');
const std::string kSha512Hex(128, 'c');

// body || sig || be32(sig_len) || magic, the signature any bytes at all:
// the parser looks only at its length.
Bytes File(const std::string& body, const Bytes& sig = Bytes{0x30, 0x00}) {
  Bytes f(body.begin(), body.end());
  f.insert(f.end(), sig.begin(), sig.end());
  uint8_t len[4];
  StoreBe<uint32_t>(len, static_cast<uint32_t>(sig.size()));
  f.insert(f.end(), len, len + 4);
  f.insert(f.end(), DIGSIG_RL_MAGIC, DIGSIG_RL_MAGIC + DIGSIG_RL_MAGIC_SIZE);
  return f;
}

// Parses a copy of exactly the file's bytes (so ASan sees any read past them).
int Parse(const Bytes& file) {
  digsig_rl rl;
  std::unique_ptr<uint8_t[]> exact(new uint8_t[file.size()]);
  std::copy(file.begin(), file.end(), exact.get());
  return digsig_rl_parse(exact.get(), file.size(), &rl);
}

// Parses `file` in place: `rl` then points into it.
int Parse(const Bytes& file, digsig_rl* rl) {
  return digsig_rl_parse(file.data(), file.size(), rl);
}

int ParseBody(const std::string& body) { return Parse(File(body)); }

// A well-formed body with one entry of each kind.
std::string GoodBody() {
  return kHeader + "sequence 42\nkey 0a1b\nkey 0a1bff\nsha256 " + kSha256Hex + "\nsha384 " +
         kSha384Hex + "\nsha512 " + kSha512Hex + "\n";
}

std::vector<digsig_rl_entry> Entries(const digsig_rl& rl) {
  std::vector<digsig_rl_entry> out;
  uint32_t pos = rl.entries_offset;
  digsig_rl_entry e;
  int r;
  while ((r = digsig_rl_next(&rl, &pos, &e)) == 1) out.push_back(e);
  EXPECT_EQ(r, 0);
  EXPECT_EQ(pos, rl.body_len);
  return out;
}

Bytes Hex(const std::string& hex) { return *HexDecode(hex); }

// ---- the C parser ------------------------------------------------------------

TEST(RevocationParser, AcceptsAWellFormedList) {
  const std::string body = GoodBody();
  const Bytes file = File(body, Bytes(300, 0x30));
  std::vector<uint8_t> exact(file.begin(), file.end());
  digsig_rl rl;
  ASSERT_EQ(digsig_rl_parse(exact.data(), exact.size(), &rl), 0);
  EXPECT_EQ(rl.body, exact.data());
  EXPECT_EQ(rl.body_len, body.size());
  EXPECT_EQ(rl.sig, exact.data() + body.size());
  EXPECT_EQ(rl.sig_len, 300u);
  EXPECT_EQ(rl.sequence, 42u);
  EXPECT_EQ(rl.keys, 2u);
  EXPECT_EQ(rl.digests, 3u);
  EXPECT_EQ(rl.entries_offset, kHeader.size() + std::strlen("sequence 42\n"));

  auto e = Entries(rl);
  ASSERT_EQ(e.size(), 5u);
  EXPECT_EQ(e[0].kind, DIGSIG_RL_KEY);
  EXPECT_EQ(e[0].hash_algo, 0);
  EXPECT_EQ(Bytes(e[0].id, e[0].id + e[0].len), Hex("0a1b"));
  EXPECT_EQ(Bytes(e[1].id, e[1].id + e[1].len), Hex("0a1bff"));
  const struct {
    uint8_t algo;
    size_t len;
    uint8_t byte;
  } digests[] = {{DIGSIG_HASH_SHA256, 32, 0xaa},
                 {DIGSIG_HASH_SHA384, 48, 0xbb},
                 {DIGSIG_HASH_SHA512, 64, 0xcc}};
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(e[2 + i].kind, DIGSIG_RL_DIGEST);
    EXPECT_EQ(e[2 + i].hash_algo, digests[i].algo);
    EXPECT_EQ(e[2 + i].len, digests[i].len);
    EXPECT_EQ(Bytes(e[2 + i].id, e[2 + i].id + e[2 + i].len),
              Bytes(digests[i].len, digests[i].byte));
  }
}

TEST(RevocationParser, AcceptsTheEdgesOfTheGrammar) {
  EXPECT_EQ(ParseBody(kHeader + "sequence 1\n"), 0);                   // no entries
  EXPECT_EQ(ParseBody(kHeader + "sequence 999999999999999999\n"), 0);  // 18 digits
  EXPECT_EQ(ParseBody(kHeader + "sequence 1\nkey 00\n"), 0);           // 1-byte id
  EXPECT_EQ(ParseBody(kHeader + "sequence 1\nkey " + std::string(128, 'f') + "\n"), 0);  // 64
  // A shorter line before a longer one it begins; '0' < 'a'.
  EXPECT_EQ(ParseBody(kHeader + "sequence 1\nkey 0a\nkey 0a00\nkey a0\nkey ab\n"), 0);
  digsig_rl rl;
  const Bytes no_entries = File(kHeader + "sequence 999999999999999999\n");
  ASSERT_EQ(Parse(no_entries, &rl), 0);
  EXPECT_EQ(rl.sequence, 999999999999999999ull);
  EXPECT_EQ(rl.keys + rl.digests, 0u);
  EXPECT_EQ(rl.entries_offset, rl.body_len);
  EXPECT_TRUE(Entries(rl).empty());
  // Every sig_len from 1 to the maximum.
  for (size_t n : {size_t{1}, size_t{DIGSIG_RL_MAX_SIG}}) {
    const Bytes file = File(GoodBody(), Bytes(n, 0x30));
    ASSERT_EQ(Parse(file, &rl), 0) << n;
    EXPECT_EQ(rl.sig_len, n);
  }
}

TEST(RevocationParser, RejectsBadHex) {
  const std::string seq = kHeader + "sequence 1\n";
  for (const std::string& line : std::vector<std::string>{
           "key 0A1B",                              // upper case
           "key 0a1",                               // odd
           "key 0",                                 //
           "key ",                                  // empty
           "key",                                   //
           "key 0g",                                // not hex
           "key -1",                                //
           "key 0x1b",                              //
           "key 0a 1b",                             // inner space
           "key  0a1b",                             // two spaces
           "key 0a1b ",                             // trailing space
           "key\t0a1b",                             //
           "key " + std::string(130, 'f'),          // 65 bytes
           "sha256 " + std::string(63, 'a') + "A",  // upper case digest
           "sha256 " + std::string(63, 'a'),        // odd digest
           std::string("key 0a\0b", 8),             // NUL
           "key 0a\x80"
           "b",  // high byte
       }) {
    EXPECT_EQ(ParseBody(seq + line + "\n"), -EBADMSG) << line;
  }
}

TEST(RevocationParser, RejectsBadSequences) {
  for (const char* seq : {
           "sequence 0",
           "sequence 00",
           "sequence 01",
           "sequence 0001",
           "sequence 1000000000000000000",  // 19 digits
           "sequence 9999999999999999999",
           "sequence 18446744073709551617",  // 2^64 + 1: wraps to 1 unless refused
           "sequence ",
           "sequence",
           "sequence -1",
           "sequence +1",
           "sequence 1 ",
           "sequence  1",
           "sequence 1a",
           "sequence 0x10",
           "sequence 1e3",
           "Sequence 1",
           "seq 1",
           "sequence 1\r",
       }) {
    EXPECT_EQ(ParseBody(kHeader + seq + "\n"), -EBADMSG) << seq;
    EXPECT_EQ(ParseBody(kHeader + seq + "\nkey 0a\n"), -EBADMSG) << seq;
  }
  EXPECT_EQ(ParseBody(kHeader), -EBADMSG);                     // no sequence line
  EXPECT_EQ(ParseBody(kHeader + "key 0a\n"), -EBADMSG);        // entry instead
  EXPECT_EQ(ParseBody(kHeader + "sequence 1"), -EBADMSG);      // no newline
  EXPECT_EQ(ParseBody(kHeader + "\nsequence 1\n"), -EBADMSG);  // empty line first
  EXPECT_EQ(ParseBody(kHeader + "sequence 1\nsequence 2\n"), -EBADMSG);
}

TEST(RevocationParser, RejectsBadHeaders) {
  const std::string rest = "sequence 1\nkey 0a\n";
  for (const char* header : {
           "digsig-revocations 2\n",
           "digsig-revocations 1 \n",
           "digsig-revocations 1\r\n",
           "Digsig-revocations 1\n",
           "digsig-revocations\n",
           "digsig-revocations 1",
           "\ndigsig-revocations 1\n",
           " digsig-revocations 1\n",
           "\xef\xbb\xbf"
           "digsig-revocations 1\n",  // UTF-8 byte order mark
           "",
       }) {
    EXPECT_EQ(ParseBody(header + rest), -EBADMSG) << header;
  }
  EXPECT_EQ(ParseBody("digsig-revocations 1"), -EBADMSG);  // shorter than the header
  EXPECT_EQ(ParseBody("digsig-revocations 1\n"), -EBADMSG);
}

TEST(RevocationParser, RejectsUnknownKindsAndWrongDigestLengths) {
  const std::string seq = kHeader + "sequence 1\n";
  for (const std::string& line : std::vector<std::string>{
           "sha1 " + std::string(40, 'a'),
           "md5 " + std::string(32, 'a'),
           "sha224 " + std::string(56, 'a'),
           "sha3-256 " + std::string(64, 'a'),
           "Key 0a",
           "KEY 0a",
           "keys 0a",
           "SHA256 " + kSha256Hex,
           "sha256:" + kSha256Hex,
           "cert 0a",
           "# comment",
           " key 0a",
           "",  // empty line
           "sha256 " + std::string(62, 'a'),
           "sha256 " + std::string(66, 'a'),
           "sha256 " + kSha384Hex,
           "sha256 " + kSha512Hex,
           "sha384 " + kSha256Hex,
           "sha384 " + kSha512Hex,
           "sha384 " + std::string(94, 'b'),
           "sha512 " + kSha256Hex,
           "sha512 " + kSha384Hex,
           "sha512 " + std::string(130, 'c'),
           "sha512 " + std::string(126, 'c'),
           "sha256 ",
           "sha256",
       }) {
    EXPECT_EQ(ParseBody(seq + line + "\n"), -EBADMSG) << line;
  }
}

TEST(RevocationParser, RejectsMissingNewlinesAndCarriageReturns) {
  const std::string good = GoodBody();
  ASSERT_EQ(ParseBody(good), 0);
  EXPECT_EQ(ParseBody(good.substr(0, good.size() - 1)), -EBADMSG);  // no final newline
  EXPECT_EQ(ParseBody(good + "\n"), -EBADMSG);                      // trailing empty line
  EXPECT_EQ(ParseBody(good + "key"), -EBADMSG);
  // CRLF anywhere.
  for (size_t at = good.find('\n'); at != std::string::npos; at = good.find('\n', at + 1)) {
    std::string crlf = good;
    crlf.insert(at, "\r");
    EXPECT_EQ(ParseBody(crlf), -EBADMSG) << "CR before the newline at " << at;
  }
  std::string all;
  for (char c : good) {
    if (c == '\n') all += '\r';
    all += c;
  }
  EXPECT_EQ(ParseBody(all), -EBADMSG);
  std::string cr_only = good;
  for (char& c : cr_only)
    if (c == '\n') c = '\r';
  EXPECT_EQ(ParseBody(cr_only), -EBADMSG);
}

TEST(RevocationParser, RejectsDuplicatesAndDescendingLines) {
  const std::string seq = kHeader + "sequence 1\n";
  const std::string d = "sha256 " + kSha256Hex + "\n";
  EXPECT_EQ(ParseBody(seq + "key 0a\nkey 0a\n"), -EBADMSG);
  EXPECT_EQ(ParseBody(seq + d + d), -EBADMSG);
  EXPECT_EQ(ParseBody(seq + "key 0a\n" + d + "key 0a\n"), -EBADMSG);  // not adjacent
  EXPECT_EQ(ParseBody(seq + "key 0b\nkey 0a\n"), -EBADMSG);
  EXPECT_EQ(ParseBody(seq + "key 0a00\nkey 0a\n"), -EBADMSG);  // longer before its prefix
  EXPECT_EQ(ParseBody(seq + "key ab\nkey a0\n"), -EBADMSG);
  EXPECT_EQ(ParseBody(seq + d + "key 0a\n"), -EBADMSG);  // "sha" sorts after "key"
  EXPECT_EQ(ParseBody(seq + "sha512 " + kSha512Hex + "\nsha256 " + kSha256Hex + "\n"), -EBADMSG);
  EXPECT_EQ(ParseBody(seq + "key 0a\nkey 0b\nkey 0c\nkey 0b\n"), -EBADMSG);
  // The same set, ascending, is fine.
  EXPECT_EQ(ParseBody(seq + "key 0a\nkey 0b\nkey 0c\n" + d), 0);
}

TEST(RevocationParser, RejectsBadTrailers) {
  const std::string body = GoodBody();
  const Bytes sig(200, 0x30);
  const Bytes good = File(body, sig);
  ASSERT_EQ(Parse(good), 0);
  auto with_len = [&](uint32_t n) {
    Bytes f = good;
    StoreBe<uint32_t>(f.data() + f.size() - DIGSIG_RL_TRAILER_SIZE, n);
    return f;
  };
  const uint32_t before_trailer = static_cast<uint32_t>(good.size() - DIGSIG_RL_TRAILER_SIZE);
  EXPECT_EQ(Parse(with_len(0)), -EBADMSG);
  EXPECT_EQ(Parse(with_len(before_trailer + 1)), -EBADMSG);  // past the file's start
  EXPECT_EQ(Parse(with_len(0xffffffff)), -EBADMSG);
  EXPECT_EQ(Parse(with_len(0x80000000)), -EBADMSG);
  EXPECT_EQ(Parse(with_len(before_trailer)), -EBADMSG);  // no body at all
  EXPECT_EQ(Parse(with_len(199)), -EBADMSG);             // body one byte longer: no newline
  EXPECT_EQ(Parse(with_len(201)), -EBADMSG);             // body one byte short
  // Too big, though inside the file.
  const Bytes big = File(body, Bytes(DIGSIG_RL_MAX_SIG + 1, 0x30));
  EXPECT_EQ(Parse(big), -EBADMSG);
  // Every byte of the magic matters.
  for (size_t i = 0; i < DIGSIG_RL_MAGIC_SIZE; ++i) {
    Bytes f = good;
    f[f.size() - DIGSIG_RL_MAGIC_SIZE + i] ^= 0x01;
    EXPECT_EQ(Parse(f), -EBADMSG) << "magic byte " << i;
  }
  // Appended or removed bytes move the trailer.
  Bytes longer = good;
  longer.push_back('\n');
  EXPECT_EQ(Parse(longer), -EBADMSG);
  EXPECT_EQ(Parse(Bytes(good.begin(), good.end() - 1)), -EBADMSG);
  // Files too small for a trailer, or only a trailer.
  for (size_t n = 0; n <= DIGSIG_RL_TRAILER_SIZE; ++n)
    EXPECT_EQ(Parse(Bytes(good.end() - static_cast<ptrdiff_t>(n), good.end())), -EBADMSG) << n;
}

// Key lines ("key " + hex + "\n") adding up to `size` bytes of body, each
// id distinct: the largest ids first, then two to make the size exact.
std::set<Bytes> KeysFilling(size_t size) {
  std::set<Bytes> ids;
  uint32_t n = 0;
  auto add = [&](size_t line) {  // line: bytes of "key HEX\n", odd, 7..133
    Bytes id((line - 5) / 2, 0);
    StoreBe<uint32_t>(id.data(), n++);
    ids.insert(id);
  };
  while (size > 266) {
    add(133);
    size -= 133;
  }
  // 133 < size <= 266 and even: two odd lines.
  const size_t a = (size / 2) % 2 ? size / 2 : size / 2 - 1;
  add(a);
  add(size - a);
  return ids;
}

TEST(RevocationParser, BodyLimitIsOneMebibyte) {
  RevocationList list;
  list.sequence = 1;
  const size_t fixed = kHeader.size() + std::strlen("sequence 1\n");
  list.key_ids = KeysFilling(DIGSIG_RL_MAX_BODY - fixed);
  auto body = RevocationListBody(list);
  ASSERT_TRUE(body.ok()) << body.error().message();
  ASSERT_EQ(body->size(), DIGSIG_RL_MAX_BODY);
  digsig_rl rl;
  const Bytes file = File(*body);
  ASSERT_EQ(Parse(file, &rl), 0);
  EXPECT_EQ(rl.keys, list.key_ids.size());
  EXPECT_EQ(Entries(rl).size(), list.key_ids.size());
  // The same list with its smallest id two hex digits longer: well formed,
  // and refused for its size alone, by the parser and by the writer.
  std::string over = *body;
  size_t eol = std::string::npos;
  for (size_t at = over.find("\nkey "); at != std::string::npos; at = over.find("\nkey ", at + 1)) {
    const size_t end = over.find('\n', at + 1);
    if (end - at - 1 < 4 + 2 * DIGSIG_RL_MAX_KEY_ID) {  // an id below the 64-byte maximum
      eol = end;
      break;
    }
  }
  ASSERT_NE(eol, std::string::npos);
  over.insert(eol, "00");
  ASSERT_EQ(over.size(), DIGSIG_RL_MAX_BODY + 2);
  EXPECT_EQ(ParseBody(over), -EBADMSG);
  list.key_ids.insert(Bytes(40, 0xee));
  auto too_big = RevocationListBody(list);
  ASSERT_FALSE(too_big.ok());
  EXPECT_EQ(too_big.error().code(), ErrorCode::kTooLarge);
  // Files beyond the largest possible are refused before anything is read.
  EXPECT_EQ(Parse(File(over, Bytes(DIGSIG_RL_MAX_SIG, 0x30))), -EBADMSG);
}

TEST(RevocationParser, IteratorStopsAtTheEnd) {
  digsig_rl rl;
  const Bytes file = File(GoodBody());
  ASSERT_EQ(Parse(file, &rl), 0);
  uint32_t pos = rl.body_len;
  digsig_rl_entry e;
  EXPECT_EQ(digsig_rl_next(&rl, &pos, &e), 0);
  pos = rl.body_len + 100;
  EXPECT_EQ(digsig_rl_next(&rl, &pos, &e), 0);
}

// ---- the C++ writer and verifier -----------------------------------------------

struct Signer {
  std::shared_ptr<SigningKey> key;
  std::vector<CertPtr> trusted;
};

Signer LoadSigner(const std::string& algo) {
  const std::string dir = testing::TestKeyDir(algo);
  KeySpec spec;
  spec.key = dir + "/key.pem";
  spec.cert = dir + "/cert.pem";
  auto key = SigningKey::Load(spec);
  EXPECT_TRUE(key.ok());
  auto certs = LoadCertificates(dir + "/cert.pem");
  EXPECT_TRUE(certs.ok());
  return {*key, *certs};
}

RevocationList SampleList() {
  RevocationList list;
  list.sequence = 7;
  list.key_ids = {Hex("0102030405060708090a0b0c0d0e0f1011121314"), Hex("ff"), Hex("00")};
  list.digests = {{HashAlgo::kSha512, Bytes(64, 0x51)},
                  {HashAlgo::kSha256, Bytes(32, 0x25)},
                  {HashAlgo::kSha256, Bytes(32, 0x00)},
                  {HashAlgo::kSha384, Bytes(48, 0x38)}};
  return list;
}

void ExpectSameList(const RevocationList& a, const RevocationList& b) {
  EXPECT_EQ(a.sequence, b.sequence);
  EXPECT_EQ(a.key_ids, b.key_ids);
  EXPECT_EQ(a.digests, b.digests);
}

std::string Repeat(const std::string& s, size_t n) {
  std::string out;
  for (size_t i = 0; i < n; ++i) out += s;
  return out;
}

TEST(RevocationList, CanonicalBody) {
  auto body = RevocationListBody(SampleList());
  ASSERT_TRUE(body.ok());
  EXPECT_EQ(*body, kHeader + "sequence 7\n" +
                       "key 00\n"
                       "key 0102030405060708090a0b0c0d0e0f1011121314\n"
                       "key ff\n"
                       "sha256 " +
                       Repeat("00", 32) + "\n" + "sha256 " + Repeat("25", 32) + "\n" + "sha384 " +
                       Repeat("38", 48) + "\n" + "sha512 " + Repeat("51", 64) + "\n");
  EXPECT_EQ(ParseBody(*body), 0);
}

TEST(RevocationList, OrderAndDuplicatesDoNotChangeTheBody) {
  RevocationList a = SampleList(), b, c;
  b.sequence = c.sequence = a.sequence;
  // The same entries, inserted in reverse, some twice, across a merge.
  for (auto it = a.digests.rbegin(); it != a.digests.rend(); ++it) b.digests.insert(*it);
  for (auto it = a.key_ids.rbegin(); it != a.key_ids.rend(); ++it) {
    b.key_ids.insert(*it);
    c.key_ids.insert(*it);
  }
  c.digests.insert(*a.digests.begin());
  b.Merge(c);
  b.Merge(b);
  EXPECT_EQ(*RevocationListBody(a), *RevocationListBody(b));
  // Ids that are prefixes of one another sort as the parser wants.
  RevocationList p;
  p.sequence = 1;
  p.key_ids = {Hex("0a00"), Hex("0a"), Hex("a0"), Hex("ab"), Hex("0a0000")};
  auto body = RevocationListBody(p);
  ASSERT_TRUE(body.ok());
  EXPECT_EQ(*body, kHeader + "sequence 1\nkey 0a\nkey 0a00\nkey 0a0000\nkey a0\nkey ab\n");
  EXPECT_EQ(ParseBody(*body), 0);
}

TEST(RevocationList, WriterRefusesWhatTheParserWould) {
  RevocationList list = SampleList();
  for (uint64_t seq : {uint64_t{0}, uint64_t{1000000000000000000}, ~uint64_t{0}}) {
    list.sequence = seq;
    auto r = RevocationListBody(list);
    ASSERT_FALSE(r.ok()) << seq;
    EXPECT_EQ(r.error().code(), ErrorCode::kInvalidArgument);
  }
  list.sequence = 999999999999999999;
  EXPECT_TRUE(RevocationListBody(list).ok());
  for (size_t n : {size_t{0}, size_t{65}, size_t{200}}) {
    RevocationList l = SampleList();
    l.key_ids.insert(Bytes(n, 1));
    auto r = RevocationListBody(l);
    ASSERT_FALSE(r.ok()) << n;
    EXPECT_EQ(r.error().code(), ErrorCode::kInvalidArgument);
  }
  RevocationList l64 = SampleList();
  l64.key_ids.insert(Bytes(64, 1));
  EXPECT_TRUE(RevocationListBody(l64).ok());
  const std::pair<HashAlgo, size_t> wrong[] = {{HashAlgo::kSha256, 31},
                                               {HashAlgo::kSha256, 48},
                                               {HashAlgo::kSha384, 32},
                                               {HashAlgo::kSha512, 0}};
  for (auto [algo, n] : wrong) {
    RevocationList l = SampleList();
    l.digests.emplace(algo, Bytes(n, 1));
    auto r = RevocationListBody(l);
    ASSERT_FALSE(r.ok()) << HashAlgoName(algo) << " " << n;
    EXPECT_EQ(r.error().code(), ErrorCode::kInvalidArgument);
  }
}

TEST(RevocationList, SignAndVerifyRoundTrip) {
  for (const char* algo : {"rsa-2048", "ecdsa-p256"}) {
    SCOPED_TRACE(algo);
    Signer s = LoadSigner(algo);
    for (const RevocationList& list : {SampleList(), RevocationList{1, {}, {}}}) {
      auto file = SignRevocationList(list, *s.key);
      ASSERT_TRUE(file.ok()) << file.error().message();
      // The layout: body, then the signature, its length and the magic.
      const std::string body = *RevocationListBody(list);
      ASSERT_GT(file->size(), body.size() + DIGSIG_RL_TRAILER_SIZE);
      EXPECT_EQ(std::string(file->begin(), file->begin() + static_cast<ptrdiff_t>(body.size())),
                body);
      EXPECT_EQ(LoadBe<uint32_t>(file->data() + file->size() - DIGSIG_RL_TRAILER_SIZE),
                file->size() - body.size() - DIGSIG_RL_TRAILER_SIZE);
      EXPECT_EQ(std::memcmp(file->data() + file->size() - DIGSIG_RL_MAGIC_SIZE, "~digsig-rl1\n",
                            DIGSIG_RL_MAGIC_SIZE),
                0);
      auto back = VerifyRevocationList(*file, s.trusted);
      ASSERT_TRUE(back.ok()) << back.error().message();
      ExpectSameList(*back, list);
    }
  }
}

TEST(RevocationList, LargestListRoundTrips) {
  Signer s = LoadSigner("rsa-2048");
  RevocationList list;
  list.sequence = 999999999999999999;
  list.key_ids = KeysFilling(DIGSIG_RL_MAX_BODY - kHeader.size() -
                             std::strlen("sequence 999999999999999999\n"));
  auto file = SignRevocationList(list, *s.key);
  ASSERT_TRUE(file.ok()) << file.error().message();
  auto back = VerifyRevocationList(*file, s.trusted);
  ASSERT_TRUE(back.ok()) << back.error().message();
  ExpectSameList(*back, list);
}

TEST(RevocationList, AnotherSignerIsUnknown) {
  Signer rsa = LoadSigner("rsa-2048"), ec = LoadSigner("ecdsa-p256");
  auto file = SignRevocationList(SampleList(), *rsa.key);
  ASSERT_TRUE(file.ok());
  auto v = VerifyRevocationList(*file, ec.trusted);
  ASSERT_FALSE(v.ok());
  EXPECT_EQ(v.error().code(), ErrorCode::kUnknownSigner) << v.error().message();
  v = VerifyRevocationList(*file, {});
  ASSERT_FALSE(v.ok());
  EXPECT_EQ(v.error().code(), ErrorCode::kUnknownSigner) << v.error().message();
  // Trusting both is fine.
  std::vector<CertPtr> both = ec.trusted;
  both.insert(both.end(), rsa.trusted.begin(), rsa.trusted.end());
  EXPECT_TRUE(VerifyRevocationList(*file, both).ok());
}

TEST(RevocationList, OneChangedByteIsAltered) {
  for (const char* algo : {"rsa-2048", "ecdsa-p256"}) {
    SCOPED_TRACE(algo);
    Signer s = LoadSigner(algo);
    RevocationList list = SampleList();
    list.key_ids = {Hex("0a1b2c")};  // one entry: any hex change keeps the order
    auto file = SignRevocationList(list, *s.key);
    ASSERT_TRUE(file.ok());
    const std::string body = *RevocationListBody(list);
    // Changes that keep the body well formed: only the signature can tell.
    const std::pair<std::string, std::string> edits[] = {
        {"sequence 7", "sequence 8"}, {"key 0a1b2c", "key 0a1b2d"}, {"key 0a1b2c", "key 1a1b2c"}};
    for (const auto& [from, to] : edits) {
      SCOPED_TRACE(to);
      const size_t at = body.find(from);
      ASSERT_NE(at, std::string::npos);
      Bytes changed = *file;
      std::memcpy(changed.data() + at, to.data(), to.size());
      digsig_rl rl;
      ASSERT_EQ(Parse(changed, &rl), 0);
      auto v = VerifyRevocationList(changed, s.trusted);
      ASSERT_FALSE(v.ok());
      EXPECT_EQ(v.error().code(), ErrorCode::kAltered) << v.error().message();
    }
    // A change the parser sees is malformed before any signature check.
    Bytes upper = *file;
    upper[body.find("0a1b2c") + 1] = 'A';
    auto v = VerifyRevocationList(upper, s.trusted);
    ASSERT_FALSE(v.ok());
    EXPECT_EQ(v.error().code(), ErrorCode::kMalformed);
  }
}

TEST(RevocationList, MalformedFilesAreMalformed) {
  Signer s = LoadSigner("rsa-2048");
  auto file = SignRevocationList(SampleList(), *s.key);
  ASSERT_TRUE(file.ok());
  for (size_t cut : {size_t{0}, size_t{1}, size_t{16}, file->size() / 2, file->size() - 1}) {
    auto v = VerifyRevocationList(ByteSpan(file->data(), cut), s.trusted);
    ASSERT_FALSE(v.ok()) << cut;
    EXPECT_EQ(v.error().code(), ErrorCode::kMalformed) << cut;
  }
  // A signature that is not PKCS#7 at all.
  auto v =
      VerifyRevocationList(File(*RevocationListBody(SampleList()), Bytes(64, 0x41)), s.trusted);
  ASSERT_FALSE(v.ok());
  EXPECT_NE(v.error().code(), ErrorCode::kUnknownSigner);
}

}  // namespace
}  // namespace digsig
