#pragma once
// The coredns_dns_* counts and the query log of one worker's dispatcher, read from what the
// pipeline returns (Dispatched) and the query as parsed once.
//
//   Metering metering(&counters, &log_queries);
//   metering.begin_batch(now);                 // the clock, read once by the worker
//   metering.request(d);                       // as each query arrives
//   metering.reply(d);                         // once it is answered (kept for end_batch)
//   metering.end_batch(later);                 // the batch's replies counted, with its duration
//
// A reply's duration is the time from its batch's receipt to the end of the batch: the time the
// query spent in the server. Two clock readings per batch instead of two per query. The
// counters are this worker's own (no lock, no allocation); logging formats text, so it
// allocates, and is off unless asked for. A reply the forwarder sends later is counted by the
// forwarder thread.

#include <array>
#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <span>

#include "dispatch/dispatched.h"
#include "dns/message_view.h"
#include "metrics/query_counters.h"
#include "net/reply_route.h"

namespace vmdns::dispatch {

class Metering {
 public:
  using Clock = std::chrono::steady_clock;

  Metering(metrics::QueryCounters* counters, const std::atomic<bool>* log_queries)
      : counters_(counters), log_queries_(log_queries) {}

  void begin_batch(Clock::time_point now) { started_ = now; }
  void request(const Dispatched& d, size_t query_size) {
    if (counters_ != nullptr) {
      counters_->count_request(d.proto, d.family, d.qtype, query_size);
    }
  }
  void reply(const Dispatched& d);
  // A reply over the --rrl rate, slipped (sent truncated) or dropped.
  void rate_limited(bool slipped) {
    if (counters_ != nullptr) {
      counters_->count_rate_limited(slipped);
    }
  }
  void end_batch(Clock::time_point now);

  bool logging() const {
    return log_queries_ != nullptr && log_queries_->load(std::memory_order_relaxed);
  }
  // One line in the format of CoreDNS's `log` plugin, timed from the batch's start.
  void log(const net::ReplyRoute& route, dns::ParseStatus status, const dns::ParsedQuery& q,
           std::span<const uint8_t> query, std::span<const uint8_t> reply) const;

 private:
  struct Pending {
    metrics::Responder responder;
    uint8_t rcode;
    metrics::Proto proto;
    uint16_t qtype;
    uint32_t length;
  };
  // A UDP batch is at most 32 replies; the TCP loop may answer more in one wake-up, and then the
  // replies so far are counted with a clock reading of their own.
  static constexpr size_t kPending = 64;

  void count(Clock::time_point now);

  metrics::QueryCounters* counters_;
  const std::atomic<bool>* log_queries_;
  Clock::time_point started_{};
  std::array<Pending, kPending> pending_{};
  size_t pending_count_ = 0;
};

// The QTYPE of a query's first question, 0 when it cannot be read. Walks the labels without
// following pointers (a question name is never compressed in a query); every read is checked.
// For the type label of a query whose parse stopped before its question (QDCOUNT > 1, a
// response): what the counters showed before the query was parsed once.
uint16_t question_type(std::span<const uint8_t> query);

// One line per query in the format of CoreDNS's `log` plugin:
//   127.0.0.1:52722 - 3930 "A IN example.org. udp 41 false 512" NOERROR qr,aa,rd 106 0.000128s
// An empty `reply` (forwarded, answered later) shows the rcode as "-".
void log_query(const net::ReplyRoute& route, dns::ParseStatus status, const dns::ParsedQuery& q,
               std::span<const uint8_t> query, std::span<const uint8_t> reply,
               std::chrono::nanoseconds elapsed);

}  // namespace vmdns::dispatch
