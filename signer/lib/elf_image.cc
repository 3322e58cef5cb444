#include "signer/lib/elf_image.h"

#include <llvm/BinaryFormat/ELF.h>
#include <llvm/Object/ELF.h>
#include <llvm/Support/Error.h>

#include <cstring>

namespace digsig {
namespace {

constexpr ElfClassLayout kLayout32{false, 52, 40, 32, 46, 48, 50, 4};
constexpr ElfClassLayout kLayout64{true, 64, 64, 40, 58, 60, 62, 8};

// Converts an llvm::Error into our error type, consuming it.
Error FromLlvm(llvm::Error err, const char* what) {
  std::string text = llvm::toString(std::move(err));
  return Error(ErrorCode::kMalformed, std::string(what) + ": " + text);
}

template <typename ELFT>
Result<ElfImage> ParseTyped(ByteSpan bytes) {
  using Shdr = typename ELFT::Shdr;
  llvm::StringRef data(reinterpret_cast<const char*>(bytes.data()), bytes.size());
  auto file_or = llvm::object::ELFFile<ELFT>::create(data);
  if (!file_or) return FromLlvm(file_or.takeError(), "bad ELF header");
  const auto& file = *file_or;
  const auto& eh = file.getHeader();

  ElfImage img;
  img.is64 = ELFT::Is64Bits;
  img.big_endian = ELFT::TargetEndianness == llvm::support::big;
  img.type = eh.e_type;
  img.machine = eh.e_machine;
  img.shoff = eh.e_shoff;
  img.shentsize = eh.e_shentsize;
  img.shnum_raw = eh.e_shnum;
  img.shstrndx_raw = eh.e_shstrndx;

  // Program headers must lie inside the file: a loader trusts them.
  auto phdrs = file.program_headers();
  if (!phdrs) return FromLlvm(phdrs.takeError(), "bad program header table");

  if (eh.e_shoff == 0) {
    if (eh.e_shnum != 0 || eh.e_shstrndx != llvm::ELF::SHN_UNDEF)
      return Error(ErrorCode::kMalformed, "section counts without a section header table");
    return img;
  }
  if (eh.e_shentsize != sizeof(Shdr))
    return Error(ErrorCode::kMalformed, "e_shentsize is " + std::to_string(eh.e_shentsize) +
                                            ", expected " + std::to_string(sizeof(Shdr)));
  // sections() bounds-checks offset, count (extended numbering included)
  // and table size against the buffer before returning a view into it.
  auto sections = file.sections();
  if (!sections) return FromLlvm(sections.takeError(), "bad section header table");
  img.section_count = sections->size();
  uint64_t shstrndx = eh.e_shstrndx;
  if (shstrndx == llvm::ELF::SHN_XINDEX) {
    if (sections->empty()) return Error(ErrorCode::kMalformed, "SHN_XINDEX without section 0");
    shstrndx = (*sections)[0].sh_link;
  }
  if (shstrndx >= img.section_count && shstrndx != 0)
    return Error(ErrorCode::kMalformed, "e_shstrndx out of range");
  img.shstrndx = shstrndx;

  llvm::StringRef strtab;
  if (shstrndx != 0) {
    const Shdr& st = (*sections)[shstrndx];
    if (st.sh_type != llvm::ELF::SHT_STRTAB)
      return Error(ErrorCode::kMalformed, "section name table is not SHT_STRTAB");
    auto tab = file.getStringTable(st);
    if (!tab) return FromLlvm(tab.takeError(), "bad section name table");
    strtab = *tab;
  }
  img.sections.reserve(sections->size());
  for (const Shdr& s : *sections) {
    ElfSection sec;
    sec.type = s.sh_type;
    sec.offset = s.sh_offset;
    sec.size = s.sh_size;
    if (s.sh_type != llvm::ELF::SHT_NOBITS && s.sh_type != llvm::ELF::SHT_NULL &&
        (s.sh_offset > bytes.size() || s.sh_size > bytes.size() - s.sh_offset))
      return Error(ErrorCode::kMalformed, "section data outside the file");
    if (!strtab.empty() && s.sh_name != 0) {
      if (s.sh_name >= strtab.size())
        return Error(ErrorCode::kMalformed, "section name offset out of range");
      sec.name = std::string(strtab.data() + s.sh_name);  // strtab ends in NUL
    }
    img.sections.push_back(std::move(sec));
  }
  return img;
}

}  // namespace

const ElfClassLayout& ElfClassLayout::For(bool is64) { return is64 ? kLayout64 : kLayout32; }

bool HasElfMagic(ByteSpan bytes) {
  return bytes.size() >= 4 && std::memcmp(bytes.data(),
                                          "\x7f"
                                          "ELF",
                                          4) == 0;
}

Result<ElfImage> ParseElf(ByteSpan bytes) {
  if (!HasElfMagic(bytes)) return Error(ErrorCode::kNotElf, "not an ELF file");
  if (bytes.size() < 16) return Error(ErrorCode::kMalformed, "truncated ELF identification");
  const uint8_t cls = bytes[llvm::ELF::EI_CLASS];
  const uint8_t data = bytes[llvm::ELF::EI_DATA];
  const bool be = data == llvm::ELF::ELFDATA2MSB;
  if (data != llvm::ELF::ELFDATA2LSB && !be)
    return Error(ErrorCode::kMalformed, "unknown ELF data encoding " + std::to_string(data));
  if (cls == llvm::ELF::ELFCLASS32)
    return be ? ParseTyped<llvm::object::ELF32BE>(bytes) : ParseTyped<llvm::object::ELF32LE>(bytes);
  if (cls == llvm::ELF::ELFCLASS64)
    return be ? ParseTyped<llvm::object::ELF64BE>(bytes) : ParseTyped<llvm::object::ELF64LE>(bytes);
  return Error(ErrorCode::kMalformed, "unknown ELF class " + std::to_string(cls));
}

std::string ElfMachineName(uint16_t machine) {
  switch (machine) {
    case llvm::ELF::EM_X86_64: return "x86_64";
    case llvm::ELF::EM_386: return "i386";
    case llvm::ELF::EM_AARCH64: return "aarch64";
    case llvm::ELF::EM_ARM: return "arm";
    case llvm::ELF::EM_RISCV: return "riscv";
    case llvm::ELF::EM_PPC: return "ppc";
    case llvm::ELF::EM_PPC64: return "ppc64";
    case llvm::ELF::EM_S390: return "s390";
    case llvm::ELF::EM_MIPS: return "mips";
    case llvm::ELF::EM_SPARCV9: return "sparcv9";
    default: return "machine-" + std::to_string(machine);
  }
}

std::string ElfTypeName(uint16_t type) {
  switch (type) {
    case llvm::ELF::ET_REL: return "relocatable";
    case llvm::ELF::ET_EXEC: return "executable";
    case llvm::ELF::ET_DYN: return "shared-object";
    case llvm::ELF::ET_CORE: return "core";
    default: return "type-" + std::to_string(type);
  }
}

}  // namespace digsig
