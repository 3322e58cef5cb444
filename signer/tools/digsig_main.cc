// digsig: signs ELF files and kernel modules, verifies and inspects them.
// The process around //signer/tools:cli (RunDigsig, dispatch.cc), which
// holds the commands (cmd_*.cc) over //signer/lib.
#include <malloc.h>

#include <string>
#include <vector>

#include "signer/tools/commands.h"

namespace {

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
  return digsig::cli::RunDigsig(std::vector<std::string>(argv + 1, argv + argc));
}
