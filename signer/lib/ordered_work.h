// Work done on every core, results consumed in submission order: the shape
// of signing an archive, where entries are processed in parallel but must be
// written back in the order they were read. Memory in flight is bounded:
// Submit blocks (consuming finished items meanwhile) while the items not yet
// consumed hold more than the budget.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "signer/lib/result.h"

namespace digsig {

template <typename Item>
class OrderedWork {
 public:
  struct Budget {
    size_t max_items = 256;
    uint64_t max_bytes = 64ull << 20;
  };
  using Process = std::function<void(Item&)>;    // runs on a worker thread
  using Consume = std::function<Status(Item&)>;  // runs on the caller's thread, in order

  OrderedWork(unsigned threads, Budget budget, Process process, Consume consume)
      : budget_(budget), process_(std::move(process)), consume_(std::move(consume)) {
    for (unsigned i = 0; i < std::max(1u, threads); ++i) workers_.emplace_back([this] { Work(); });
  }

  ~OrderedWork() {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      stopping_ = true;
    }
    work_ready_.notify_all();
    for (auto& t : workers_) t.join();
  }

  OrderedWork(const OrderedWork&) = delete;
  OrderedWork& operator=(const OrderedWork&) = delete;

  // Queues `item` (holding `bytes` of memory); `needs_work` false sends it
  // straight to the consumer in its turn. Returns the first consumer error.
  Status Submit(std::unique_ptr<Item> item, uint64_t bytes, bool needs_work) {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      slots_.push_back(Slot{std::move(item), bytes, !needs_work});
      in_flight_bytes_ += bytes;
      // Pointers to a deque's elements survive push_back and pop_front.
      if (needs_work) pending_.push_back(&slots_.back());
    }
    if (needs_work) work_ready_.notify_one();
    return ConsumeFinished(/*drain=*/false);
  }

  // Waits for every item and consumes the rest.
  Status Finish() { return ConsumeFinished(/*drain=*/true); }

 private:
  struct Slot {
    std::unique_ptr<Item> item;
    uint64_t bytes;
    bool done;
  };

  void Work() {
    for (;;) {
      Slot* slot = nullptr;
      {
        std::unique_lock<std::mutex> lock(mutex_);
        work_ready_.wait(lock, [this] { return stopping_ || !pending_.empty(); });
        if (pending_.empty()) return;
        slot = pending_.front();
        pending_.pop_front();
      }
      process_(*slot->item);
      {
        std::lock_guard<std::mutex> lock(mutex_);
        slot->done = true;
      }
      item_done_.notify_all();
    }
  }

  bool OverBudget() const {
    return slots_.size() > budget_.max_items || in_flight_bytes_ > budget_.max_bytes;
  }

  // Consumes finished items from the front; waits for the front item while
  // over budget, or until empty when draining.
  Status ConsumeFinished(bool drain) {
    for (;;) {
      std::unique_ptr<Item> item;
      uint64_t bytes = 0;
      {
        std::unique_lock<std::mutex> lock(mutex_);
        if (slots_.empty()) return Status::Ok();
        if (!slots_.front().done) {
          if (!drain && !OverBudget()) return Status::Ok();
          item_done_.wait(lock, [this] { return slots_.front().done; });
        }
        item = std::move(slots_.front().item);
        bytes = slots_.front().bytes;
        slots_.pop_front();
      }
      Status st = consume_(*item);
      std::lock_guard<std::mutex> lock(mutex_);
      in_flight_bytes_ -= bytes;
      if (!st) {
        Abandon();
        return st;
      }
    }
  }

  // After a failure nothing else is consumed: queued work is dropped and
  // running work finishes into items that are then freed.
  void Abandon() {
    pending_.clear();
    while (!slots_.empty() && slots_.front().done) slots_.pop_front();
    // Items still being processed stay until their worker marks them done;
    // the destructor joins the workers before slots_ goes away.
  }

  const Budget budget_;
  const Process process_;
  const Consume consume_;
  std::mutex mutex_;
  std::condition_variable work_ready_;
  std::condition_variable item_done_;
  std::deque<Slot> slots_;
  std::deque<Slot*> pending_;  // slots waiting for a worker
  uint64_t in_flight_bytes_ = 0;
  bool stopping_ = false;
  std::vector<std::thread> workers_;
};

}  // namespace digsig
