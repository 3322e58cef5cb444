#include "signer/lib/tar_manifest.h"

#include <gtest/gtest.h>

#include <string>

namespace digsig {
namespace {

ByteSpan Text(const std::string& s) {
  return ByteSpan(reinterpret_cast<const uint8_t*>(s.data()), s.size());
}

const std::string kDigest(64, 'a');

ManifestEntry File(const std::string& path) {
  ManifestEntry e;
  e.type = 'f';
  e.mode = 04755;
  e.uid = 0;
  e.gid = 1000;
  e.size = 12;
  e.digest = kDigest;
  e.xattrs = "-";
  e.path = path;
  return e;
}

TEST(TarManifest, SerializesTheDocumentedLayout) {
  Manifest m;
  m.entries.push_back(File("./usr/bin/ls"));
  ManifestEntry link;
  link.type = 'l';
  link.mode = 0777;
  link.digest = link.xattrs = "-";
  link.path = "./a b";
  link.target = "-";
  m.entries.push_back(link);
  EXPECT_EQ(SerializeManifest(m),
            "digsig-manifest 1\nhash sha256\n"
            "f 4755 0 1000 12 " +
                kDigest +
                " - ./usr/bin/ls -\n"
                "l 0777 0 0 0 - - ./a\\x20b \\x2d\n");
}

TEST(TarManifest, RoundTripsEveryByteInPaths) {
  Manifest m;
  std::string every;
  for (int c = 1; c < 256; ++c) every.push_back(static_cast<char>(c));
  m.entries.push_back(File(every));
  m.entries.push_back(File("-"));
  m.entries.push_back(File("\\x41"));
  m.entries.push_back(File(""));  // tar permits an entry without a name
  auto parsed = ParseManifest(Text(SerializeManifest(m)));
  ASSERT_TRUE(parsed.ok()) << parsed.error().message();
  EXPECT_EQ(parsed->entries, m.entries);
}

TEST(TarManifest, AcceptsOnlyTheCanonicalEncoding) {
  const std::string head = "digsig-manifest 1\nhash sha256\n";
  const std::string good = "f 0644 0 0 1 " + kDigest + " - ./x -\n";
  ASSERT_TRUE(ParseManifest(Text(head + good)).ok());
  for (const std::string& bad : {
           "f 0644 0 0 1 " + kDigest + " - ./\\x41 -\n",           // needless escape
           "f 0644 0 0 1 " + kDigest + " - ./\\xFF -\n",           // upper-case hex
           "f 0644 0 0 1 " + kDigest + " - ./\\xf -\n",            // short escape
           "f 0644 0 0 1 " + kDigest + "  - ./x -\n",              // two spaces
           "f 0644 0 0 01 " + kDigest + " - ./x -\n",              // leading zero
           "f 644 0 0 1 " + kDigest + " - ./x -\n",                // three mode digits
           "f 0844 0 0 1 " + kDigest + " - ./x -\n",               // not octal
           "x 0644 0 0 1 " + kDigest + " - ./x -\n",               // unknown type
           "f 0644 0 0 1 " + kDigest + "ab - ./x -\n",             // digest length
           "f 0644 0 0 1 " + std::string(64, 'A') + " - ./x -\n",  // upper-case digest
           "f 0644 -1 0 1 " + kDigest + " - ./x -\n",              // negative uid
           "f 0644 0 0 1 " + kDigest + " - ./x - extra\n",         // ten fields
       }) {
    EXPECT_FALSE(ParseManifest(Text(head + bad)).ok()) << bad;
  }
  EXPECT_FALSE(ParseManifest(Text(head + good.substr(0, good.size() - 1))).ok())
      << "no final newline";
  EXPECT_FALSE(ParseManifest(Text("digsig-manifest 2\nhash sha256\n")).ok());
  EXPECT_FALSE(ParseManifest(Text("digsig-manifest 1\nhash md5\n")).ok());
  EXPECT_FALSE(ParseManifest(Text("")).ok());
}

TEST(TarManifest, ComparesByPathAndOccurrence) {
  Manifest signed_manifest;
  signed_manifest.entries = {File("a"), File("dup"), File("dup"), File("gone")};
  std::vector<ManifestEntry> actual = {File("a"), File("dup"), File("dup"), File("dup"),
                                       File("new")};
  actual[0].mode = 0755;
  actual[2].digest = std::string(64, 'b');
  auto diffs = CompareManifests(signed_manifest, actual);
  ASSERT_EQ(diffs.size(), 5u);
  using Kind = ManifestDifference::Kind;
  EXPECT_EQ(diffs[0].kind, Kind::kChanged);
  EXPECT_EQ(diffs[0].path, "a");
  EXPECT_EQ(diffs[0].detail, "mode");
  EXPECT_EQ(diffs[1].kind, Kind::kChanged);
  EXPECT_EQ(diffs[1].detail, "content");
  EXPECT_EQ(diffs[2].kind, Kind::kAdded);  // the third "dup"
  EXPECT_EQ(diffs[2].path, "dup");
  EXPECT_EQ(diffs[3].kind, Kind::kAdded);
  EXPECT_EQ(diffs[3].path, "new");
  EXPECT_EQ(diffs[4].kind, Kind::kRemoved);
  EXPECT_EQ(diffs[4].path, "gone");
  EXPECT_TRUE(CompareManifests(signed_manifest, signed_manifest.entries).empty());
}

TEST(TarManifest, DescribesArchiveEntries) {
  archive_entry* e = archive_entry_new();
  archive_entry_set_pathname(e, "dev/console");
  archive_entry_set_filetype(e, AE_IFCHR);
  archive_entry_set_perm(e, 0600);
  archive_entry_set_rdevmajor(e, 5);
  archive_entry_set_rdevminor(e, 1);
  const uint8_t cap[] = {1, 0, 0, 2};
  archive_entry_xattr_add_entry(e, "security.capability", cap, sizeof(cap));
  auto described = DescribeEntry(e, {}, HashAlgo::kSha256);
  ASSERT_TRUE(described.ok());
  const ManifestEntry& d = *described;
  EXPECT_EQ(d.type, 'c');
  EXPECT_EQ(d.mode, 0600u);
  EXPECT_EQ(d.target, "5,1");
  EXPECT_EQ(d.digest, "-");
  EXPECT_EQ(d.xattrs.size(), 64u);
  // The xattr digest follows the documented encoding.
  auto h = Hasher::Create(HashAlgo::kSha256);
  const std::string name = "security.capability";
  h->Update(ByteSpan(reinterpret_cast<const uint8_t*>(name.c_str()), name.size() + 1));
  const uint8_t len[] = {0, 0, 0, 4};
  h->Update(len);
  h->Update(cap);
  Bytes want = h->Finish();
  std::string hex;
  for (uint8_t b : want) {
    char buf[3];
    snprintf(buf, sizeof(buf), "%02x", b);
    hex += buf;
  }
  EXPECT_EQ(d.xattrs, hex);
  archive_entry_free(e);
}

// The extended-attribute digest fails loudly, not as a placeholder digest
// that would only show up as a manifest mismatch later.
TEST(TarManifest, DescribeEntryReportsAHashItCannotCompute) {
  archive_entry* e = archive_entry_new();
  archive_entry_set_pathname(e, "bin/ping");
  archive_entry_set_filetype(e, AE_IFREG);
  const uint8_t cap[] = {1, 0, 0, 2};
  archive_entry_xattr_add_entry(e, "security.capability", cap, sizeof(cap));
  auto described = DescribeEntry(e, {}, static_cast<HashAlgo>(0x7f));
  archive_entry_free(e);
  ASSERT_FALSE(described.ok());
  EXPECT_EQ(described.error().code(), ErrorCode::kCrypto) << described.error().message();
}

}  // namespace
}  // namespace digsig
