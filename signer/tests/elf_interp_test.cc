// The PT_INTERP finder shared with the kernel module (signer/format/
// digsig_elf.c): every class and byte order, the loader's limits, and every
// offset and size taken from the file checked against the file's size.
#include <gtest/gtest.h>
#include <link.h>

#include <algorithm>
#include <cstring>
#include <string>
#include <vector>

#include "signer/format/digsig_elf.h"
#include "signer/lib/byte_order.h"
#include "signer/lib/file_io.h"
#include "signer/tests/test_elf.h"

namespace digsig {
namespace {

constexpr uint32_t kPtLoad = 1;
constexpr uint32_t kPtInterp = 3;
constexpr uint32_t kPtNote = 4;
constexpr uint64_t kMax64 = ~uint64_t{0};

struct Phdr {
  uint32_t type;
  uint64_t offset;
  uint64_t filesz;
};

struct Layout {
  bool is64 = true;
  bool big_endian = false;
  size_t ehdr() const { return is64 ? 64 : 52; }
  size_t phentsize() const { return is64 ? 56 : 32; }
  // Header field offsets (Elf32_Ehdr / Elf64_Ehdr).
  size_t phoff_at() const { return is64 ? 32 : 28; }
  size_t phentsize_at() const { return is64 ? 54 : 42; }
  size_t phnum_at() const { return is64 ? 56 : 44; }
};

// An ELF header, then the program header table right after it, then `tail`
// (where the interpreter path usually is). Tail() is where `tail` starts.
class Image {
 public:
  Image(Layout l, const std::vector<Phdr>& phdrs, const std::string& tail) : l_(l) {
    bytes_.assign(l.ehdr() + phdrs.size() * l.phentsize(), 0);
    const uint8_t ident[7] = {0x7f,
                              'E',
                              'L',
                              'F',
                              static_cast<uint8_t>(l.is64 ? 2 : 1),
                              static_cast<uint8_t>(l.big_endian ? 2 : 1),
                              1};
    std::memcpy(bytes_.data(), ident, sizeof(ident));
    Put16(16, 2);  // ET_EXEC
    Put16(18, l.is64 ? 62 : 3);
    Put32(20, 1);
    PutWord(l.phoff_at(), l.ehdr());
    Put16(l.is64 ? 52 : 40, static_cast<uint16_t>(l.ehdr()));
    Put16(l.phentsize_at(), static_cast<uint16_t>(l.phentsize()));
    Put16(l.phnum_at(), static_cast<uint16_t>(phdrs.size()));
    for (size_t i = 0; i < phdrs.size(); ++i) {
      const size_t at = l.ehdr() + i * l.phentsize();
      Put32(at, phdrs[i].type);
      if (l.is64) {
        PutWord(at + 8, phdrs[i].offset);
        PutWord(at + 32, phdrs[i].filesz);
        PutWord(at + 40, phdrs[i].filesz);  // p_memsz
      } else {
        PutWord(at + 4, phdrs[i].offset);
        PutWord(at + 16, phdrs[i].filesz);
        PutWord(at + 20, phdrs[i].filesz);
      }
    }
    bytes_.insert(bytes_.end(), tail.begin(), tail.end());
  }
  // Where a tail passed to an image of `n` program headers starts.
  static uint64_t Tail(Layout l, size_t n) { return l.ehdr() + n * l.phentsize(); }

  void Put16(size_t at, uint16_t v) { StoreInt<uint16_t>(bytes_.data() + at, v, l_.big_endian); }
  void Put32(size_t at, uint32_t v) { StoreInt<uint32_t>(bytes_.data() + at, v, l_.big_endian); }
  // An address-sized field: 8 bytes in ELF64, 4 (truncated) in ELF32.
  void PutWord(size_t at, uint64_t v) {
    if (l_.is64)
      StoreInt<uint64_t>(bytes_.data() + at, v, l_.big_endian);
    else
      StoreInt<uint32_t>(bytes_.data() + at, static_cast<uint32_t>(v), l_.big_endian);
  }
  Bytes& bytes() { return bytes_; }

