// A non-owning view of bytes (std::span is C++20; this keeps the intent plain).
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

namespace digsig {

using ByteSpan = std::span<const uint8_t>;
using Bytes = std::vector<uint8_t>;

inline ByteSpan Sub(ByteSpan s, size_t offset, size_t length) { return s.subspan(offset, length); }

}  // namespace digsig
