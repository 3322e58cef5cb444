// digsig: signs ELF files and kernel modules, verifies and inspects them.
// A thin front end over //signer/lib; each subcommand lives in cmd_*.cc.
#include <malloc.h>

#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include "signer/tools/commands.h"

namespace {

constexpr char kUsage[] =
    "usage: digsig COMMAND [OPTIONS] [FILE...]\n"
    "\n"
    "commands:\n"
    "  keygen --out DIR [--algo rsa-2048|rsa-3072|rsa-4096|ecdsa-p256|ecdsa-p384]\n"
    "         [--subject CN=...] [--days N] [--force]\n"
    "  sign --key KEY --cert CERT [--hash sha256|sha384|sha512]\n"
    "       (-o OUT | --in-place | --out-dir DIR) FILE...\n"
    "       [--auto [--require-elf]]  kernel modules in module format, other ELF embedded,\n"
    "                                 non-ELF copied (refused with --require-elf)\n"
    "  sign-module --key KEY --cert CERT [--hash ...] (-o OUT | --in-place | --out-dir DIR) "
    "MODULE.ko...\n"
    "  verify --cert CERT [--cert CERT...] FILE...\n"
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
    "  --jobs N                        parallel jobs (default: every core)\n"
    "  --json                          machine-readable output on stdout\n"
    "\n"
    "exit status: 0 success, 1 a file failed, 2 usage, configuration or key error\n";

// Entry buffers of a few hundred KB come and go thousands of times while an
// archive is signed; glibc would map and unmap each (and return the heap's
// top to the kernel), so every buffer would be fresh pages to fault in. Above
// these limits it still does; memory in flight stays bounded by the signer
// itself (docs/benchmarks.md: 10-15% of sign-tar's time).
void TuneAllocator() {
  mallopt(M_MMAP_THRESHOLD, 64 << 20);
  mallopt(M_TRIM_THRESHOLD, 256 << 20);
}

}  // namespace

int main(int argc, char** argv) {
  TuneAllocator();
  using namespace digsig::cli;
  if (argc < 2 || std::strcmp(argv[1], "--help") == 0 || std::strcmp(argv[1], "-h") == 0) {
    std::fputs(kUsage, argc < 2 ? stderr : stdout);
    return argc < 2 ? kExitUsage : kExitOk;
  }
  const std::string command = argv[1];
  const std::vector<std::string> args(argv + 2, argv + argc);
  for (const std::string& a : args)
    if (a == "--help" || a == "-h") {
      std::fputs(kUsage, stdout);
      return kExitOk;
    }
  if (command == "keygen") return RunKeygen(args);
  if (command == "sign") return RunSign(args, digsig::SignatureKind::kEmbedded);
  if (command == "sign-module") return RunSign(args, digsig::SignatureKind::kModule);
  if (command == "verify") return RunVerify(args);
  if (command == "inspect") return RunInspect(args);
  if (command == "sign-tar") return RunSignTar(args);
  if (command == "verify-tar") return RunVerifyTar(args);
  if (command == "revoke") return RunRevoke(args);
  if (command == "show-revocations") return RunShowRevocations(args);
  return UsageError("unknown command '" + command + "' (try digsig --help)");
}
