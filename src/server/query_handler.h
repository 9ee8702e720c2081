#pragma once
// What a server worker calls for each query. Each worker thread owns its own handler, so a
// handler may keep per-thread state (its snapshot pointer, counters) without locks.
//
// A handler either answers at once (returns the reply's length) or defers: it keeps the query's
// ReplyRoute, returns kDeferred, and later sends the reply from any thread with send_reply()
// (reply_route.h). Deferring is how a query for a name outside our zones waits for an upstream
// without blocking the worker.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <limits>
#include <memory>
#include <span>

#include "net/transport.h"
#include "server/reply_stream.h"

namespace vmdns::net {
struct ReplyRoute;
}  // namespace vmdns::net

namespace vmdns::server {

class QueryHandler {
 public:
  // Returned by handle_deferrable(): the reply will be sent later through the route.
  static constexpr size_t kDeferred = std::numeric_limits<size_t>::max();
  // Returned by handle_deferrable() over TCP: the reply is a stream of messages, which
  // take_stream() hands over at once (reply_stream.h).
  static constexpr size_t kStream = std::numeric_limits<size_t>::max() - 1;

  virtual ~QueryHandler() = default;
  // Writes the response to `query` into `out` and returns its length, or 0 to send nothing.
  // For UDP, `out` is a worker's reply slot (UdpWorker::kReplySlot, 4096 octets: above
  // dns::kEdnsPayload, the largest UDP payload we send); the handler itself honours the
  // client's advertised payload size. Must not allocate on the heap or block.
  virtual size_t handle(std::span<const uint8_t> query, std::span<uint8_t> out,
                        net::Transport transport) = 0;

  // What the workers call. Like handle(), or kDeferred after taking a copy of `route`: the
  // handler then owes exactly one send_reply() on it for TCP (an empty reply sends nothing and
  // releases the slot), at most one for UDP. The default answers at once.
  virtual size_t handle_deferrable(std::span<const uint8_t> query, std::span<uint8_t> out,
                                   const net::ReplyRoute& route);

  // A hint that `query` will be answered soon: the handler may start loading what it will
  // read for it (a UDP worker calls this for every query of a batch before answering the
  // first). Must not block, allocate or answer. The default does nothing.
  virtual void prefetch(std::span<const uint8_t> /*query*/) {}

  // The stream of the query just answered kStream; the TCP loop calls it once, right after.
  virtual std::unique_ptr<ReplyStream> take_stream() { return nullptr; }

  // A batch of queries: the UDP worker's datagrams of one recvmmsg, the TCP loop's work of one
  // wake-up. The caller reads the clock once for the batch and hands it to the handler, which
  // times its queries from it instead of reading the clock for each one; end_batch() follows
  // the last query of the batch, before its replies are sent. The defaults do nothing.
  virtual void begin_batch(std::chrono::steady_clock::time_point /*now*/) {}
  virtual void end_batch(std::chrono::steady_clock::time_point /*now*/) {}

  // The worker has had no query for a while and goes to sleep: the handler lets go of what it
  // holds that a newer version may have replaced (its snapshot pointer), so that an idle worker
  // does not keep an old snapshot alive until its next query. Never called inside a batch. The
  // default does nothing.
  virtual void idle() {}
};

// Called once per worker thread (and once for the TCP loop) at start.
using QueryHandlerFactory = std::function<std::unique_ptr<QueryHandler>()>;

}  // namespace vmdns::server
