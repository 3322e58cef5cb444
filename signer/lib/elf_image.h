// Read-only view of an ELF file's structure, validated by LLVM libObject:
// just the facts the signer needs to append a section and the verifier needs
// to find one. Works for ELF32/ELF64, either byte order, any e_machine.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "signer/lib/byte_span.h"
#include "signer/lib/result.h"

namespace digsig {

// Offsets of the header fields the signer rewrites; they differ by class.
struct ElfClassLayout {
  bool is64;
  size_t ehdr_size;   // 52 or 64
  size_t shdr_size;   // 40 or 64
  size_t e_shoff_at;  // e_shoff field offset in the ELF header
  size_t e_shentsize_at;
  size_t e_shnum_at;
  size_t e_shstrndx_at;
  size_t table_align;  // alignment the signer uses for tables it appends

  static const ElfClassLayout& For(bool is64);
};

struct ElfSection {
  std::string name;
  uint32_t type;
  uint64_t offset;
  uint64_t size;
};

struct ElfImage {
  bool is64 = false;
  bool big_endian = false;
  uint16_t type = 0;     // e_type: ET_REL, ET_EXEC, ET_DYN, ...
  uint16_t machine = 0;  // e_machine
  // Raw header fields as stored (before extended-numbering resolution).
  uint64_t shoff = 0;
  uint16_t shentsize = 0;
  uint16_t shnum_raw = 0;
  uint16_t shstrndx_raw = 0;
  // Resolved values.
  uint64_t section_count = 0;  // 0 when there is no section header table
  uint64_t shstrndx = 0;       // 0 when there is no section name table
  std::vector<ElfSection> sections;

  const ElfClassLayout& layout() const { return ElfClassLayout::For(is64); }
};

// True when the bytes start with the ELF magic.
bool HasElfMagic(ByteSpan bytes);

// Parses and validates the headers and tables. Every offset and count is
// checked against the buffer; nothing is allocated in proportion to a count
// the file claims beyond what the file actually holds.
Result<ElfImage> ParseElf(ByteSpan bytes);

// Short human names ("x86_64", "aarch64", ...) for reports.
std::string ElfMachineName(uint16_t machine);
std::string ElfTypeName(uint16_t type);

}  // namespace digsig
