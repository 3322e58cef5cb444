#include "signer/lib/tar_manifest.h"

#include <algorithm>
#include <charconv>
#include <map>
#include <optional>
#include <string_view>
#include <utility>

#include "signer/lib/byte_order.h"
#include "signer/lib/certificate.h"
#include "signer/lib/tar_archive.h"

namespace digsig {
namespace {

constexpr std::string_view kMagicLine = "digsig-manifest 1";
constexpr size_t kFieldCount = 9;

char TypeLetter(archive_entry* entry) {
  if (archive_entry_hardlink(entry) != nullptr) return 'h';
  switch (archive_entry_filetype(entry)) {
    case AE_IFREG: return 'f';
    case AE_IFLNK: return 'l';
    case AE_IFDIR: return 'd';
    case AE_IFCHR: return 'c';
    case AE_IFBLK: return 'b';
    case AE_IFIFO: return 'p';
    case AE_IFSOCK: return 's';
    default: return '?';
  }
}

// Sorted by name: name, NUL, be32 value length, value; "-" when none.
Result<std::string> XattrDigest(archive_entry* entry, HashAlgo hash) {
  Xattrs attrs = EntryXattrs(entry);
  if (attrs.empty()) return std::string("-");
  std::sort(attrs.begin(), attrs.end());
  auto hasher = Hasher::Create(hash);
  if (!hasher) return hasher.error();
  for (const auto& [n, v] : attrs) {
    hasher->Update(ByteSpan(reinterpret_cast<const uint8_t*>(n.c_str()), n.size() + 1));
    uint8_t be_len[4];
    StoreBe<uint32_t>(be_len, static_cast<uint32_t>(v.size()));
    hasher->Update(be_len);
    hasher->Update(v);
  }
  return HexEncode(hasher->Finish());
}

bool NeedsEscape(unsigned char c) { return c <= 0x20 || c >= 0x7f || c == '\\'; }

std::string EncodeField(const std::string& raw) {
  if (raw.empty()) return "-";
  if (raw == "-") return "\\x2d";
  return EscapeManifestField(raw);
}

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return -1;
}

// The inverse of EncodeField, accepting only its canonical output.
std::optional<std::string> DecodeField(std::string_view field) {
  if (field == "-") return std::string();
  std::string out;
  for (size_t i = 0; i < field.size(); ++i) {
    const auto c = static_cast<unsigned char>(field[i]);
    if (c != '\\') {
      if (NeedsEscape(c)) return std::nullopt;
      out.push_back(static_cast<char>(c));
      continue;
    }
    if (field.size() - i < 4 || field[i + 1] != 'x') return std::nullopt;
    const int hi = HexValue(field[i + 2]), lo = HexValue(field[i + 3]);
    if (hi < 0 || lo < 0) return std::nullopt;
    const auto byte = static_cast<unsigned char>(hi * 16 + lo);
    if (!NeedsEscape(byte) && !(byte == '-' && field == "\\x2d")) return std::nullopt;
    out.push_back(static_cast<char>(byte));
    i += 3;
  }
  if (out.empty()) return std::nullopt;
  return out;
}

template <typename T>
bool ParseDecimal(std::string_view s, T& out) {
  if (s.empty() || (s.size() > 1 && s[0] == '0')) return false;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  return ec == std::errc() && end == s.data() + s.size() && out >= 0;
}

bool ValidDigest(std::string_view s, size_t bytes) {
  if (s == "-") return true;
  return s.size() == bytes * 2 &&
         std::all_of(s.begin(), s.end(), [](char c) { return HexValue(c) >= 0; });
}

std::vector<std::string_view> Split(std::string_view line, char sep) {
  std::vector<std::string_view> out;
  size_t start = 0;
  for (size_t i = 0; i <= line.size(); ++i) {
    if (i == line.size() || line[i] == sep) {
      out.push_back(line.substr(start, i - start));
      start = i + 1;
    }
  }
  return out;
}

Result<ManifestEntry> ParseEntryLine(std::string_view line, HashAlgo hash) {
  auto f = Split(line, ' ');
  if (f.size() != kFieldCount) return Error(ErrorCode::kMalformed, "wrong number of fields");
  ManifestEntry e;
  if (f[0].size() != 1 || std::string_view("fhldcbps").find(f[0][0]) == std::string_view::npos)
    return Error(ErrorCode::kMalformed, "unknown entry type");
  e.type = f[0][0];
  if (f[1].size() != 4 ||
      !std::all_of(f[1].begin(), f[1].end(), [](char c) { return c >= '0' && c <= '7'; }))
    return Error(ErrorCode::kMalformed, "bad mode");
  std::from_chars(f[1].data(), f[1].data() + 4, e.mode, 8);
  if (!ParseDecimal(f[2], e.uid) || !ParseDecimal(f[3], e.gid) || !ParseDecimal(f[4], e.size))
    return Error(ErrorCode::kMalformed, "bad owner or size");
  const size_t digest_len = HashAlgoSize(hash);
  if (!ValidDigest(f[5], digest_len) || !ValidDigest(f[6], digest_len))
    return Error(ErrorCode::kMalformed, "bad digest");
  e.digest = std::string(f[5]);
  e.xattrs = std::string(f[6]);
  auto path = DecodeField(f[7]);
  auto target = DecodeField(f[8]);
  if (!path || !target) return Error(ErrorCode::kMalformed, "bad path encoding");
  e.path = std::move(*path);
  e.target = std::move(*target);
  return e;
}

std::string FieldDifferences(const ManifestEntry& want, const ManifestEntry& got) {
  std::string d;
  auto add = [&d](bool differs, const char* name) {
    if (!differs) return;
    if (!d.empty()) d += ", ";
    d += name;
  };
  add(want.type != got.type, "type");
  add(want.mode != got.mode, "mode");
  add(want.uid != got.uid || want.gid != got.gid, "owner");
  add(want.size != got.size, "size");
  add(want.digest != got.digest, "content");
  add(want.xattrs != got.xattrs, "xattrs");
  add(want.target != got.target, "link target");
  return d;
}

}  // namespace

