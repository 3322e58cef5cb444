// Runs independent jobs on every core while callers keep results in input
// order (each job writes its own slot; nothing is shared but the counter).
#pragma once

#include <algorithm>
#include <atomic>
#include <cstddef>
#include <functional>
#include <thread>
#include <vector>

namespace digsig {

inline unsigned DefaultJobCount() { return std::max(1u, std::thread::hardware_concurrency()); }

// Calls job(i) for every i in [0, n) on up to `threads` threads (the caller's
// included). done(completed) runs on whichever worker finished a job, so it
// must be thread-safe; it is meant for progress reporting.
inline void ParallelFor(size_t n, unsigned threads, const std::function<void(size_t)>& job,
                        const std::function<void(size_t)>& done = nullptr) {
  std::atomic<size_t> next{0};
  std::atomic<size_t> completed{0};
  auto worker = [&] {
    for (size_t i; (i = next.fetch_add(1)) < n;) {
      job(i);
      size_t c = completed.fetch_add(1) + 1;
      if (done) done(c);
    }
  };
  const size_t count = std::min<size_t>(threads == 0 ? 1 : threads, n);
  std::vector<std::thread> pool;
  for (size_t t = 1; t < count; ++t) pool.emplace_back(worker);
  worker();
  for (auto& t : pool) t.join();
}

}  // namespace digsig
