// Fuzz target: the step-4 check shared with the kernel module
// (signer/format/digsig_sections.c, docs/format.md section 5). The input is
// a whole file. The check runs as digsig.ko runs it (an exact copy of the
// header; every read recorded, each inside the file, at most 64 bytes, at
// most DIGSIG_SECTIONS_MAX_READS of them), with the record's place taken
// from the file's trailer, from its last section as libObject reads it,
// and from a fixed guess. Its answer must equal libObject's reading of the
// whole file (what `digsig verify` concluded before the rule was shared),
// except where only a section header the check never reads is at fault:
// then, with every such header made SHT_NULL and nameless, both must agree
// again, on acceptance when no byte the check read changed.
#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <vector>

#include "base/fuzz_check.h"
#include "signer/format/digsig_elf.h"
#include "signer/format/digsig_format.h"
#include "signer/format/digsig_sections.h"
#include "signer/lib/byte_order.h"
#include "signer/lib/elf_image.h"
#include "signer/tests/sections_reference.h"

namespace {

using digsig::Bytes;
using digsig::ByteSpan;
using digsig::LoadInt;
using digsig::testing::ReferenceSectionsCheck;
using digsig::testing::RunSectionsCheck;
using digsig::testing::SectionsRun;

// The section table as the check read it (it returned 0, so the ELF
// header is sane): which headers are the others.
struct Table {
  uint64_t shoff, entsize, count, names;
};

Table TableOf(ByteSpan f) {
  const bool is64 = f[4] == 2, be = f[5] == 2;
  Table t;
  t.shoff = is64 ? LoadInt<uint64_t>(&f[40], be) : LoadInt<uint32_t>(&f[32], be);
  t.entsize = is64 ? 64 : 40;
  const uint16_t shnum = LoadInt<uint16_t>(&f[is64 ? 60 : 48], be);
  const uint16_t shstrndx = LoadInt<uint16_t>(&f[is64 ? 62 : 50], be);
  const uint8_t* sh0 = &f[t.shoff];
  t.count = shnum  ? shnum
            : is64 ? LoadInt<uint64_t>(sh0 + 32, be)
                   : LoadInt<uint32_t>(sh0 + 20, be);
  t.names = shstrndx == 0xffff ? LoadInt<uint32_t>(sh0 + (is64 ? 40 : 24), be) : shstrndx;
  return t;
}

bool Overlaps(uint64_t a, uint64_t n, uint64_t b, uint64_t m) { return a < b + m && b < a + n; }

void Check(ByteSpan file, uint64_t covered, uint32_t record_len) {
  const SectionsRun run = RunSectionsCheck(file, covered, record_len);
  FUZZ_CHECK(!run.broken_promise);
  FUZZ_CHECK(run.result == 0 || run.result == -ENOEXEC || run.result == -EBADMSG);
  const int ref = ReferenceSectionsCheck(file, covered, record_len);
  if (digsig::fuzz::Verbose())
    std::fprintf(stderr, "  covered %llu record %u: check %d, libObject %d\n",
                 static_cast<unsigned long long>(covered), record_len, run.result, ref);
  if (run.result == ref) return;
  // Never stricter than libObject; laxer only about the other sections.
  FUZZ_CHECK(run.result == 0 && ref == -EBADMSG);
  const Table t = TableOf(file);
  Bytes repaired(file.begin(), file.end());
  bool touched_read = false;
  for (uint64_t i = 1; i + 1 < t.count; ++i) {
    if (i == t.names) continue;
    const uint64_t at = t.shoff + i * t.entsize;
    // sh_name and sh_type: 8 bytes the check never read, unless they are
    // also the ELF header or bytes it read for another reason.
    if (Overlaps(at, 8, 0, DIGSIG_ELF_HEADER_SIZE)) return;
    for (const auto& r : run.reads) touched_read |= Overlaps(at, 8, r.pos, r.len);
    std::memset(&repaired[at], 0, 8);
  }
  const SectionsRun again = RunSectionsCheck(repaired, covered, record_len);
  FUZZ_CHECK(!again.broken_promise);
  FUZZ_CHECK(again.result == ReferenceSectionsCheck(repaired, covered, record_len));
  if (!touched_read) FUZZ_CHECK(again.result == 0);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  // libObject parses every section; larger inputs add time, not paths.
  if (size > 256 * 1024) return 0;
  const ByteSpan file(data, size);
  // The record's place from the trailer, as digsig.ko and digsig verify
  // find it.
  uint32_t record_len = 0;
  if (size >= DIGSIG_TRAILER_SIZE &&
      digsig_parse_trailer(data + size - DIGSIG_TRAILER_SIZE, size, &record_len) == 0)
    Check(file, size - record_len, record_len);
  // From the last section, when it ends the file: a trailer need not be
  // valid for the section table to match.
  auto img = digsig::ParseElf(file);
  if (img && !img->sections.empty()) {
    const digsig::ElfSection& last = img->sections.back();
    if (last.offset <= size && last.size == size - last.offset && last.size <= 0xffffffffu &&
        last.size != record_len)
      Check(file, last.offset, static_cast<uint32_t>(last.size));
  }
  // A guess that matches nothing in particular.
  const uint32_t guess = static_cast<uint32_t>(size < DIGSIG_MIN_RECORD ? size : DIGSIG_MIN_RECORD);
  Check(file, size - guess, guess);
  return 0;
}
