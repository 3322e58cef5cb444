// Runs a test suite on both backends: TEST_P(Suite, Name) with
// AEM_INSTANTIATE_ON_BACKENDS(Suite); `loop()` is a fresh loop on the
// backend of the test (the io_uring case is skipped where io_uring cannot be
// set up, which the test output says).
#pragma once

#include <gtest/gtest.h>

#include <memory>

#include "aem/runtime/loop.h"

namespace aem::testing {

class BackendTest : public ::testing::TestWithParam<BackendKind> {
 protected:
  void SetUp() override {
    LoopOptions options;
    options.backend = GetParam();
    auto loop = Loop::Create(options);
    if (!loop.ok()) {
      if (GetParam() == BackendKind::kUring && loop.error().code() == ErrorCode::kUnsupported)
        GTEST_SKIP() << "io_uring is unavailable here: " << loop.error().message();
      FAIL() << loop.error().ToString();
    }
    loop_ = std::move(*loop);
    ASSERT_EQ(loop_->backend(), GetParam());
  }
  Loop& loop() { return *loop_; }

  std::unique_ptr<Loop> loop_;
};

inline std::string BackendParamName(const ::testing::TestParamInfo<BackendKind>& info) {
  return info.param == BackendKind::kUring ? "uring" : "epoll";
}

}  // namespace aem::testing

#define AEM_INSTANTIATE_ON_BACKENDS(Suite)                                                        \
  INSTANTIATE_TEST_SUITE_P(Backends, Suite,                                                       \
                           ::testing::Values(aem::BackendKind::kUring, aem::BackendKind::kEpoll), \
                           aem::testing::BackendParamName)
