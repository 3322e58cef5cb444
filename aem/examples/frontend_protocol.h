// The request/response protocols of the "telecom front end" example, as a
// pure function over bytes so that every server of the benchmark (libaem,
// plain epoll, libuv, libevent, Asio) does exactly the same work per request:
//
//   line    a request is a line ending in '\n'; the reply is the same line
//   length  a request is a 4-byte big-endian length and that many bytes;
//           the reply is the same frame
//   http    HTTP/1.1 keep-alive (for wrk): every request (headers, and a
//           Content-Length body if any) gets "200 OK" and a 13-byte body;
//           "Connection: close" closes after the reply
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "aem/runtime/error.h"

namespace aem::frontend {

enum class Protocol { kLine, kLength, kHttp };

const char* ProtocolName(Protocol p);
Result<Protocol> ParseProtocol(std::string_view name);

// Requests above this are a protocol error (the connection is closed).
inline constexpr size_t kMaxRequest = 64 * 1024;

struct Consumed {
  size_t bytes = 0;     // input used by the whole requests handled
  size_t requests = 0;  // how many
  bool close = false;   // the peer asked to close after these replies
};

// Handles every whole request at the start of `input`, appending the replies
// to `output`. What is left of `input` is the start of a request. An error
// (ErrorCode::kMalformed / kTooLarge) means the connection should be closed.
Result<Consumed> HandleRequests(Protocol protocol, std::string_view input, std::string& output);

}  // namespace aem::frontend
