#pragma once
// The forwarder's counters, as CoreDNS's forward and cache plugins name them. The forwarder
// thread writes them (workers only bump max_concurrent_rejects); /metrics reads them from its
// own thread, so each is an atomic (metrics/counter.h) and none takes a lock.
//
//   const ForwardMetrics& m = forwarder.metrics();
//   write_forward_metrics(m, options.upstreams, exposition, "dns://127.0.0.1:53");

#include <array>
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

struct ForwardMetrics {
  explicit ForwardMetrics(size_t upstreams) : upstreams(upstreams) {}
  std::vector<UpstreamCounters> upstreams;        // in ForwarderOptions::upstreams order
  metrics::SharedCounter max_concurrent_rejects;  // --max-forwards reached: SERVFAIL at once
  metrics::Counter cache_requests;
  metrics::Counter cache_hits_success;
  metrics::Counter cache_hits_denial;  // NXDOMAIN or NODATA (RFC 2308)
  metrics::Counter cache_misses;
  metrics::Gauge cache_entries;
};

// coredns_forward_* and coredns_cache_*.
void write_forward_metrics(const ForwardMetrics& metrics, const std::vector<Upstream>& upstreams,
                           metrics::Exposition& out, const std::string& server);

}  // namespace vmdns::forward
