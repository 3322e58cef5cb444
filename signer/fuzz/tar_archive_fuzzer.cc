// Fuzz target: the archive path. An untrusted tar stream (any format, any
// compression) goes through verify-tar and through sign-tar; neither may
// crash, hang or allocate in proportion to a size the archive merely
// claims. And a round-trip property: whatever sign-tar accepts and signs
// must then pass verify-tar with the signer's certificate.
#include <sys/mman.h>
#include <unistd.h>

#include <cstdint>
#include <cstdlib>
#include <memory>
#include <string>

#include "signer/fuzz/fuzz_common.h"
#include "signer/lib/certificate.h"
#include "signer/lib/keygen.h"
#include "signer/lib/signing_key.h"
#include "signer/lib/tar_signing.h"
#include "signer/lib/tar_verification.h"

namespace digsig::fuzz {
namespace {

// An in-memory file with a path libarchive can open.
class MemFile {
 public:
  explicit MemFile(const char* name) : fd_(memfd_create(name, MFD_CLOEXEC)) {
    FUZZ_CHECK(fd_ >= 0);
  }
  void Set(const uint8_t* data, size_t size) {
    FUZZ_CHECK(ftruncate(fd_, 0) == 0);
    for (size_t done = 0; done < size;) {
      ssize_t n = pwrite(fd_, data + done, size - done, static_cast<off_t>(done));
      FUZZ_CHECK(n > 0);
      done += static_cast<size_t>(n);
    }
  }
  std::string path() const { return "/proc/self/fd/" + std::to_string(fd_); }

 private:
  int fd_;
};

// A fresh ECDSA key (fast to sign with) and its certificate, made once.
struct FuzzKey {
  std::shared_ptr<SigningKey> key;
  std::vector<CertPtr> certs;
};

const FuzzKey& Key() {
  static const FuzzKey k = [] {
    char dir[] = "/tmp/digsig-tar-fuzz.XXXXXX";
    FUZZ_CHECK(mkdtemp(dir) != nullptr);
    KeygenOptions options;
    options.out_dir = std::string(dir) + "/key";
    options.algorithm = "ecdsa-p256";
    auto generated = GenerateKeyPair(options);
    FUZZ_CHECK(generated.ok());
    auto key = SigningKey::Load(KeySpec::Files(generated->key_path, generated->cert_pem_path));
    FUZZ_CHECK(key.ok());
    auto certs = LoadCertificates(generated->cert_pem_path);
    FUZZ_CHECK(certs.ok());
    FuzzKey out{*key, *certs};
    std::system((std::string("rm -rf ") + dir).c_str());
    return out;
  }();
  return k;
}

// Small limits so that spooling and the size limit are reached by small
// inputs; one job so runs are deterministic.
SpoolPolicy FuzzSpool() {
  SpoolPolicy spool;
  spool.memory_limit = 4096;
  spool.max_size = 8u << 20;
  return spool;
}

}  // namespace
}  // namespace digsig::fuzz

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace digsig;
  using namespace digsig::fuzz;
  static MemFile input("tar-input");
  static MemFile output("tar-output");
  const FuzzKey& key = Key();
  input.Set(data, size);

  TarVerifyOptions verify_options;
  verify_options.jobs = 1;
  verify_options.spool = FuzzSpool();
  auto as_given = VerifyTar(input.path(), TrustedCerts(), verify_options);
  Report("verify-tar", as_given);

  TarSignOptions sign_options;
  sign_options.jobs = 1;
  sign_options.ima = (size & 1) != 0;
  sign_options.ima_all_files = (size & 2) != 0;
  sign_options.spool = FuzzSpool();
  Bytes signed_archive;
  auto signed_report = SignTarTo(
      input.path(),
      [&](ByteSpan chunk) {
        signed_archive.insert(signed_archive.end(), chunk.begin(), chunk.end());
        return Status::Ok();
      },
      *key.key, sign_options);
  Report("sign-tar", signed_report);
  if (!signed_report) return 0;

  // Both keys are trusted: the corpus key's IMA xattrs may pass through.
  output.Set(signed_archive.data(), signed_archive.size());
  std::vector<CertPtr> certs = key.certs;
  certs.insert(certs.end(), TrustedCerts().begin(), TrustedCerts().end());
  auto round_trip = VerifyTar(output.path(), certs, verify_options);
  Report("verify-tar of the signed output", round_trip);
  FUZZ_CHECK(round_trip.ok());
  // Everything sign-tar wrote verifies. Without --ima-all, security.ima
  // xattrs of files it did not sign are the input's, copied as they are,
  // and may be anything.
  for (const TarFinding& f : round_trip->findings) {
    const bool passed_through = !sign_options.ima_all_files && f.problem.starts_with("ima-");
    if (passed_through) continue;
    std::fprintf(stderr, "  finding: %s: %s: %s\n", f.where.c_str(), f.problem.c_str(),
                 f.detail.c_str());
    FUZZ_CHECK(passed_through);
  }
  FUZZ_CHECK(round_trip->manifest_verified);
  FUZZ_CHECK(round_trip->verified_elf == signed_report->signed_elf);
  FUZZ_CHECK(round_trip->verified_modules == signed_report->signed_modules);
  return 0;
}
