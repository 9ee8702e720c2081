#include "forward/forward_metrics.h"

#include <algorithm>

#include "metrics/query_counters.h"

namespace vmdns::forward {

CacheCounters& ForwardMetrics::add_cache_shard() {
  std::lock_guard lock(cache_mutex_);
  return *cache_shards_.emplace_back(std::make_unique<CacheCounters>());
}

CacheTotals ForwardMetrics::cache_totals() const {
  std::lock_guard lock(cache_mutex_);
  CacheTotals totals;
  for (const auto& shard : cache_shards_) {
    totals.requests += shard->requests.value();
    totals.hits_success += shard->hits_success.value();
    totals.hits_denial += shard->hits_denial.value();
    totals.misses += shard->misses.value();
    // Every shard holds a copy of the same answers: the largest tells how many there are.
    totals.entries = std::max(totals.entries, shard->entries.value());
  }
  return totals;
}

void write_forward_metrics(const ForwardMetrics& m, const std::vector<Upstream>& upstreams,
                           metrics::Exposition& out, const std::string& server) {
  using metrics::Labels;
  // CoreDNS labels upstreams as "<addr>:<port>"; ours print the same way.
  auto to = [&upstreams](size_t i) { return upstreams[i].to_string(); };
  size_t n = std::min(upstreams.size(), m.upstreams.size());

  out.family("coredns_forward_requests_total", "counter", "Counter of requests made per upstream.");
  for (size_t i = 0; i < n; ++i) {
    out.sample("coredns_forward_requests_total", Labels{{"to", to(i)}},
               m.upstreams[i].requests.value());
  }
  out.family("coredns_forward_responses_total", "counter",
             "Counter of responses received per upstream.");
  for (size_t i = 0; i < n; ++i) {
    for (size_t rcode = 0; rcode < 16; ++rcode) {
      uint64_t count = m.upstreams[i].responses[rcode].value();
      if (count > 0) {
        out.sample("coredns_forward_responses_total",
                   Labels{{"to", to(i)}, {"rcode", std::string(metrics::rcode_label(rcode))}},
                   count);
      }
    }
  }
  out.family("coredns_forward_request_duration_seconds", "histogram",
             "Histogram of the time each request took.");
  for (size_t i = 0; i < n; ++i) {
    metrics::HistogramTotals totals(metrics::kDurationBuckets);
    m.upstreams[i].duration.add_to(totals);
    out.histogram("coredns_forward_request_duration_seconds", Labels{{"to", to(i)}}, totals);
  }
  out.family("coredns_forward_max_concurrent_rejects_total", "counter",
             "Counter of the number of queries rejected because the concurrent queries were at "
             "maximum.");
  out.sample("coredns_forward_max_concurrent_rejects_total", Labels{},
             m.max_concurrent_rejects.value());

  CacheTotals totals = m.cache_totals();
  auto cache = [&server] { return Labels{{"server", server}, {"zones", "."}, {"view", ""}}; };
  out.family("coredns_cache_entries", "gauge", "The number of elements in the cache.");
  {
    // Each shard holds both kinds; CoreDNS's two series are reported as one, type="all".
    Labels labels = cache();
    labels.push_back({"type", "all"});
    out.sample("coredns_cache_entries", labels, static_cast<double>(totals.entries));
  }
  out.family("coredns_cache_requests_total", "counter", "The count of cache requests.");
  out.sample("coredns_cache_requests_total", cache(), totals.requests);
  out.family("coredns_cache_hits_total", "counter", "The count of cache hits.");
  for (auto [type, count] :
       {std::pair{"success", totals.hits_success}, std::pair{"denial", totals.hits_denial}}) {
    Labels labels = cache();
    labels.push_back({"type", type});
    out.sample("coredns_cache_hits_total", labels, count);
  }
  out.family("coredns_cache_misses_total", "counter", "The count of cache misses.");
  out.sample("coredns_cache_misses_total", cache(), totals.misses);
}

}  // namespace vmdns::forward
