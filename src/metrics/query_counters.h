#pragma once
// The coredns_dns_* counters, one QueryCounters per thread that answers clients (each UDP
// worker, the TCP loop, the forwarder), summed when /metrics is scraped.
//
//   QueryMetrics metrics;                                   // shared, built at start
//   QueryCounters& mine = metrics.add_thread();             // once per thread, at start
//   mine.count_request(Proto::Udp, Family::Ipv4, qtype, query.size());
//   mine.count_response(Responder::Kubernetes, rcode, qtype, elapsed_ns, Proto::Udp, n);
//   metrics.write(exposition, "dns://127.0.0.1:53");        // a scrape, from any thread
//
// Labels are CoreDNS's: requests by server, zone, view, proto, family and type; responses by
// server, zone, view, rcode and plugin. The type label takes CoreDNS's list of monitored types,
// anything else is "other", so the number of series stays bounded whatever clients send.
// Counting takes no lock and allocates nothing; add_thread() takes the registry's lock.

#include <array>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "metrics/counter.h"
#include "metrics/exposition.h"
#include "metrics/histogram.h"
#include "sync/guarded.h"

namespace vmdns::metrics {

enum class Proto : uint8_t { Udp, Tcp };
enum class Family : uint8_t { Ipv4, Ipv6 };
// What wrote the response: CoreDNS's `plugin` label.
enum class Responder : uint8_t {
  None,        // the server itself: a malformed query, or REFUSED outside our zones
  Kubernetes,  // our zones
  Forward,     // an upstream's answer, or SERVFAIL when none answered
  Cache,       // the forwarder's cache
};

inline constexpr size_t kProtos = 2;
inline constexpr size_t kFamilies = 2;
inline constexpr size_t kResponders = 4;
inline constexpr size_t kRcodes = 16;      // the header's 4 bits
inline constexpr size_t kTypeLabels = 19;  // CoreDNS's monitored types and "other"

// The index of `qtype`'s label, and the label of an index.
size_t type_label_index(uint16_t qtype);
std::string_view type_label(size_t index);
std::string_view rcode_label(size_t rcode);
std::string_view responder_label(Responder responder);

class QueryCounters {
 public:
  QueryCounters();

  void count_request(Proto proto, Family family, uint16_t qtype, size_t size) {
    size_t type = type_label_index(qtype);
    requests_[static_cast<size_t>(proto)][static_cast<size_t>(family)][type].add();
    request_size_[static_cast<size_t>(proto)].observe(size);
  }
  // A UDP reply over the --rrl rate: sent truncated (`slipped`) or not sent at all.
  void count_rate_limited(bool slipped) { rate_limited_[slipped ? 1 : 0].add(); }
  void count_response(Responder responder, uint8_t rcode, uint16_t qtype, uint64_t elapsed_ns,
                      Proto proto, size_t size) {
    responses_[static_cast<size_t>(responder)][rcode & 0x0f].add();
    duration_[type_label_index(qtype)].observe(elapsed_ns);
    response_size_[static_cast<size_t>(proto)].observe(size);
  }

 private:
  friend class QueryMetrics;
  std::array<std::array<std::array<Counter, kTypeLabels>, kFamilies>, kProtos> requests_;
  std::array<std::array<Counter, kRcodes>, kResponders> responses_;
  std::array<Counter, 2> rate_limited_;  // dropped, slipped
  std::vector<Histogram> duration_;       // by type label
  std::vector<Histogram> request_size_;   // by proto
  std::vector<Histogram> response_size_;  // by proto
};

class QueryMetrics {
 public:
  // A new set of counters for the calling thread; it lives as long as this registry, so counts
  // survive the thread (a restarted server keeps its totals).
  QueryCounters& add_thread();

  // The coredns_dns_* families and coredns_rrl_responses_exceeded_total, summed over every
  // thread. `server` is CoreDNS's server label
  // ("dns://:53"); the zone label is "." (one server block for the root) and view is empty.
  void write(Exposition& out, const std::string& server) const;

 private:
  // The counters themselves are atomics: the lock covers only the list.
  sync::Guarded<std::vector<std::unique_ptr<QueryCounters>>> threads_;
};

}  // namespace vmdns::metrics
