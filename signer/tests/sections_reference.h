// The step-4 check (signer/format/digsig_sections.c) as digsig.ko runs it,
// with every read it makes recorded, and the reference it must agree with:
// libObject's view of the whole file, as `digsig verify` decided before the
// rule was shared C. Used by elf_sections_test and elf_sections_fuzzer.
#pragma once

#include <cstdint>
#include <functional>
#include <vector>

#include "signer/lib/byte_span.h"

namespace digsig::testing {

struct SectionsRead {
  uint64_t pos;
  uint32_t len;
};

struct SectionsRun {
  int result = 1;  // what digsig_sections_check() returned
  std::vector<SectionsRead> reads;
  // A read was outside the file, longer than DIGSIG_SECTIONS_MAX_READ, or
  // one too many: the C broke its promise (the read is refused with -EIO).
  bool broken_promise = false;
};

// Fills `out` with the `len` bytes at `pos` of a file (inside it: checked).
using FileBytes = std::function<void(uint64_t pos, uint32_t len, uint8_t* out)>;

// digsig_sections_check() on a file of `size` bytes: `header` is what the
// caller read from its start (passed as an exact heap copy, so ASan sees a
// read past it). The read at index `fail_read` returns -EIO instead.
SectionsRun RunSectionsCheck(ByteSpan header, uint64_t size, const FileBytes& bytes,
                             uint64_t covered_len, uint32_t record_len, int fail_read = -1);

// The same on a file in memory, with the header digsig.ko reads (its first
// DIGSIG_ELF_HEADER_SIZE bytes, fewer when it is shorter).
SectionsRun RunSectionsCheck(ByteSpan file, uint64_t covered_len, uint32_t record_len,
                             int fail_read = -1);

// The reference: ParseElf() of the whole file (LLVM libObject), then the
// last section compared with the record as LocateSignature() compared it:
// 0, -ENOEXEC (not ELF) or -EBADMSG.
int ReferenceSectionsCheck(ByteSpan file, uint64_t covered_len, uint32_t record_len);

}  // namespace digsig::testing
