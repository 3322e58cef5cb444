// The input side of one front-end connection: the buffer requests are read
// into and answered from, and the server's counters. Shared by libaem's
// ServeConnection and the benchmark's peer servers (aem/bench), so that
// every server of the benchmark buffers and counts exactly alike.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

#include "aem/examples/frontend_protocol.h"

namespace aem::frontend {

struct ServerStats {
  uint64_t connections = 0;
  uint64_t requests = 0;
  uint64_t protocol_errors = 0;
};

// 4096 bytes at first, doubled when full up to kMaxBuffer (room for two
// whole requests of the largest size); the requests handled are dropped
// from its front after each read.
class RequestBuffer {
 public:
  static constexpr size_t kInitial = 4096;
  static constexpr size_t kMaxBuffer = 2 * kMaxRequest + 64;

  RequestBuffer() : data_(kInitial, '\0') {}

  // Where the next read goes (space_size() bytes), growing the buffer if it
  // is full; nullptr when it is full at kMaxBuffer: close the connection.
  char* space() {
    if (have_ == data_.size()) {
      if (data_.size() >= kMaxBuffer) return nullptr;
      data_.resize(std::min(data_.size() * 2, kMaxBuffer));
    }
    return data_.data() + have_;
  }
  size_t space_size() const { return data_.size() - have_; }
  // `n` bytes were read into space().
  void Commit(size_t n) { have_ += n; }

  // Answers every whole request received (HandleRequests), appending the
  // replies to `out`, counts them (or the protocol error) in `stats` and
  // drops them from the buffer.
  Result<Consumed> Handle(Protocol protocol, std::string& out, ServerStats& stats) {
    Result<Consumed> c = HandleRequests(protocol, std::string_view(data_.data(), have_), out);
    if (!c.ok()) {
      ++stats.protocol_errors;
      return c;
    }
    stats.requests += c->requests;
    if (c->bytes > 0) {
      std::memmove(data_.data(), data_.data() + c->bytes, have_ - c->bytes);
      have_ -= c->bytes;
    }
    return c;
  }

 private:
  std::string data_;
  size_t have_ = 0;
};

}  // namespace aem::frontend
