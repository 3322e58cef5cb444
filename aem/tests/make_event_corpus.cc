// Writes the seed corpus of event_decoder_fuzzer into the directory given:
//   bazel run //aem/tests:make_event_corpus -- $PWD/aem/tests/corpus/event_decoder_fuzzer
// One file per record type, a batch of every type, a stream ending in a
// partial record, long and truncated paths, a full user payload, an unknown
// type. Reproducers found later are added by hand as crash-*.
#include <cstdio>
#include <fstream>
#include <string>
#include <vector>

#include "aem/tests/event_builder.h"

using aem::testing::Encode;
using aem::testing::EncodeAll;
using aem::testing::Proc;

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: make_event_corpus DIR\n");
    return 2;
  }
  const std::string dir = argv[1];
  auto write = [&](const std::string& name, const std::vector<uint8_t>& bytes) {
    std::ofstream out(dir + "/" + name, std::ios::binary);
    out.write(reinterpret_cast<const char*>(bytes.data()),
              static_cast<std::streamsize>(bytes.size()));
  };
  const auto sh = Proc(200, "sh", 1000, 1);
  std::vector<aem::Event> all = {
      aem::testing::Lost(1, 3),
      aem::testing::Fork(2, Proc(1, "init"), sh),
      aem::testing::Exec(3, sh, "/usr/bin/env"),
      aem::testing::Exit(4, sh, 9),
      aem::testing::Verdict(5, Proc(201, "x", 1000, 200), AEM_VERDICT_ALTERED, true, "/tmp/x"),
      aem::testing::User(6, sh, "alarms", "disk full"),
  };
  const char* names[] = {"lost", "fork", "exec", "exit", "verdict", "user"};
  for (size_t i = 0; i < all.size(); ++i) write(std::string("seed-") + names[i], Encode(all[i]));
  write("seed-batch", EncodeAll(all));
  auto partial = EncodeAll(all);
  partial.resize(partial.size() - 13);
  write("seed-partial-tail", partial);
  auto long_exec = aem::testing::Exec(7, sh, std::string(255, 'p'));
  long_exec.flags = AEM_FLAG_TRUNCATED;
  write("seed-long-path", Encode(long_exec));
  write("seed-user-max", Encode(aem::testing::User(8, sh, std::string(31, 'c'),
                                                   std::string(AEM_USER_DATA_MAX, '\xab'))));
  aem::Event unknown;
  unknown.type = 9;
  unknown.body = aem::UnknownEvent{std::string(40, 'u')};
  write("seed-unknown-type", Encode(unknown));
  auto interp = aem::testing::Verdict(10, sh, AEM_VERDICT_UNKNOWN_SIGNER, false,
                                      "/lib64/ld-linux-x86-64.so.2");
  std::get<aem::VerdictEvent>(interp.body).interp = true;
  write("seed-interp-verdict", Encode(interp));
  return 0;
}
