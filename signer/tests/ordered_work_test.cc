#include "signer/lib/ordered_work.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <thread>

namespace digsig {
namespace {

struct Job {
  int id = 0;
  int result = 0;
};

TEST(OrderedWork, ConsumesInSubmissionOrderWhateverFinishesFirst) {
  std::vector<int> consumed;
  {
    OrderedWork<Job> work(
        4, {8, 1 << 20},
        [](Job& j) {
          // Early jobs take longest, so they finish last.
          std::this_thread::sleep_for(std::chrono::microseconds((50 - j.id % 50) * 20));
          j.result = j.id * 2;
        },
        [&](Job& j) {
          consumed.push_back(j.result);
          return Status::Ok();
        });
    for (int i = 0; i < 200; ++i) {
      auto job = std::make_unique<Job>();
      job->id = i;
      ASSERT_TRUE(work.Submit(std::move(job), 100, i % 3 != 0).ok());
    }
    ASSERT_TRUE(work.Finish().ok());
  }
  ASSERT_EQ(consumed.size(), 200u);
  for (int i = 0; i < 200; ++i) EXPECT_EQ(consumed[i], i % 3 != 0 ? i * 2 : 0) << i;
}

TEST(OrderedWork, KeepsMemoryInFlightWithinTheBudget) {
  std::atomic<uint64_t> in_flight{0};
  uint64_t peak = 0;
  OrderedWork<Job> work(
      2, {1000, 10'000}, [](Job&) { std::this_thread::sleep_for(std::chrono::microseconds(200)); },
      [&](Job&) {
        in_flight -= 1'000;
        return Status::Ok();
      });
  for (int i = 0; i < 100; ++i) {
    in_flight += 1'000;
    peak = std::max<uint64_t>(peak, in_flight);
    ASSERT_TRUE(work.Submit(std::make_unique<Job>(), 1'000, true).ok());
  }
  ASSERT_TRUE(work.Finish().ok());
  // One item may be admitted past the budget before Submit waits.
  EXPECT_LE(peak, 11'000u);
}

TEST(OrderedWork, StopsAtTheFirstConsumerError) {
  int consumed = 0;
  OrderedWork<Job> work(
      2, {4, 1 << 20}, [](Job&) {},
      [&](Job& j) {
        ++consumed;
        if (j.id == 5) return Status(Error(ErrorCode::kIo, "disk full"));
        return Status::Ok();
      });
  Status first_error = Status::Ok();
  for (int i = 0; i < 50 && first_error.ok(); ++i) {
    auto job = std::make_unique<Job>();
    job->id = i;
    first_error = work.Submit(std::move(job), 1, true);
  }
  if (first_error.ok()) first_error = work.Finish();
  ASSERT_FALSE(first_error.ok());
  EXPECT_EQ(first_error.error().message(), "disk full");
  EXPECT_EQ(consumed, 6);
}

}  // namespace
}  // namespace digsig