Result<ManifestEntry> DescribeEntry(archive_entry* entry, const Bytes& content_digest,
                                    HashAlgo hash) {
  ManifestEntry e;
  e.type = TypeLetter(entry);
  e.mode = archive_entry_perm(entry) & 07777;
  e.uid = archive_entry_uid(entry);
  e.gid = archive_entry_gid(entry);
  const char* path = archive_entry_pathname(entry);
  e.path = path ? path : "";
  if (e.type == 'f') {
    e.size = static_cast<uint64_t>(archive_entry_size(entry));
    e.digest = HexEncode(content_digest);
  } else {
    e.digest = "-";
  }
  auto xattrs = XattrDigest(entry, hash);
  if (!xattrs) return xattrs.error();
  e.xattrs = std::move(*xattrs);
  if (e.type == 'h') {
    e.target = archive_entry_hardlink(entry);
  } else if (e.type == 'l') {
    const char* t = archive_entry_symlink(entry);
    e.target = t ? t : "";
  } else if (e.type == 'c' || e.type == 'b') {
    e.target = std::to_string(archive_entry_rdevmajor(entry)) + "," +
               std::to_string(archive_entry_rdevminor(entry));
  }
  return e;
}

std::string EscapeManifestField(const std::string& raw) {
  static const char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(raw.size());
  for (unsigned char c : raw) {
    if (!NeedsEscape(c)) {
      out.push_back(static_cast<char>(c));
      continue;
    }
    out += "\\x";
    out.push_back(kHex[c >> 4]);
    out.push_back(kHex[c & 15]);
  }
  return out;
}

std::string SerializeManifest(const Manifest& manifest) {
  std::string out(kMagicLine);
  out += "\nhash ";
  out += HashAlgoName(manifest.hash);
  out += '\n';
  char mode[8];
  for (const ManifestEntry& e : manifest.entries) {
    snprintf(mode, sizeof(mode), "%04o", e.mode & 07777);
    out += std::string(1, e.type) + ' ' + mode + ' ' + std::to_string(e.uid) + ' ' +
           std::to_string(e.gid) + ' ' + std::to_string(e.size) + ' ' + e.digest + ' ' + e.xattrs +
           ' ' + EncodeField(e.path) + ' ' + EncodeField(e.target) + '\n';
  }
  return out;
}

Result<Manifest> ParseManifest(ByteSpan text) {
  std::string_view all(reinterpret_cast<const char*>(text.data()), text.size());
  if (all.empty() || all.back() != '\n')
    return Error(ErrorCode::kMalformed, "manifest does not end with a newline");
  all.remove_suffix(1);
  auto lines = Split(all, '\n');
  if (lines.size() < 2 || lines[0] != kMagicLine || lines[1].substr(0, 5) != "hash ")
    return Error(ErrorCode::kMalformed, "not a digsig manifest (version 1)");
  auto hash = HashAlgoFromName(lines[1].substr(5));
  if (!hash) return Error(ErrorCode::kUnsupported, "manifest hash algorithm not supported");
  Manifest m;
  m.hash = *hash;
  for (size_t i = 2; i < lines.size(); ++i) {
    auto e = ParseEntryLine(lines[i], m.hash);
    if (!e) return e.error().Wrap("manifest line " + std::to_string(i + 1));
    m.entries.push_back(std::move(*e));
  }
  return m;
}

const char* ManifestDifferenceName(ManifestDifference::Kind kind) {
  switch (kind) {
    case ManifestDifference::Kind::kAdded: return "added";
    case ManifestDifference::Kind::kRemoved: return "removed";
    case ManifestDifference::Kind::kChanged: return "changed";
  }
  return "?";
}

std::vector<ManifestDifference> CompareManifests(const Manifest& signed_manifest,
                                                 const std::vector<ManifestEntry>& actual) {
  // Occurrences of each path in the signed manifest, in order.
  std::map<std::string, std::vector<const ManifestEntry*>> expected;
  for (const ManifestEntry& e : signed_manifest.entries) expected[e.path].push_back(&e);
  std::map<std::string, size_t> seen;
  std::vector<ManifestDifference> out;
  using Kind = ManifestDifference::Kind;
  for (const ManifestEntry& got : actual) {
    const size_t n = seen[got.path]++;
    auto it = expected.find(got.path);
    if (it == expected.end() || n >= it->second.size()) {
      out.push_back({Kind::kAdded, got.path, ""});
      continue;
    }
    if (!(*it->second[n] == got))
      out.push_back({Kind::kChanged, got.path, FieldDifferences(*it->second[n], got)});
  }
  for (const auto& [path, entries] : expected) {
    const size_t n = seen.count(path) ? seen[path] : 0;
    for (size_t i = n; i < entries.size(); ++i) out.push_back({Kind::kRemoved, path, ""});
  }
  return out;
}

}  // namespace digsig
