// Signs every ELF file inside a tar archive in one streaming pass: entries
// are read with libarchive and written back in the same order, format and
// compression, with their metadata (names, modes, owners, times, links,
// devices, xattrs, ACLs) carried over by libarchive; ELF payloads are
// replaced by their signed form, kernel modules get module signatures, and
// every other payload byte is copied through. Entries are signed on every
// core while the output keeps the input order; a signed manifest of every
// entry closes the archive (docs/format.md §10).
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>

#include "signer/lib/entry_content.h"
#include "signer/lib/hash.h"
#include "signer/lib/result.h"
#include "signer/lib/signing_key.h"

namespace digsig {

// The output's tar dialect and compression; by default the input's.
enum class TarFormat { kAsInput, kUstar, kGnu, kPax };
enum class TarCompression { kAsInput, kNone, kGzip, kXz, kZstd, kBzip2 };
std::optional<TarFormat> TarFormatFromName(const std::string& name);
std::optional<TarCompression> TarCompressionFromName(const std::string& name);

struct TarSignOptions {
  HashAlgo hash = HashAlgo::kSha256;
  // Add a security.ima signature (IMA signature v2) to every signed file,
  // and with ima_all_files to every regular file; the output is then pax,
  // the tar format that carries extended attributes.
  bool ima = false;
  bool ima_all_files = false;
  // Append the signed manifest (.digsig/manifest and .digsig/manifest.p7s).
  bool manifest = true;
  TarFormat format = TarFormat::kAsInput;  // IMA signatures need pax
  TarCompression compression = TarCompression::kAsInput;
  unsigned jobs = 0;  // 0: every core
  SpoolPolicy spool;  // where entries too large for memory wait
};

struct TarSignReport {
  uint64_t entries = 0;  // entries of the input, the manifest's not counted
  uint64_t signed_elf = 0;
  uint64_t signed_modules = 0;
  uint64_t ima_signatures = 0;
  uint64_t ima_replaced = 0;  // of those, in place of one the key did not make
  uint64_t evm_dropped = 0;   // security.evm removed with the IMA signature it covered
  uint64_t spooled = 0;       // entries that went through a temporary file
};

// Reads `input` ("-" for stdin) and writes `output` ("-" for stdout;
// otherwise atomically: temporary file, fsync, rename). Errors name the
// entry and its position in the archive.
Result<TarSignReport> SignTar(const std::string& input, const std::string& output,
                              const SigningKey& key, const TarSignOptions& options);

// The same with the output handed to `write` as it is produced (for callers
// with their own stream); nothing is written after an error.
Result<TarSignReport> SignTarTo(const std::string& input,
                                const std::function<Status(ByteSpan)>& write, const SigningKey& key,
                                const TarSignOptions& options);

}  // namespace digsig
