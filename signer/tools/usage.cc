#include <cstdio>

#include "signer/tools/commands.h"

namespace digsig::cli {

extern const char kUsage[] =
    "usage: digsig COMMAND [OPTIONS] [FILE...]\n"
    "       digsig --help | --version\n"
    "\n"
    "commands:\n"
    "  keygen --out DIR [--algo rsa-2048|rsa-3072|rsa-4096|ecdsa-p256|ecdsa-p384]\n"
    "         [--subject CN=...] [--days N] [--force]\n"
    "  sign --key KEY --cert CERT [--hash sha256|sha384|sha512]\n"
    "       (-o OUT | --in-place | --out-dir DIR) [-r] FILE...\n"
    "       [--auto [--require-elf]]  kernel modules in module format, other ELF embedded,\n"
    "                                 non-ELF copied (refused with --require-elf)\n"
    "  sign-module --key KEY --cert CERT [--hash ...] (-o OUT | --in-place | --out-dir DIR) "
    "[-r] MODULE.ko...\n"
    "  verify --cert CERT [--cert CERT...] [-r] FILE...\n"
    "  inspect [--json] FILE\n"
    "  sign-tar --key KEY --cert CERT [--hash ...] IN.tar[.gz|.xz|.zst|.bz2] -o OUT  ('-': stdio)\n"
    "           [--ima | --ima-all]  security.ima signatures on signed files | on every regular "
    "file\n"
    "           [--no-manifest] [--spool-dir DIR] [--format ustar|gnu|pax]\n"
    "           [--compression none|gzip|xz|zstd|bzip2]  (default: as the input)\n"
    "  verify-tar --cert CERT [--hash ...] [--no-manifest] ARCHIVE  every signature, IMA xattr\n"
    "           and the signed manifest: lists unsigned, altered, added, removed, changed entries\n"
    "  revoke --key KEY --cert CERT --sequence N -o LIST [--merge OLD_LIST]\n"
    "         [--revoke-cert CERT] [--revoke-key-id HEX] [--revoke-file SIGNED_ELF]\n"
    "         [--revoke-digest sha256:HEX]  a signed revocation list for digsig.ko (repeatable)\n"
    "  show-revocations --cert CERT LIST  verify a revocation list and print what it revokes\n"
    "\n"
    "common options:\n"
    "  --config FILE [--profile NAME]  take key, cert, hash and file selection from YAML\n"
    "  --pkcs11-module PATH            PKCS#11 module for pkcs11: key URIs (PIN from "
    "$DIGSIG_PKCS11_PIN)\n"
    "  --allow-insecure-key            accept a private key file readable by group/others\n"
    "  --skip-non-elf                  skip non-ELF files instead of failing\n"
    "  -r, --recursive                 sign, sign-module, verify: every file below the "
    "directories\n"
    "                                  given (symlinks not followed; non-ELF files skipped unless\n"
    "                                  --require-elf); --out-dir mirrors the tree\n"
    "  --jobs N                        parallel jobs (default: every core)\n"
    "  --json                          machine-readable output on stdout\n"
    "\n"
    "exit status: 0 success, 1 a file failed, 2 usage, configuration or key error\n";

int UsageError(const std::string& message) {
  fprintf(stderr, "digsig: %s\n", message.c_str());
  return kExitUsage;
}

std::string MissingMessage(const std::string& command, const std::vector<std::string>& missing) {
  std::string list;
  for (size_t i = 0; i < missing.size(); ++i) {
    if (i > 0) list += i + 1 == missing.size() ? " and " : ", ";
    list += missing[i];
  }
  return "digsig " + command + ": missing " + list + " (try digsig --help)";
}

int MissingError(const std::string& command, const std::vector<std::string>& missing) {
  fprintf(stderr, "%s\n", MissingMessage(command, missing).c_str());
  return kExitUsage;
}

}  // namespace digsig::cli