 private:
  Layout l_;
  Bytes bytes_;
};

// What digsig.ko would conclude about a file: the same two calls, each on a
// buffer of exactly the bytes it is given (so ASan sees any read past it).
struct Outcome {
  int phdrs = 1;   // digsig_elf_phdrs()
  int interp = 2;  // digsig_elf_find_interp(), when the table was found
  struct digsig_elf_phdrs ph {};
  uint64_t offset = 0;
  uint32_t size = 0;
  std::string path;  // the PT_INTERP bytes, when found
};

Outcome Examine(const Bytes& file) {
  Outcome o;
  const size_t hlen = std::min<size_t>(file.size(), DIGSIG_ELF_HEADER_SIZE);
  std::vector<uint8_t> header(file.begin(), file.begin() + static_cast<ptrdiff_t>(hlen));
  o.phdrs = digsig_elf_phdrs(header.data(), header.size(), file.size(), &o.ph);
  if (o.phdrs != 0) return o;
  std::vector<uint8_t> table(file.begin() + static_cast<ptrdiff_t>(o.ph.offset),
                             file.begin() + static_cast<ptrdiff_t>(o.ph.offset + o.ph.size));
  o.interp =
      digsig_elf_find_interp(table.data(), table.size(), &o.ph, file.size(), &o.offset, &o.size);
  if (o.interp == 1)
    o.path.assign(file.begin() + static_cast<ptrdiff_t>(o.offset),
                  file.begin() + static_cast<ptrdiff_t>(o.offset + o.size));
  return o;
}

bool PathOk(const std::string& s) {
  return digsig_elf_interp_path_ok(reinterpret_cast<const uint8_t*>(s.data()),
                                   static_cast<uint32_t>(s.size())) != 0;
}

const Layout kLayouts[] = {{true, false}, {true, true}, {false, false}, {false, true}};

std::string Name(Layout l) {
  return std::string(l.is64 ? "ELF64" : "ELF32") + (l.big_endian ? " BE" : " LE");
}

// A typical dynamic executable: PT_LOAD, PT_INTERP pointing into the tail.
Image WithInterp(Layout l, const std::string& path, uint64_t filesz = 0) {
  const uint64_t at = Image::Tail(l, 3);
  return Image(
      l, {{kPtLoad, 0, 4096}, {kPtInterp, at, filesz ? filesz : path.size()}, {kPtNote, 0, 0}},
      path + std::string(64, 'x'));
}

const std::string kLdSo("/lib/ld-test.so.1\0", 18);

TEST(ElfInterp, EveryClassAndByteOrderWithoutInterp) {
  for (Layout l : kLayouts) {
    SCOPED_TRACE(Name(l));
    testing::ElfSpec spec;
    spec.is64 = l.is64;
    spec.big_endian = l.big_endian;
    const Bytes file = testing::MakeElf(spec);
    Outcome o = Examine(file);
    ASSERT_EQ(o.phdrs, 0);
    EXPECT_EQ(o.ph.is64, l.is64);
    EXPECT_EQ(o.ph.big_endian, l.big_endian);
    EXPECT_EQ(o.ph.offset, l.ehdr());
    EXPECT_EQ(o.ph.count, 1);
    EXPECT_EQ(o.ph.entry_size, l.phentsize());
    EXPECT_EQ(o.ph.size, l.phentsize());
    EXPECT_EQ(o.interp, 0);
  }
}

TEST(ElfInterp, EveryClassAndByteOrderWithInterp) {
  for (Layout l : kLayouts) {
    SCOPED_TRACE(Name(l));
    Image img = WithInterp(l, kLdSo);
    Outcome o = Examine(img.bytes());
    ASSERT_EQ(o.phdrs, 0);
    EXPECT_EQ(o.ph.count, 3);
    EXPECT_EQ(o.ph.size, 3 * l.phentsize());
    ASSERT_EQ(o.interp, 1);
    EXPECT_EQ(o.offset, Image::Tail(l, 3));
    EXPECT_EQ(o.size, kLdSo.size());
    EXPECT_EQ(o.path, kLdSo);
    EXPECT_TRUE(PathOk(o.path));
  }
}

TEST(ElfInterp, NoProgramHeadersIsAnEmptyTable) {
  for (Layout l : kLayouts) {
    SCOPED_TRACE(Name(l));
    Image img(l, {}, "");
    // Without entries neither the entry size nor the offset matter.
    img.Put16(l.phentsize_at(), 0);
    img.PutWord(l.phoff_at(), kMax64);
    Outcome o = Examine(img.bytes());
    ASSERT_EQ(o.phdrs, 0);
    EXPECT_EQ(o.ph.count, 0);
    EXPECT_EQ(o.ph.size, 0u);
    EXPECT_EQ(o.interp, 0);
  }
}

TEST(ElfInterp, FirstInterpWins) {
  for (Layout l : kLayouts) {
    SCOPED_TRACE(Name(l));
    const std::string first("/first\0", 7), second("/second/ld.so\0", 14);
    const uint64_t at = Image::Tail(l, 3);
    Image img(l,
              {{kPtLoad, 0, 1},
               {kPtInterp, at, first.size()},
               {kPtInterp, at + first.size(), second.size()}},
              first + second);
    Outcome o = Examine(img.bytes());
    ASSERT_EQ(o.interp, 1);
    EXPECT_EQ(o.path, first);
    // The loader takes the first even when it is broken and a later one is
    // fine: so must digsig.ko, or it would check a file the loader ignores.
    Image bad(l, {{kPtInterp, at, 1}, {kPtInterp, at, second.size()}, {kPtLoad, 0, 1}}, second);
    EXPECT_EQ(Examine(bad.bytes()).interp, -EBADMSG);
  }
}

TEST(ElfInterp, InterpAsTheLastEntry) {
  for (Layout l : kLayouts) {
    SCOPED_TRACE(Name(l));
    std::vector<Phdr> phdrs(40, Phdr{kPtLoad, 0, 1});
    phdrs.back() = {kPtInterp, Image::Tail(l, 40), kLdSo.size()};
    Image img(l, phdrs, kLdSo);
    Outcome o = Examine(img.bytes());
    ASSERT_EQ(o.interp, 1);
    EXPECT_EQ(o.path, kLdSo);
    EXPECT_EQ(o.offset + o.size, img.bytes().size());  // ends exactly at EOF
  }
}

TEST(ElfInterp, NotElf) {
  struct digsig_elf_phdrs ph;
  const uint8_t not_elf[64] = {0x7f, 'E', 'L', 'G', 2, 1, 1};
  EXPECT_EQ(digsig_elf_phdrs(not_elf, sizeof(not_elf), sizeof(not_elf), &ph), -ENOEXEC);
  const uint8_t script[64] = {'#', '!', '/', 'b', 'i', 'n'};
  EXPECT_EQ(digsig_elf_phdrs(script, sizeof(script), sizeof(script), &ph), -ENOEXEC);
  const uint8_t magic[4] = {0x7f, 'E', 'L', 'F'};
  EXPECT_EQ(digsig_elf_phdrs(magic, 3, 3, &ph), -ENOEXEC);
  EXPECT_EQ(digsig_elf_phdrs(magic, 4, 3, &ph), -ENOEXEC);  // file shorter than the buffer
  EXPECT_EQ(digsig_elf_phdrs(magic, 0, 0, &ph), -ENOEXEC);
  EXPECT_EQ(digsig_elf_phdrs(magic, 4, 4, &ph), -EBADMSG);  // ELF, but only the magic
}

TEST(ElfInterp, TruncatedHeader) {
  for (Layout l : kLayouts) {
    SCOPED_TRACE(Name(l));
    Image img = WithInterp(l, kLdSo);
    const Bytes full = img.bytes();
    // The whole header must be in the file and in the caller's buffer.
    for (size_t n : {size_t{4}, size_t{5}, size_t{16}, size_t{51}, l.ehdr() - 1}) {
      SCOPED_TRACE(n);
      Bytes cut(full.begin(), full.begin() + static_cast<ptrdiff_t>(n));
      EXPECT_EQ(Examine(cut).phdrs, -EBADMSG);
      std::vector<uint8_t> head(full.begin(), full.begin() + static_cast<ptrdiff_t>(n));
      struct digsig_elf_phdrs ph;
      EXPECT_EQ(digsig_elf_phdrs(head.data(), head.size(), full.size(), &ph), -EBADMSG);
    }
    // Exactly the header: the table is outside the file.
    Bytes header_only(full.begin(), full.begin() + static_cast<ptrdiff_t>(l.ehdr()));
    EXPECT_EQ(Examine(header_only).phdrs, -EBADMSG);
  }
}

TEST(ElfInterp, UnknownClassOrByteOrder) {
  for (uint8_t bad : {0, 3, 0xff}) {
    Image img = WithInterp({true, false}, kLdSo);
    img.bytes()[4] = bad;
    EXPECT_EQ(Examine(img.bytes()).phdrs, -EBADMSG) << "class " << int{bad};
    img = WithInterp({true, false}, kLdSo);
    img.bytes()[5] = bad;
    EXPECT_EQ(Examine(img.bytes()).phdrs, -EBADMSG) << "data " << int{bad};
  }
}

TEST(ElfInterp, WrongEntrySize) {
  for (Layout l : kLayouts) {
    SCOPED_TRACE(Name(l));
    for (uint16_t size : {0, 1, 31, 32, 40, 55, 56, 57, 64, 0xffff}) {
      if (size == l.phentsize()) continue;
      Image img = WithInterp(l, kLdSo);
      img.Put16(l.phentsize_at(), size);
      EXPECT_EQ(Examine(img.bytes()).phdrs, -EBADMSG) << "e_phentsize " << size;
    }
  }
}

TEST(ElfInterp, TablePastEndOfFile) {
  for (Layout l : kLayouts) {
    SCOPED_TRACE(Name(l));
    Image img = WithInterp(l, kLdSo);
    const uint64_t size = img.bytes().size(), table = 3 * l.phentsize();
    // Ends exactly at the end of the file: fine (no PT_INTERP in the zeros).
    Image moved = img;
    moved.bytes().resize(size + table, 0);
    moved.PutWord(l.phoff_at(), size);
    Outcome o = Examine(moved.bytes());
    EXPECT_EQ(o.phdrs, 0);
    EXPECT_EQ(o.interp, 0);
    // One byte more.
    moved.PutWord(l.phoff_at(), size + 1);
    EXPECT_EQ(Examine(moved.bytes()).phdrs, -EBADMSG);
    // Far beyond; and offsets where offset + size wraps around.
    const uint64_t max = l.is64 ? kMax64 : 0xffffffffu;
    for (uint64_t off : {size, size + table, max, max - table + 1, max - 1, uint64_t{1} << 63}) {
      if (!l.is64 && off > max) continue;
      Image far = img;
      far.PutWord(l.phoff_at(), off);
      EXPECT_EQ(Examine(far.bytes()).phdrs, -EBADMSG) << "e_phoff " << off;
    }
    // One entry too many for the file.
    Image more = img;
    more.Put16(l.phnum_at(), static_cast<uint16_t>((size - l.ehdr()) / l.phentsize() + 1));
    EXPECT_EQ(Examine(more.bytes()).phdrs, -EBADMSG);
  }
}

TEST(ElfInterp, TableOver64KiB) {
  for (Layout l : kLayouts) {
    SCOPED_TRACE(Name(l));
    // The largest table the loader takes, then one entry more, in a file
    // large enough for either: only the limit can refuse the second.
    const uint16_t most = static_cast<uint16_t>(DIGSIG_ELF_MAX_PHDRS_SIZE / l.phentsize());
    Image img(l, std::vector<Phdr>(most, Phdr{kPtLoad, 0, 1}), std::string(70000, '\0'));
    Outcome o = Examine(img.bytes());
    ASSERT_EQ(o.phdrs, 0);
    EXPECT_EQ(o.ph.size, most * l.phentsize());
    EXPECT_LE(o.ph.size, DIGSIG_ELF_MAX_PHDRS_SIZE);
    EXPECT_EQ(o.interp, 0);
    for (uint16_t n : {static_cast<uint16_t>(most + 1), uint16_t{0xffff}}) {
      img.Put16(l.phnum_at(), n);
      EXPECT_EQ(Examine(img.bytes()).phdrs, -EBADMSG) << "e_phnum " << n;
    }
  }
}

TEST(ElfInterp, InterpPastEndOfFile) {
  for (Layout l : kLayouts) {
    SCOPED_TRACE(Name(l));
    const uint64_t at = Image::Tail(l, 3);
    const uint64_t max = l.is64 ? kMax64 : 0xffffffffu;
    struct Case {
      uint64_t offset, filesz;
      bool ok;
    };
    // The file is the table and then exactly kLdSo.
    const uint64_t size = at + kLdSo.size();
    const Case cases[] = {
        {at, kLdSo.size(), true},        // ends at EOF
        {at + 1, kLdSo.size(), false},   // one byte past
        {at, kLdSo.size() + 1, false},   // one byte longer
        {size - 2, 2, true},             // the last two bytes
        {size - 1, 2, false},            //
        {size, 2, false},                // starts at EOF
        {max, 2, false},                 // offset 2^64-1 (2^32-1 in ELF32)
        {max - 1, 4, false},             // offset + size wraps to 2
        {max - 2, 2, false},             //
        {uint64_t{1} << 63, 16, false},  // ELF32: 0 after truncation, but is64 only
    };
    for (const Case& c : cases) {
      if (!l.is64 && c.offset == uint64_t{1} << 63) continue;
      SCOPED_TRACE(::testing::Message() << "p_offset " << c.offset << " p_filesz " << c.filesz);
      Image img(l, {{kPtLoad, 0, 1}, {kPtInterp, c.offset, c.filesz}, {kPtNote, 0, 0}}, kLdSo);
      ASSERT_EQ(img.bytes().size(), size);
      Outcome o = Examine(img.bytes());
      ASSERT_EQ(o.phdrs, 0);
      if (c.ok) {
        EXPECT_EQ(o.interp, 1);
        EXPECT_LE(o.offset + o.size, size);
      } else {
        EXPECT_EQ(o.interp, -EBADMSG);
      }
    }
  }
}

TEST(ElfInterp, InterpSizeLimits) {
  for (Layout l : kLayouts) {
    SCOPED_TRACE(Name(l));
    const uint64_t at = Image::Tail(l, 3);
    const std::string big(8192, '/');
    const uint64_t max = l.is64 ? kMax64 : 0xffffffffu;
    for (uint64_t filesz : {uint64_t{0}, uint64_t{1}, uint64_t{2}, uint64_t{4096}, uint64_t{4097},
                            uint64_t{8192}, uint64_t{0x100000002}, uint64_t{0x100001000}, max}) {
      if (!l.is64 && filesz > max) continue;
      SCOPED_TRACE(::testing::Message() << "p_filesz " << filesz);
      Image img(l, {{kPtLoad, 0, 1}, {kPtInterp, at, filesz}, {kPtNote, 0, 0}}, big);
      Outcome o = Examine(img.bytes());
      ASSERT_EQ(o.phdrs, 0);
      // 2^32 + 2 and 2^32 + 4096 would pass if truncated to 32 bits first.
      const bool ok = filesz >= 2 && filesz <= DIGSIG_ELF_MAX_INTERP;
      EXPECT_EQ(o.interp, ok ? 1 : -EBADMSG);
      if (ok) {
        EXPECT_EQ(o.size, filesz);
      }
    }
  }
}

TEST(ElfInterp, PathMustBeTerminatedAndNotEmpty) {
  EXPECT_TRUE(PathOk(std::string("/lib/ld.so\0", 11)));
  EXPECT_TRUE(PathOk(std::string("x\0", 2)));
  EXPECT_FALSE(PathOk("/lib/ld.so"));               // no NUL
  EXPECT_FALSE(PathOk(std::string("/lib\0x", 6)));  // NUL, but not last
  EXPECT_FALSE(PathOk(std::string("\0\0", 2)));     // empty path
  EXPECT_FALSE(PathOk(std::string("\0/lib/ld.so\0", 12)));
  EXPECT_FALSE(PathOk(std::string("\0", 1)));  // shorter than the loader's 2
  EXPECT_FALSE(PathOk(""));
  // Through the finder: the segment is found, the path check refuses it.
  for (Layout l : kLayouts) {
    SCOPED_TRACE(Name(l));
    Outcome o = Examine(WithInterp(l, "/lib/ld.so").bytes());
    ASSERT_EQ(o.interp, 1);
    EXPECT_FALSE(PathOk(o.path));
    o = Examine(WithInterp(l, std::string("\0\0\0\0", 4)).bytes());
    ASSERT_EQ(o.interp, 1);
    EXPECT_FALSE(PathOk(o.path));
  }
}

TEST(ElfInterp, TableLengthMustMatch) {
  Image img = WithInterp({true, false}, kLdSo);
  Outcome o = Examine(img.bytes());
  ASSERT_EQ(o.phdrs, 0);
  const uint8_t* table = img.bytes().data() + o.ph.offset;
  uint64_t off = 0;
  uint32_t size = 0;
  EXPECT_EQ(digsig_elf_find_interp(table, o.ph.size - 1, &o.ph, img.bytes().size(), &off, &size),
            -EBADMSG);
  EXPECT_EQ(digsig_elf_find_interp(table, o.ph.size + 1, &o.ph, img.bytes().size(), &off, &size),
            -EBADMSG);
  EXPECT_EQ(digsig_elf_find_interp(table, o.ph.size, &o.ph, img.bytes().size(), &off, &size), 1);
}

// The real thing: what the host's dynamic loader is asked for.
Bytes ReadFile(const std::string& path) {
  auto b = ReadWholeFile(path, 1 << 30);
  return b ? *b : Bytes();
}

#if defined(__x86_64__)
TEST(ElfInterp, HostExecutables) {
  for (const char* path : {"/bin/ls", "/usr/bin/env", "/bin/sh"}) {
    SCOPED_TRACE(path);
    const Bytes file = ReadFile(path);
    if (file.empty()) continue;  // not on this host
    Outcome o = Examine(file);
    ASSERT_EQ(o.phdrs, 0);
    EXPECT_TRUE(o.ph.is64);
    EXPECT_FALSE(o.ph.big_endian);
    ASSERT_EQ(o.interp, 1);
    EXPECT_TRUE(PathOk(o.path));
    EXPECT_EQ(o.path, std::string("/lib64/ld-linux-x86-64.so.2\0", 28));
  }
}
#endif

// This test binary itself, against what the loader that started it saw:
// the PT_INTERP in its mapped program headers (dl_iterate_phdr).
TEST(ElfInterp, ThisExecutableMatchesTheLoader) {
  std::string mapped;
  dl_iterate_phdr(
      [](dl_phdr_info* info, size_t, void* out) {
        for (int i = 0; i < info->dlpi_phnum; ++i)
          if (info->dlpi_phdr[i].p_type == PT_INTERP) {
            *static_cast<std::string*>(out) =
                reinterpret_cast<const char*>(info->dlpi_addr + info->dlpi_phdr[i].p_vaddr);
            break;
          }
        return 1;  // the first object is the executable
      },
      &mapped);
  if (mapped.empty()) GTEST_SKIP() << "statically linked test binary";
  const Bytes file = ReadFile("/proc/self/exe");
  ASSERT_FALSE(file.empty());
  Outcome o = Examine(file);
  ASSERT_EQ(o.interp, 1);
  ASSERT_TRUE(PathOk(o.path));
  EXPECT_EQ(o.path, mapped + '\0');
#if defined(__x86_64__)
  EXPECT_EQ(mapped, "/lib64/ld-linux-x86-64.so.2");
#endif
}

}  // namespace
}  // namespace digsig
