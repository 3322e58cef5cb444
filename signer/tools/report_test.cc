#include "signer/tools/report.h"

#include <gtest/gtest.h>

#include "signer/tools/batch.h"

namespace digsig::cli {
namespace {

TEST(JsonObject, FieldsInOrder) {
  JsonObject j;
  j.Add("file", "a \"b\"").Add("size", uint64_t{42}).Add("ok", true).AddRaw("list", "[1]");
  EXPECT_EQ(j.str(), R"({"file":"a \"b\"","size":42,"ok":true,"list":[1]})");
  EXPECT_EQ(j.Text(), "file: a \\\"b\\\"\nsize: 42\nok: true\nlist: [1]\n");
  EXPECT_EQ(JsonArray({}), "[]");
  EXPECT_EQ(JsonArray({"1", "{}"}), "[1,{}]");
}

TEST(JsonObject, PathsThatAreNotUtf8CarryTheirBytes) {
  JsonObject text;
  text.AddPath("file", "caf\xc3\xa9");
  EXPECT_EQ(text.str(), "{\"file\":\"caf\xc3\xa9\"}");
  JsonObject overlong;
  overlong.AddPath("file", "a\xc0\x80");
  EXPECT_EQ(overlong.str(), R"({"file":"a\u00c0\u0080","file_hex":"61c080"})");
  JsonObject surrogate;
  surrogate.AddPath("output", "\xed\xa0\x80");
  EXPECT_EQ(surrogate.str(), R"({"output":"\u00ed\u00a0\u0080","output_hex":"eda080"})");
}

TEST(FileErrorLine, PathReasonDetail) {
  EXPECT_EQ(
      FileErrorLine("bin/x", Error(ErrorCode::kTooLarge, "signed ELF32 file would exceed 4 GiB")),
      "digsig: bin/x: too-large: signed ELF32 file would exceed 4 GiB");
  EXPECT_EQ(FileErrorLine("c.pem", Error(ErrorCode::kUnsuitableCertificate, "no SKID")),
            "digsig: c.pem: unsuitable-certificate: no SKID");
}

TEST(ReportOutcomes, CountsAndDescribesEveryInput) {
  const std::vector<Input> inputs = {
      {"t/a", "a", false}, {"t/fifo", "fifo", true}, {"t/b", "b", false}};
  std::vector<Outcome> outcomes(3);
  outcomes[0].state = Outcome::kDone;
  outcomes[1].state = Outcome::kSkipped;
  outcomes[1].detail = "not a regular file";
  outcomes[2].error = Error(ErrorCode::kUnsigned, "no digsig signature");
  std::vector<size_t> done;
  testing::internal::CaptureStderr();
  BatchReport r = ReportOutcomes(inputs, outcomes, [&](JsonObject& j, size_t i) {
    done.push_back(i);
    j.Add("status", "ok");
  });
  const std::string err = testing::internal::GetCapturedStderr();
  EXPECT_EQ(r.done, 1u);
  EXPECT_EQ(r.skipped, 1u);
  EXPECT_EQ(r.failed, 1u);
  EXPECT_EQ(done, std::vector<size_t>{0});
  EXPECT_EQ(err, "digsig: t/b: unsigned: no digsig signature\n");
  EXPECT_EQ(
      r.json,
      R"([{"file":"t/a","status":"ok"},)"
      R"({"file":"t/fifo","status":"skipped","reason":"not a regular file"},)"
      R"({"file":"t/b","status":"failed","reason":"unsigned","message":"no digsig signature"}])");
}

}  // namespace
}  // namespace digsig::cli
