// JSON string literals for strings that are bytes, not necessarily text:
// file names, archive paths and process names may hold any byte, and the
// output must stay valid JSON (RFC 8259) for a strict parser.
//
// What is written:
//   - every well-formed UTF-8 sequence as itself: shortest form only, scalar
//     values only (no surrogates U+D800..U+DFFF, nothing above U+10FFFF);
//   - '"' and '\' escaped; \n, \r and \t as such; every other control
//     character (U+0000..U+001F) and DEL (U+007F) as \u00XX;
//   - every byte that does not begin a well-formed sequence (a stray
//     continuation byte, an overlong form such as C0 80, a surrogate such as
//     ED A0 80, a code point above U+10FFFF such as F4 90 80 80, a sequence
//     cut short) as \u00XX, one escape per byte, so that the byte reads as
//     its Latin-1 character and the next byte is examined afresh.
// A valid character U+0080..U+00FF is always written as itself, never
// escaped, so in the raw output \u0080..\u00ff means "this byte was not
// UTF-8". Once parsed, though, the string cannot tell a stray byte C0 from a
// real U+00C0: callers that must give back the exact bytes add them in hex
// beside the text (IsValidUtf8 says when).
#pragma once

#include <string>
#include <string_view>

namespace digsig::base {

// The length of the well-formed UTF-8 sequence at s[i] (1 to 4), or 0 when
// the byte there does not begin one. i < s.size().
size_t Utf8SequenceLength(std::string_view s, size_t i);

// True when all of `s` is well-formed UTF-8.
bool IsValidUtf8(std::string_view s);

// Appends `s` as a JSON string literal, quotes included.
void AppendJsonString(std::string& out, std::string_view s);

// `s` as a JSON string literal, quotes included.
std::string JsonString(std::string_view s);

}  // namespace digsig::base
