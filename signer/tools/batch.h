// The outcome of a batch command (sign, sign-module, verify) over its
// inputs: counted, failures on stderr, and the --json array, in input order.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "signer/lib/result.h"
#include "signer/tools/inputs.h"
#include "signer/tools/report.h"

namespace digsig::cli {

// What happened to one input.
struct Outcome {
  enum State { kFailed, kDone, kSkipped };
  State state = kFailed;
  std::string detail;          // kSkipped: why ("not an ELF file")
  std::optional<Error> error;  // kFailed: why
};

struct BatchReport {
  size_t done = 0;
  size_t skipped = 0;
  size_t failed = 0;
  std::string json;  // [{"file":...,"status":"signed"|"ok"|"skipped"|"failed",...},...]
};

// Counts `outcomes` (one per input), prints "digsig: PATH: reason: detail"
// on stderr for each failure, and builds the JSON array: a skipped input's
// object has its "reason", a failed one's "reason" and "message", and
// `on_done(object, i)` adds a done input's "status" and fields (and may
// print its line for people).
BatchReport ReportOutcomes(const std::vector<Input>& inputs, const std::vector<Outcome>& outcomes,
                           const std::function<void(JsonObject&, size_t)>& on_done);

}  // namespace digsig::cli
