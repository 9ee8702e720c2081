#pragma once
// What a server worker calls for each query. Each worker thread owns its own handler, so a
// handler may keep per-thread state (its snapshot pointer, counters) without locks.

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <span>

namespace vmdns::server {

enum class Transport { Udp, Tcp };

class QueryHandler {
 public:
  virtual ~QueryHandler() = default;
  // Writes the response to `query` into `out` and returns its length, or 0 to send nothing.
  // For UDP, `out` is sized to the largest reply allowed (65535); the handler itself honours the
  // client's advertised payload size. Must not allocate on the heap or block.
  virtual size_t handle(std::span<const uint8_t> query, std::span<uint8_t> out,
                        Transport transport) = 0;
};

// Called once per worker thread (and once for the TCP loop) at start.
using QueryHandlerFactory = std::function<std::unique_ptr<QueryHandler>()>;

}  // namespace vmdns::server
