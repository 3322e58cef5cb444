#include "signer/tools/batch.h"

namespace digsig::cli {

BatchReport ReportOutcomes(const std::vector<Input>& inputs, const std::vector<Outcome>& outcomes,
                           const std::function<void(JsonObject&, size_t)>& on_done) {
  BatchReport report;
  std::vector<std::string> items;
  for (size_t i = 0; i < inputs.size(); ++i) {
    const Outcome& o = outcomes[i];
    JsonObject j;
    j.AddPath("file", inputs[i].path);
    switch (o.state) {
      case Outcome::kDone:
        ++report.done;
        on_done(j, i);
        break;
      case Outcome::kSkipped:
        ++report.skipped;
        j.Add("status", "skipped").Add("reason", o.detail);
        break;
      case Outcome::kFailed:
        ++report.failed;
        j.Add("status", "failed")
            .Add("reason", ErrorCodeName(o.error->code()))
            .Add("message", o.error->message());
        PrintFileError(inputs[i].path, *o.error);
        break;
    }
    items.push_back(j.str());
  }
  report.json = JsonArray(items);
  return report;
}

}  // namespace digsig::cli
