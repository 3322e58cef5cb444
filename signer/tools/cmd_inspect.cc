#include <cstdio>

#include "base/arg_parser.h"
#include "signer/lib/certificate.h"
#include "signer/lib/elf_signature.h"
#include "signer/lib/file_io.h"
#include "signer/lib/module_signature.h"
#include "signer/tools/commands.h"
#include "signer/tools/report.h"

namespace digsig::cli {
namespace {

std::string Range(uint64_t begin, uint64_t end) {
  return "[" + std::to_string(begin) + "," + std::to_string(end) + "]";
}

void AddSigner(JsonObject& j, const Pkcs7Signer& s) {
  j.Add("signer_issuer", s.issuer)
      .Add("signer_serial", s.serial_hex)
      .Add("digest", s.digest)
      .Add("signature_algorithm", s.signature_algorithm);
}

}  // namespace

int RunInspect(const std::vector<std::string>& args) {
  ArgParser p;
  p.Flag("--json");
  if (auto st = p.Parse(args); !st) return UsageError(st.error());
  if (p.positional().empty()) return MissingError("inspect", {"FILE"});
  if (p.positional().size() != 1) return UsageError("inspect takes exactly one file");
  const std::string& path = p.positional()[0];
  auto file = MappedFile::Open(path);
  if (!file) {
    PrintFileError(path, file.error());
    return kExitFileFailed;
  }
  ByteSpan bytes = file->bytes();
  auto img = ParseElf(bytes);
  JsonObject j;
  j.Add("file", path).Add("size", static_cast<uint64_t>(bytes.size()));
  if (img) {
    j.Add("class", img->is64 ? "ELF64" : "ELF32")
        .Add("endian", img->big_endian ? "big" : "little")
        .Add("machine", ElfMachineName(img->machine))
        .Add("type", ElfTypeName(img->type));
  }
  std::optional<Error> error;
  if (HasModuleSignature(bytes)) {
    auto m = LocateModuleSignature(bytes);
    if (m) {
      j.Add("signature", "module");
      AddSigner(j, m->signer);
      j.AddRaw("covered_ranges", "[" + Range(0, m->content.size()) + "]");
      j.Add("signature_size", static_cast<uint64_t>(m->pkcs7.size()));
    } else {
      error = m.error();
    }
  } else {
    auto s = LocateSignature(bytes);
    if (s) {
      j.Add("signature", "elf")
          .Add("section", kSignatureSectionName)
          .Add("hash", HashAlgoName(s->hash()))
          .Add("payload_digest", HexEncode(s->digest()));
      AddSigner(j, s->signer);
      j.AddRaw("covered_ranges", "[" + Range(0, s->covered_size()) + "]")
          .Add("record_offset", s->record_offset)
          .Add("record_size", s->record_size())
          .Add("signature_size", static_cast<uint64_t>(s->pkcs7().size()))
          .Add("unsigned_size", s->unsigned_size());
    } else {
      error = s.error();
    }
  }
  if (error) {
    j.Add("signature", "none")
        .Add("reason", ErrorCodeName(error->code()))
        .Add("message", error->message());
  }
  if (p.Has("--json")) {
    printf("%s\n", j.str().c_str());
  } else {
    printf("%s", j.Text().c_str());
  }
  if (error) {
    if (!p.Has("--json")) PrintFileError(path, *error);
    return kExitFileFailed;
  }
  return kExitOk;
}

}  // namespace digsig::cli
