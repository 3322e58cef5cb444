// Fuzz target: the PT_INTERP finder shared with the kernel module
// (signer/format/digsig_elf.c). The input is a whole file. Each call gets a
// heap buffer of exactly the bytes it may read, as digsig.ko gives it (the
// header, then the table read on its own), so ASan reports any read past
// them. Besides never crashing, every accepted table and interpreter must
// lie inside the file within the loader's limits, and the answers must equal
// those of an independent model of fs/binfmt_elf.c written below.
#include <cerrno>
#include <cstdint>
#include <cstring>
#include <memory>

#include "signer/format/digsig_elf.h"
#include "base/fuzz_check.h"

namespace {

// A copy of [data, data + n) in an allocation of exactly n bytes.
std::unique_ptr<uint8_t[]> Exact(const uint8_t* data, size_t n) {
  std::unique_ptr<uint8_t[]> p(new uint8_t[n]);
  if (n != 0) std::memcpy(p.get(), data, n);
  return p;
}

uint64_t Load(const uint8_t* p, size_t width, bool be) {
  uint64_t v = 0;
  for (size_t i = 0; i < width; ++i)
    v |= uint64_t{p[be ? i : width - 1 - i]} << (8 * (width - 1 - i));
  return v;
}

// The model: what the loader concludes from a whole file in memory. (The
// 6.1 loader also refuses a table larger than a page and one of no entries;
// digsig.ko need not, as the exec fails anyway.)
struct Model {
  int phdrs;  // 0, -ENOEXEC, -EBADMSG
  bool is64 = false, be = false;
  uint64_t phoff = 0;
  uint32_t count = 0, entsize = 0;
  int interp = 0;  // 1 found, 0 none, -EBADMSG
  uint64_t offset = 0, size = 0;
};

Model ModelOf(const uint8_t* f, uint64_t n) {
  Model m;
  if (n < 4 || std::memcmp(f, "\177ELF", 4) != 0) {
    m.phdrs = -ENOEXEC;
    return m;
  }
  m.phdrs = -EBADMSG;
  if (n < 52 || (f[5] != 1 && f[5] != 2) || (f[4] != 1 && f[4] != 2)) return m;
  m.is64 = f[4] == 2;
  m.be = f[5] == 2;
  if (m.is64 && n < 64) return m;
  const size_t word = m.is64 ? 8 : 4;
  m.phoff = Load(f + (m.is64 ? 32 : 28), word, m.be);
  const uint32_t phentsize = static_cast<uint32_t>(Load(f + (m.is64 ? 54 : 42), 2, m.be));
  m.count = static_cast<uint32_t>(Load(f + (m.is64 ? 56 : 44), 2, m.be));
  m.entsize = m.is64 ? 56 : 32;
  if (m.count == 0) {
    m.phdrs = 0;
    return m;
  }
  const uint64_t table = uint64_t{m.count} * m.entsize;
  uint64_t table_end;
  if (phentsize != m.entsize || table > DIGSIG_ELF_MAX_PHDRS_SIZE ||
      __builtin_add_overflow(m.phoff, table, &table_end) || table_end > n)
    return m;
  m.phdrs = 0;
  for (uint32_t i = 0; i < m.count; ++i) {
    const uint8_t* e = f + m.phoff + uint64_t{i} * m.entsize;
    if (Load(e, 4, m.be) != 3) continue;
    m.offset = Load(e + (m.is64 ? 8 : 4), word, m.be);
    m.size = Load(e + (m.is64 ? 32 : 16), word, m.be);
    uint64_t end;
    const bool ok = m.size >= 2 && m.size <= DIGSIG_ELF_MAX_INTERP &&
                    !__builtin_add_overflow(m.offset, m.size, &end) && end <= n;
    m.interp = ok ? 1 : -EBADMSG;
    break;
  }
  return m;
}

// The calls digsig.ko makes, checked against the model.
void Check(const uint8_t* data, size_t size) {
  const Model m = ModelOf(data, size);
  const size_t hlen = size < DIGSIG_ELF_HEADER_SIZE ? size : DIGSIG_ELF_HEADER_SIZE;
  auto header = Exact(data, hlen);
  struct digsig_elf_phdrs ph;
  std::memset(&ph, 0xA5, sizeof(ph));
  const int r = digsig_elf_phdrs(header.get(), hlen, size, &ph);
  FUZZ_CHECK(r == 0 || r == -ENOEXEC || r == -EBADMSG);
  FUZZ_CHECK(r == m.phdrs);
  if (digsig::fuzz::Verbose()) std::fprintf(stderr, "  elf_phdrs: %d\n", r);
  if (r != 0) return;
  FUZZ_CHECK(ph.is64 == m.is64 && ph.big_endian == m.be);
  FUZZ_CHECK(ph.entry_size == (ph.is64 ? 56 : 32));
  FUZZ_CHECK(ph.count == m.count);
  FUZZ_CHECK(ph.size == uint32_t{ph.count} * ph.entry_size);
  FUZZ_CHECK(ph.size <= DIGSIG_ELF_MAX_PHDRS_SIZE);
  if (ph.count == 0) return;
  FUZZ_CHECK(ph.offset == m.phoff);
  FUZZ_CHECK(ph.offset <= size && ph.size <= size - ph.offset);

  auto table = Exact(data + ph.offset, ph.size);
  uint64_t offset = 0xA5A5A5A5A5A5A5A5ull;
  uint32_t isize = 0xA5A5A5A5u;
  const int f = digsig_elf_find_interp(table.get(), ph.size, &ph, size, &offset, &isize);
  FUZZ_CHECK(f == 1 || f == 0 || f == -EBADMSG);
  FUZZ_CHECK(f == m.interp);
  if (digsig::fuzz::Verbose()) std::fprintf(stderr, "  elf_find_interp: %d\n", f);
  // A table of another length is refused before it is read.
  uint64_t o2;
  uint32_t s2;
  FUZZ_CHECK(digsig_elf_find_interp(table.get(), ph.size - 1, &ph, size, &o2, &s2) == -EBADMSG);
  if (f != 1) return;
  FUZZ_CHECK(offset == m.offset && isize == m.size);
  FUZZ_CHECK(isize >= 2 && isize <= DIGSIG_ELF_MAX_INTERP);
  FUZZ_CHECK(offset <= size && isize <= size - offset);

  auto path = Exact(data + offset, isize);
  const int ok = digsig_elf_interp_path_ok(path.get(), isize);
  FUZZ_CHECK(ok == (path[isize - 1] == '\0' && path[0] != '\0'));
  if (digsig::fuzz::Verbose()) std::fprintf(stderr, "  elf_interp_path_ok: %d\n", ok);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  // Tables are at most 64 KiB and paths 4 KiB; larger inputs add nothing.
  if (size > 256 * 1024) return 0;
  Check(data, size);

  // digsig.ko passes the kernel's 256-byte exec buffer, zero-padded past the
  // end of a short file, with the file's real size: the bytes beyond the
  // file must not matter.
  uint8_t buf[256] = {0};
  std::memcpy(buf, data, size < sizeof(buf) ? size : sizeof(buf));
  struct digsig_elf_phdrs a, b;
  auto exact = Exact(data, size < DIGSIG_ELF_HEADER_SIZE ? size : DIGSIG_ELF_HEADER_SIZE);
  const int ra = digsig_elf_phdrs(buf, sizeof(buf), size, &a);
  const int rb = digsig_elf_phdrs(
      exact.get(), size < DIGSIG_ELF_HEADER_SIZE ? size : DIGSIG_ELF_HEADER_SIZE, size, &b);
  FUZZ_CHECK(ra == rb);
  if (ra == 0)
    FUZZ_CHECK(a.offset == b.offset && a.size == b.size && a.count == b.count &&
               a.entry_size == b.entry_size && a.is64 == b.is64 && a.big_endian == b.big_endian);
  return 0;
}
