#include "signer/tests/test_elf.h"

#include <cstdlib>
#include <map>
#include <mutex>

#include "signer/lib/byte_order.h"
#include "signer/lib/keygen.h"

namespace digsig::testing {
namespace {

class Writer {
 public:
  Writer(Bytes& out, bool is64, bool be) : out_(out), is64_(is64), be_(be) {}
  void U8(uint8_t v) { out_.push_back(v); }
  void U16(uint16_t v) { Put<uint16_t>(v); }
  void U32(uint32_t v) { Put<uint32_t>(v); }
  void Word(uint64_t v) {
    if (is64_)
      Put<uint64_t>(v);
    else
      Put<uint32_t>(static_cast<uint32_t>(v));
  }

 private:
  template <typename T>
  void Put(T v) {
    size_t at = out_.size();
    out_.resize(at + sizeof(T));
    StoreInt<T>(out_.data() + at, v, be_);
  }
  Bytes& out_;
  bool is64_, be_;
};

}  // namespace

Bytes MakeElf(const ElfSpec& s) {
  const size_t ehdr = s.is64 ? 64 : 52, phdr = s.is64 ? 56 : 32, shdr = s.is64 ? 64 : 40;
  // Layout: header, one PT_LOAD program header, section data, names, table.
  std::string names("\0.shstrtab\0", 11);
  std::vector<uint32_t> name_offsets;
  for (size_t i = 0; i < s.extra_sections; ++i) {
    name_offsets.push_back(static_cast<uint32_t>(names.size()));
    names +=
        i == 0 && !s.first_section_name.empty() ? s.first_section_name : ".sec" + std::to_string(i);
    names.push_back('\0');
  }
  const size_t data_off = ehdr + phdr;
  const size_t per_section = s.payload_bytes;
  const size_t names_off = data_off + per_section * s.extra_sections;
  const size_t sht_off = (names_off + names.size() + 7) / 8 * 8;
  const size_t nsec = s.extra_sections + 2;

  Bytes out;
  Writer w(out, s.is64, s.big_endian);
  const uint8_t ident[16] = {0x7f,
                             'E',
                             'L',
                             'F',
                             static_cast<uint8_t>(s.is64 ? 2 : 1),
                             static_cast<uint8_t>(s.big_endian ? 2 : 1),
                             1};
  out.insert(out.end(), ident, ident + 16);
  w.U16(s.type);
  w.U16(s.machine);
  w.U32(1);
  w.Word(0x400000 + data_off);            // e_entry
  w.Word(ehdr);                           // e_phoff
  w.Word(s.section_table ? sht_off : 0);  // e_shoff
  w.U32(0);                               // e_flags
  w.U16(static_cast<uint16_t>(ehdr));
  w.U16(static_cast<uint16_t>(phdr));
  w.U16(1);
  w.U16(static_cast<uint16_t>(s.section_table ? shdr : 0));
  w.U16(static_cast<uint16_t>(s.section_table ? nsec : 0));
  w.U16(static_cast<uint16_t>(s.section_table ? 1 : 0));
  // PT_LOAD covering the whole image.
  const uint64_t image = names_off;
  w.U32(1);
  if (s.is64) {
    w.U32(5);  // p_flags R+X
    w.Word(0);
    w.Word(0x400000);
    w.Word(0x400000);
    w.Word(image);
    w.Word(image);
    w.Word(0x1000);
  } else {
    w.Word(0);
    w.Word(0x400000);
    w.Word(0x400000);
    w.Word(image);
    w.Word(image);
    w.U32(5);
    w.Word(0x1000);
  }
  for (size_t i = 0; i < per_section * s.extra_sections; ++i)
    out.push_back(static_cast<uint8_t>(i * 31 + 7));
  out.insert(out.end(), names.begin(), names.end());
  if (!s.section_table) return out;
  out.resize(sht_off, 0);
  auto section = [&](uint32_t name, uint32_t type, uint64_t flags, uint64_t off, uint64_t size) {
    w.U32(name);
    w.U32(type);
    w.Word(flags);
    w.Word(flags ? 0x400000 + off : 0);
    w.Word(off);
    w.Word(size);
    w.U32(0);
    w.U32(0);
    w.Word(1);
    w.Word(0);
  };
  section(0, 0, 0, 0, 0);
  section(1, 3, 0, names_off, names.size());  // .shstrtab
  for (size_t i = 0; i < s.extra_sections; ++i)
    section(name_offsets[i], 1, 6, data_off + i * per_section, per_section);
  return out;
}

std::string TestKeyDir(const std::string& algorithm) {
  static std::mutex mu;
  static std::map<std::string, std::string> dirs;
  std::lock_guard<std::mutex> lock(mu);
  auto it = dirs.find(algorithm);
  if (it != dirs.end()) return it->second;
  const char* tmp = std::getenv("TEST_TMPDIR");
  std::string dir = std::string(tmp ? tmp : "/tmp") + "/key-" + algorithm;
  KeygenOptions o;
  o.out_dir = dir;
  o.algorithm = algorithm;
  o.subject = "CN=digsig test " + algorithm;
  o.overwrite = true;
  auto r = GenerateKeyPair(o);
  if (!r) std::abort();
  dirs[algorithm] = dir;
  return dir;
}

}  // namespace digsig::testing
