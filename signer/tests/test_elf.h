// Builds small, valid ELF files in memory for tests: any class, either byte
// order, with or without a section header table, any number of sections.
#pragma once

#include <string>

#include "signer/lib/byte_span.h"

namespace digsig::testing {

struct ElfSpec {
  bool is64 = true;
  bool big_endian = false;
  uint16_t machine = 62;      // EM_X86_64
  uint16_t type = 2;          // ET_EXEC
  size_t extra_sections = 2;  // PROGBITS sections besides NULL and .shstrtab
  bool section_table = true;
  size_t payload_bytes = 256;      // bytes of code-like data in each section
  std::string first_section_name;  // default ".sec0"
};

Bytes MakeElf(const ElfSpec& spec);

// Generates (once per process) a key pair of the given algorithm under
// $TEST_TMPDIR and returns its directory (key.pem, cert.pem, cert.der).
std::string TestKeyDir(const std::string& algorithm);

}  // namespace digsig::testing
