// The "telecom front end" on libaem: one coroutine per connection answering
// pipelined requests (frontend_protocol.h), accept loops feeding them.
#pragma once

#include "aem/examples/frontend_buffer.h"
#include "aem/examples/frontend_protocol.h"
#include "aem/runtime/aem.h"

namespace aem::frontend {

// Serves one connection until the peer closes it, breaks the protocol, or
// the loop stops: reads what is there, answers every whole request in it
// with one send.
Task<void> ServeConnection(Loop& loop, Fd conn, Protocol protocol, ServerStats* stats);

// Accepts connections on `listen_fd` until the loop stops, spawning a
// ServeConnection task at `priority` for each. Run several on one listener
// to accept several connections per loop iteration.
Task<void> AcceptLoop(Loop& loop, int listen_fd, Protocol protocol, ServerStats* stats,
                      int priority = kDefaultPriority);

}  // namespace aem::frontend
