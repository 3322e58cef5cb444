// Fixed-endian integer load/store on byte buffers. Every on-disk structure
// the signer writes is big-endian; ELF headers are in the file's own order.
#pragma once

#include <cstddef>
#include <cstdint>

namespace digsig {

template <typename T>
T LoadInt(const uint8_t* p, bool big_endian) {
  T v = 0;
  for (size_t i = 0; i < sizeof(T); ++i) {
    size_t shift = big_endian ? (sizeof(T) - 1 - i) * 8 : i * 8;
    v |= static_cast<T>(static_cast<T>(p[i]) << shift);
  }
  return v;
}

template <typename T>
void StoreInt(uint8_t* p, T v, bool big_endian) {
  for (size_t i = 0; i < sizeof(T); ++i) {
    size_t shift = big_endian ? (sizeof(T) - 1 - i) * 8 : i * 8;
    p[i] = static_cast<uint8_t>(v >> shift);
  }
}

template <typename T>
T LoadBe(const uint8_t* p) {
  return LoadInt<T>(p, true);
}

template <typename T>
void StoreBe(uint8_t* p, T v) {
  StoreInt<T>(p, v, true);
}

}  // namespace digsig
