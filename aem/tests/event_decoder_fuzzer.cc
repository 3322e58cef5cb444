// libFuzzer target for the decoder of aem.ko's records (aem/runtime/events.cc),
// which reads bytes a kernel module (or a replayed file) wrote. Beyond "no
// crash, no out-of-bounds read" (ASan), it asserts:
//   - the bytes consumed are a multiple of 8 within the input, and what is
//     left is a partial record (shorter than a header, or than its size);
//   - a failure is ErrorCode::kMalformed;
//   - every string of an event is bounded by its field;
//   - an event's canonical encoding decodes to the same event, and
//     DecodeEvent on each record alone agrees with DecodeEvents.
// Half the mutations are structure-aware (LLVMFuzzerCustomMutator below).
// Run by event_decoder_fuzzer_test over corpus/event_decoder_fuzzer/ plus
// deterministic mutations (base/fuzz_replay_main.cc, the driver of every
// fuzz target); with libFuzzer as docs/aem.md says.
#include <algorithm>
#include <cstdint>
#include <cstring>
#include <random>
#include <vector>

#include "aem/runtime/events.h"
#include "aem/tests/event_builder.h"
#include "base/fuzz_check.h"

namespace {

void CheckBounded(const aem::ProcessInfo& p) { FUZZ_CHECK(p.comm.size() <= AEM_COMM_LEN); }

void CheckEvent(const aem::Event& ev, size_t record_size) {
  if (const auto* e = ev.get<aem::ForkEvent>()) {
    CheckBounded(e->parent);
    CheckBounded(e->child);
  } else if (const auto* e = ev.get<aem::ExecEvent>()) {
    CheckBounded(e->process);
    FUZZ_CHECK(e->path.size() < record_size - sizeof(aem_exec_event));
  } else if (const auto* e = ev.get<aem::ExitEvent>()) {
    CheckBounded(e->process);
  } else if (const auto* e = ev.get<aem::VerdictEvent>()) {
    CheckBounded(e->process);
    FUZZ_CHECK(e->path.size() < record_size - sizeof(aem_verdict_event));
  } else if (const auto* e = ev.get<aem::UserEvent>()) {
    CheckBounded(e->sender);
    FUZZ_CHECK(e->channel.size() <= AEM_CHANNEL_LEN);
    FUZZ_CHECK(e->data.size() <= AEM_USER_DATA_MAX);
  } else if (const auto* e = ev.get<aem::UnknownEvent>()) {
    FUZZ_CHECK(ev.type >= AEM_EVENT_TYPES);
    FUZZ_CHECK(e->payload.size() == record_size - sizeof(aem_event_header));
  }
  const std::vector<uint8_t> canonical = aem::testing::Encode(ev);
  FUZZ_CHECK(canonical.size() % 8 == 0 && canonical.size() <= record_size);
  auto again = aem::DecodeEvent({canonical.data(), canonical.size()});
  FUZZ_CHECK(again.ok());
  FUZZ_CHECK(*again == ev);
}

}  // namespace

extern "C" size_t LLVMFuzzerMutate(uint8_t* data, size_t size, size_t max_size);

// Records start 8-aligned with a u16 size and a u16 type, and carry u16/u32
// lengths: a third of the mutations puts an interesting value where such a
// field could sit, a third repeats a run of records (overlapping ones
// included), the rest are libFuzzer's byte-level ones.
extern "C" size_t LLVMFuzzerCustomMutator(uint8_t* data, size_t size, size_t max_size,
                                          unsigned int seed) {
  std::minstd_rand rng(seed);
  auto below = [&rng](size_t n) { return n == 0 ? 0 : static_cast<size_t>(rng()) % n; };
  switch (below(3)) {
    case 0: {
      static const uint32_t kValues[] = {
          0,  1,   7,   8,    16,   23, 24, 32, 63,     64,     65,     72,      88,
          96, 255, 256, 1024, 1025, 5,  6,  42, 0x7fff, 0xfff8, 0xffff, 0x10000, 0xffffffff};
      const uint32_t v = kValues[below(sizeof(kValues) / sizeof(kValues[0]))];
      const size_t width = below(2) ? 2 : 4;
      if (size < width) break;
      const size_t field = size < 8 ? 0 : below(size / 8) * 8 + below(8);
      std::memcpy(data + std::min(field, size - width), &v, width);
      return size;
    }
    case 1: {
      if (size == 0) break;
      const size_t from = below(size);
      const size_t n = std::min(1 + below(std::min<size_t>(size - from, 128)), max_size - size);
      const size_t to = below(size / 8 + 1) * 8;
      std::memmove(data + to + n, data + to, size - to);
      std::memmove(data + to, data + (from >= to ? from + n : from), n);
      return size + n;
    }
    default: break;
  }
  return LLVMFuzzerMutate(data, size, max_size);
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::vector<aem::Event> out;
  auto used = aem::DecodeEvents({data, size}, &out);
  if (!used.ok()) {
    FUZZ_CHECK(used.error().code() == aem::ErrorCode::kMalformed);
    return 0;
  }
  FUZZ_CHECK(*used <= size && *used % 8 == 0);
  const size_t rest = size - *used;
  if (rest >= sizeof(aem_event_header)) {
    uint16_t record_size;
    std::memcpy(&record_size, data + *used, sizeof(record_size));
    FUZZ_CHECK(record_size > rest);
  }
  size_t off = 0;
  for (const aem::Event& ev : out) {
    uint16_t record_size;
    std::memcpy(&record_size, data + off, sizeof(record_size));
    FUZZ_CHECK(off + record_size <= *used);
    auto alone = aem::DecodeEvent({data + off, record_size});
    FUZZ_CHECK(alone.ok() && *alone == ev);
    CheckEvent(ev, record_size);
    off += record_size;
  }
  FUZZ_CHECK(off == *used);
  return 0;
}
