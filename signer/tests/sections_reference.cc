#include "signer/tests/sections_reference.h"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <memory>

#include "signer/format/digsig_elf.h"
#include "signer/format/digsig_sections.h"
#include "signer/lib/elf_image.h"
#include "signer/lib/elf_signature.h"

namespace digsig::testing {
namespace {

struct ReadContext {
  uint64_t size;
  const FileBytes* bytes;
  int fail_read;
  SectionsRun* run;
};

int Read(void* ctx, uint8_t* buf, uint32_t len, uint64_t pos) {
  auto* c = static_cast<ReadContext*>(ctx);
  const int index = static_cast<int>(c->run->reads.size());
  c->run->reads.push_back({pos, len});
  if (len == 0 || len > DIGSIG_SECTIONS_MAX_READ || pos > c->size || len > c->size - pos ||
      c->run->reads.size() > DIGSIG_SECTIONS_MAX_READS) {
    c->run->broken_promise = true;
    return -EIO;
  }
  if (index == c->fail_read) return -EIO;
  (*c->bytes)(pos, len, buf);
  return 0;
}

}  // namespace

SectionsRun RunSectionsCheck(ByteSpan header, uint64_t size, const FileBytes& bytes,
                             uint64_t covered_len, uint32_t record_len, int fail_read) {
  SectionsRun run;
  ReadContext ctx{size, &bytes, fail_read, &run};
  std::unique_ptr<uint8_t[]> exact(new uint8_t[std::max<size_t>(header.size(), 1)]);
  if (!header.empty()) std::memcpy(exact.get(), header.data(), header.size());
  run.result =
      digsig_sections_check(exact.get(), header.size(), size, covered_len, record_len, Read, &ctx);
  return run;
}

SectionsRun RunSectionsCheck(ByteSpan file, uint64_t covered_len, uint32_t record_len,
                             int fail_read) {
  const FileBytes bytes = [file](uint64_t pos, uint32_t len, uint8_t* out) {
    std::memcpy(out, file.data() + pos, len);
  };
  return RunSectionsCheck(file.first(std::min<size_t>(file.size(), DIGSIG_ELF_HEADER_SIZE)),
                          file.size(), bytes, covered_len, record_len, fail_read);
}

int ReferenceSectionsCheck(ByteSpan file, uint64_t covered_len, uint32_t record_len) {
  auto img = ParseElf(file);
  if (!img) return img.error().code() == ErrorCode::kNotElf ? -ENOEXEC : -EBADMSG;
  if (covered_len > file.size() || record_len != file.size() - covered_len) return -EBADMSG;
  if (img->sections.empty()) return -EBADMSG;
  const ElfSection& last = img->sections.back();
  return last.name == kSignatureSectionName && last.offset == covered_len && last.size == record_len
             ? 0
             : -EBADMSG;
}

}  // namespace digsig::testing
