#include "signer/format/digsig_format.h"
#include "signer/format/digsig_ima.h"
#include "signer/tools/commands.h"

namespace digsig::cli {
namespace {

// The tool's own version: raised when a release is cut. The formats carry
// their own versions below, which only change when the bytes do.
constexpr char kDigsigVersion[] = "0.1.0";

// The first line of a revocation list body ("digsig-revocations 1") and of
// an archive manifest ("digsig-manifest 1"): version_test checks them
// against what the library writes.
constexpr char kRevocationListVersion[] = "digsig-revocations 1";
constexpr char kManifestVersion[] = "digsig-manifest 1";

}  // namespace

std::string VersionText() {
  std::string trailer(DIGSIG_TRAILER_MAGIC, DIGSIG_TRAILER_MAGIC_SIZE - 1);  // less its newline
  return std::string("digsig ") + kDigsigVersion +
         "\n"
         "formats written and read (docs/format.md):\n"
         "  ELF signature record     payload version " +
         std::to_string(DIGSIG_PAYLOAD_VERSION) + ", trailer " + trailer +
         "  (sections 1-6)\n"
         "  kernel module signature  the kernel's appended PKCS#7, id_type 2  (section 7)\n"
         "  IMA signature            security.ima digital signature version " +
         std::to_string(DIGSIG_IMA_VERSION) +
         "  (section 9)\n"
         "  archive manifest         " +
         kManifestVersion +
         "  (section 10)\n"
         "  revocation list          " +
         kRevocationListVersion + "  (section 11)\n";
}

}  // namespace digsig::cli
