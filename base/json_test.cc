#include "base/json.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <string>

namespace digsig::base {
namespace {

// Well-formed UTF-8 by the byte ranges of Unicode's table 3-7: an oracle
// written differently from the decoder under test (ranges, not decoding).
bool WellFormed(const std::string& s) {
  for (size_t i = 0; i < s.size();) {
    const int b = static_cast<unsigned char>(s[i]);
    int len, lo = 0x80, hi = 0xBF;  // the range of the second byte
    if (b <= 0x7F) {
      len = 1;
    } else if (b >= 0xC2 && b <= 0xDF) {
      len = 2;
    } else if (b >= 0xE0 && b <= 0xEF) {
      len = 3;
      if (b == 0xE0) lo = 0xA0;
      if (b == 0xED) hi = 0x9F;
    } else if (b >= 0xF0 && b <= 0xF4) {
      len = 4;
      if (b == 0xF0) lo = 0x90;
      if (b == 0xF4) hi = 0x8F;
    } else {
      return false;
    }
    if (s.size() - i < static_cast<size_t>(len)) return false;
    for (int k = 1; k < len; ++k) {
      const int c = static_cast<unsigned char>(s[i + k]);
      if (c < (k == 1 ? lo : 0x80) || c > (k == 1 ? hi : 0xBF)) return false;
    }
    i += len;
  }
  return true;
}

// Undoes JsonString as a JSON parser would, but to bytes: \u00XX gives the
// byte XX. Returns false on anything JsonString must never write.
bool Unescape(const std::string& json, std::string* out) {
  if (json.size() < 2 || json.front() != '"' || json.back() != '"') return false;
  out->clear();
  for (size_t i = 1; i + 1 < json.size(); ++i) {
    const auto c = static_cast<unsigned char>(json[i]);
    if (c < 0x20 || c == 0x7F || c == '"') return false;  // must have been escaped
    if (c != '\\') {
      out->push_back(static_cast<char>(c));
      continue;
    }
    if (++i + 1 >= json.size()) return false;
    switch (json[i]) {
      case '"': out->push_back('"'); break;
      case '\\': out->push_back('\\'); break;
      case 'n': out->push_back('\n'); break;
      case 'r': out->push_back('\r'); break;
      case 't': out->push_back('\t'); break;
      case 'u': {
        if (json.compare(i + 1, 2, "00") != 0 || i + 4 >= json.size()) return false;
        out->push_back(static_cast<char>(std::stoi(json.substr(i + 3, 2), nullptr, 16)));
        i += 4;
        break;
      }
      default: return false;
    }
  }
  return true;
}

std::string Bytes(std::initializer_list<int> bytes) {
  std::string s;
  for (int b : bytes) s.push_back(static_cast<char>(b));
  return s;
}

TEST(JsonString, ValidTextIsCopied) {
  EXPECT_EQ(JsonString(""), "\"\"");
  EXPECT_EQ(JsonString("/usr/bin/true"), "\"/usr/bin/true\"");
  EXPECT_EQ(JsonString("caf\xc3\xa9"), "\"caf\xc3\xa9\"");            // U+00E9
  EXPECT_EQ(JsonString("\xe2\x82\xac"), "\"\xe2\x82\xac\"");          // U+20AC
  EXPECT_EQ(JsonString("\xf0\x9f\x98\x80"), "\"\xf0\x9f\x98\x80\"");  // U+1F600
  EXPECT_EQ(JsonString("\xf4\x8f\xbf\xbf"), "\"\xf4\x8f\xbf\xbf\"");  // U+10FFFF
  EXPECT_EQ(JsonString("\xed\x9f\xbf"), "\"\xed\x9f\xbf\"");          // U+D7FF
  EXPECT_EQ(JsonString("\xee\x80\x80"), "\"\xee\x80\x80\"");          // U+E000
}

TEST(JsonString, QuotesBackslashesAndControlCharacters) {
  EXPECT_EQ(JsonString("a\"b\\c"), R"("a\"b\\c")");
  EXPECT_EQ(JsonString("\n\r\t"), R"("\n\r\t")");
  EXPECT_EQ(JsonString(std::string(1, '\0')), R"("\u0000")");
  EXPECT_EQ(JsonString("\x1b[0m"), R"("\u001b[0m")");
  EXPECT_EQ(JsonString("\x7f"), R"("\u007f")");
  for (int c = 0; c < 0x20; ++c) {
    const std::string out = JsonString(std::string(1, static_cast<char>(c)));
    if (c == '\n' || c == '\r' || c == '\t') continue;
    char want[16];
    snprintf(want, sizeof(want), "\"\\u%04x\"", c);
    EXPECT_EQ(out, want) << c;
  }
}

TEST(JsonString, BytesThatAreNotUtf8AreEscapedOneByOne) {
  // Overlong forms: C0 80 is NUL, E0 80 80 and F0 80 80 80 too.
  EXPECT_EQ(JsonString(Bytes({0xc0, 0x80})), R"("\u00c0\u0080")");
  EXPECT_EQ(JsonString(Bytes({0xc1, 0xbf})), R"("\u00c1\u00bf")");
  EXPECT_EQ(JsonString(Bytes({0xe0, 0x80, 0x80})), R"("\u00e0\u0080\u0080")");
  EXPECT_EQ(JsonString(Bytes({0xf0, 0x8f, 0xbf, 0xbf})), R"("\u00f0\u008f\u00bf\u00bf")");
  // Surrogates, alone or paired as CESU-8 would write them.
  EXPECT_EQ(JsonString(Bytes({0xed, 0xa0, 0x80})), R"("\u00ed\u00a0\u0080")");
  EXPECT_EQ(JsonString(Bytes({0xed, 0xbf, 0xbf})), R"("\u00ed\u00bf\u00bf")");
  // Above U+10FFFF, and lead bytes UTF-8 never uses.
  EXPECT_EQ(JsonString(Bytes({0xf4, 0x90, 0x80, 0x80})), R"("\u00f4\u0090\u0080\u0080")");
  EXPECT_EQ(JsonString(Bytes({0xf5, 0x80, 0x80, 0x80})), R"("\u00f5\u0080\u0080\u0080")");
  EXPECT_EQ(JsonString(Bytes({0xfe, 0xff})), R"("\u00fe\u00ff")");
  // Stray continuation bytes, and sequences cut short by the end or by ASCII:
  // the byte after a broken lead is examined afresh.
  EXPECT_EQ(JsonString(Bytes({0x80, 'a'})), R"("\u0080a")");
  EXPECT_EQ(JsonString(Bytes({'a', 0xc3})), R"("a\u00c3")");
  EXPECT_EQ(JsonString(Bytes({0xe2, 0x82})), R"("\u00e2\u0082")");
  EXPECT_EQ(JsonString(Bytes({0xf0, 0x9f, 0x98})), R"("\u00f0\u009f\u0098")");
  EXPECT_EQ(JsonString(Bytes({0xe2, 'x', 0xc3, 0xa9})), "\"\\u00e2x\xc3\xa9\"");
  EXPECT_EQ(JsonString(Bytes({0xe2, 0xc3, 0xa9})), "\"\\u00e2\xc3\xa9\"");
}

TEST(Utf8, ValidityAgreesWithEscaping) {
  EXPECT_TRUE(IsValidUtf8(""));
  EXPECT_TRUE(IsValidUtf8("caf\xc3\xa9"));
  EXPECT_FALSE(IsValidUtf8(Bytes({0xc0, 0x80})));
  EXPECT_FALSE(IsValidUtf8(Bytes({0xed, 0xa0, 0x80})));
  EXPECT_FALSE(IsValidUtf8(Bytes({0xf4, 0x90, 0x80, 0x80})));
  EXPECT_FALSE(IsValidUtf8(Bytes({'a', 0xe2, 0x82})));
}

// Every output must be well-formed UTF-8 with nothing raw that JSON forbids,
// and must give the input back byte for byte.
void ExpectSound(const std::string& in) {
  const std::string out = JsonString(in);
  ASSERT_TRUE(WellFormed(out)) << testing::PrintToString(in);
  std::string back;
  ASSERT_TRUE(Unescape(out, &back)) << testing::PrintToString(in);
  ASSERT_EQ(back, in);
  ASSERT_EQ(IsValidUtf8(in), WellFormed(in)) << testing::PrintToString(in);
}

TEST(JsonString, EveryShortInputIsSoundJson) {
  for (int a = 0; a < 256; ++a) {
    ExpectSound(Bytes({a}));
    for (int b = 0; b < 256; ++b) ExpectSound(Bytes({a, b}));
  }
  // Three and four bytes behind every lead byte of a multi-byte sequence.
  for (int a = 0xC0; a < 256; ++a)
    for (int b = 0x70; b < 0xD0; ++b)
      for (int c = 0x70; c < 0xD0; ++c) {
        ExpectSound(Bytes({a, b, c}));
        ExpectSound(Bytes({a, b, c, 0x80}));
        ExpectSound(Bytes({a, b, c, 0xBF}));
      }
}

}  // namespace
}  // namespace digsig::base
