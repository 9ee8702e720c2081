#pragma once
// The forwarder's counters, as CoreDNS's forward and cache plugins name them. The forwarder
// thread writes the upstream counters (workers only bump max_concurrent_rejects); each worker's
// cache shard has its own cache counters, written under that shard's lock by the worker and the
// forwarder thread. /metrics reads them from its own thread, so each is an atomic
// (metrics/counter.h), and sums the shards.
//
//   const ForwardMetrics& m = forwarder.metrics();
//   write_forward_metrics(m, options.upstreams, exposition, "dns://127.0.0.1:53");

#include <array>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "forward/upstream.h"
#include "metrics/counter.h"
#include "metrics/exposition.h"
#include "metrics/histogram.h"

namespace vmdns::forward {

struct UpstreamCounters {
  metrics::Counter requests;                               // attempts sent (UDP, or the TCP retry)
  std::array<metrics::Counter, 16> responses;              // by rcode
  metrics::Histogram duration{metrics::kDurationBuckets};  // attempt start to answer
};

// One cache shard's counters.
struct CacheCounters {
  metrics::Counter requests;
  metrics::Counter hits_success;
  metrics::Counter hits_denial;  // NXDOMAIN or NODATA (RFC 2308)
  metrics::Counter misses;
  metrics::Gauge entries;
};

struct CacheTotals {
  uint64_t requests = 0;
  uint64_t hits_success = 0;
  uint64_t hits_denial = 0;
  uint64_t misses = 0;
  int64_t entries = 0;
};

struct ForwardMetrics {
  explicit ForwardMetrics(size_t upstreams) : upstreams(upstreams) {}
  std::vector<UpstreamCounters> upstreams;        // in ForwarderOptions::upstreams order
  metrics::SharedCounter max_concurrent_rejects;  // --max-forwards reached: SERVFAIL at once

  // Counters for a new cache shard; they live as long as these metrics. Takes a lock.
  CacheCounters& add_cache_shard();
  // Every shard's counters summed; entries is the largest shard's (each holds a copy of the
  // same answers). Takes a lock.
  CacheTotals cache_totals() const;

 private:
  mutable std::mutex cache_mutex_;  // guards cache_shards_ (the counters are atomics)
  std::vector<std::unique_ptr<CacheCounters>> cache_shards_;
};

// coredns_forward_* and coredns_cache_*.
void write_forward_metrics(const ForwardMetrics& metrics, const std::vector<Upstream>& upstreams,
                           metrics::Exposition& out, const std::string& server);

}  // namespace vmdns::forward
