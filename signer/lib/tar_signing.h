// Signs every ELF file inside a tar archive in one streaming pass: entries
// are read with libarchive and written back in the same order, format and
// compression, with their metadata (names, modes, owners, times, links,
// devices, xattrs, ACLs) carried over by libarchive; ELF payloads are
// replaced by their signed form, kernel modules get module signatures, and
// every other payload byte is copied through.
#pragma once

#include <cstdint>
#include <string>

#include "signer/lib/hash.h"
#include "signer/lib/result.h"
#include "signer/lib/signing_key.h"

namespace digsig {

struct TarSignOptions {
  HashAlgo hash = HashAlgo::kSha256;
  // Payloads are held in memory to be signed; larger ELF entries are refused
  // until spooling to a temporary file exists.
  uint64_t max_elf_entry = 1ull << 30;
  // Add a security.ima signature (IMA signature v2) to every signed file,
  // and with ima_all_files to every regular file; the output is then pax,
  // the tar format that carries extended attributes.
  bool ima = false;
  bool ima_all_files = false;
};

struct TarSignReport {
  uint64_t entries = 0;
  uint64_t signed_elf = 0;
  uint64_t signed_modules = 0;
  uint64_t ima_signatures = 0;
};

// Reads `input` ("-" for stdin) and writes `output` ("-" for stdout;
// otherwise atomically: temporary file, fsync, rename). Errors name the
// entry and its position in the archive.
Result<TarSignReport> SignTar(const std::string& input, const std::string& output,
                              const SigningKey& key, const TarSignOptions& options);

}  // namespace digsig
