// libaem: the asynchronous event mechanism's C++ runtime (docs/aem.md).
//
//   Loop         event loop on io_uring, or epoll (loop.h)
//   Task         coroutines; Spawn, priorities (task.h)
//   net          TCP listen/connect, whole-buffer I/O (net.h)
//   SignalSet    signals through signalfd (signals.h)
//   Child        child processes through pidfd; Spawn (process.h)
//   AemChannel   aem.ko events from /dev/aem (channel.h, events.h)
//   CapsulePool  handlers in pre-spawned worker processes (capsule.h)
#pragma once

#include "aem/runtime/capsule.h"
#include "aem/runtime/channel.h"
#include "aem/runtime/error.h"
#include "aem/runtime/events.h"
#include "aem/runtime/fd.h"
#include "aem/runtime/loop.h"
#include "aem/runtime/net.h"
#include "aem/runtime/process.h"
#include "aem/runtime/signals.h"
#include "aem/runtime/task.h"
