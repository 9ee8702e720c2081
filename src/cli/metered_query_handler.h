#pragma once
// Counts every query and reply of a worker (coredns_dns_* metrics) and, with --log-queries,
// logs each one, around the handler that answers it; src/server stays unaware of metrics.
//
//   auto inner = std::make_unique<SnapshotQueryHandler>(holder, forwarder);
//   auto handler = std::make_unique<MeteredQueryHandler>(std::move(inner),
//                                                        query_metrics.add_thread(), &log);
//
// Counting reads the question type and the reply's rcode from the bytes, takes two monotonic
// clock readings, and bumps this worker's own counters: no lock, no allocation. Logging is
// switched by an atomic flag that a --config reload may flip (null: never logs). A reply the
// forwarder sends later (kDeferred) is counted by the forwarder thread, which knows when it
// answered. Logging formats text, so it allocates: it is off unless asked for.

#include <atomic>
#include <chrono>
#include <memory>

#include "metrics/query_counters.h"
#include "server/query_handler.h"
#include "server/reply_route.h"

namespace vmdns::cli {

// The QTYPE of a query's first question, 0 when it cannot be read. Walks the labels without
// following pointers (a question name is never compressed in a query); every read is checked.
uint16_t question_type(std::span<const uint8_t> query);

// One line per query in the format of CoreDNS's `log` plugin:
//   127.0.0.1:52722 - 3930 "A IN example.org. udp 41 false 512" NOERROR qr,aa,rd 106 0.000128s
// An empty `reply` (forwarded, answered later) shows the rcode as "-".
void log_query(const server::ReplyRoute& route, std::span<const uint8_t> query,
               std::span<const uint8_t> reply, std::chrono::nanoseconds elapsed);

class MeteredQueryHandler : public server::QueryHandler {
 public:
  MeteredQueryHandler(std::unique_ptr<server::QueryHandler> inner, metrics::QueryCounters& counters,
                      const std::atomic<bool>* log_queries)
      : inner_(std::move(inner)), counters_(counters), log_queries_(log_queries) {}

  size_t handle(std::span<const uint8_t> query, std::span<uint8_t> out,
                server::Transport transport) override {
    server::ReplyRoute route;
    route.transport = transport;
    return handle_deferrable(query, out, route);
  }

  size_t handle_deferrable(std::span<const uint8_t> query, std::span<uint8_t> out,
                           const server::ReplyRoute& route) override;
  void prefetch(std::span<const uint8_t> query) override { inner_->prefetch(query); }

 private:
  std::unique_ptr<server::QueryHandler> inner_;
  metrics::QueryCounters& counters_;
  const std::atomic<bool>* log_queries_;
};

}  // namespace vmdns::cli
