#pragma once
// Prometheus histograms with fixed buckets, counted by one thread and summed when scraped.
//
//   Histogram latency(kDurationBuckets);        // per worker
//   latency.observe(elapsed_ns);                // no lock, no allocation
//   HistogramTotals total(kDurationBuckets);
//   latency.add_to(total);                      // at scrape time, for every worker
//
// Values are integers in a base unit (nanoseconds, octets) so that observing never touches a
// floating-point sum; the exposition scales them (see exposition.h). The bucket bounds are
// CoreDNS's, so that dashboards and alerts written for CoreDNS read the same `le` labels.

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "metrics/counter.h"

namespace vmdns::metrics {

inline constexpr size_t kMaxBuckets = 16;

// One histogram's upper bounds, in the base unit, ascending; +Inf is implied.
struct Buckets {
  std::span<const uint64_t> bounds;
  double scale = 1;  // base units per exposed unit: 1e9 for nanoseconds shown as seconds
};

// coredns_dns_request_duration_seconds: 0.25 ms doubling 16 times, up to 8.192 s.
inline constexpr std::array<uint64_t, 16> kDurationBoundsNs = {
    250'000,       500'000,       1'000'000,     2'000'000,    4'000'000,   8'000'000,
    16'000'000,    32'000'000,    64'000'000,    128'000'000,  256'000'000, 512'000'000,
    1'024'000'000, 2'048'000'000, 4'096'000'000, 8'192'000'000};
inline constexpr Buckets kDurationBuckets{kDurationBoundsNs, 1e9};

// coredns_dns_request_size_bytes and coredns_dns_response_size_bytes.
inline constexpr std::array<uint64_t, 14> kSizeBoundsOctets = {
    0, 100, 200, 300, 400, 511, 1023, 2047, 4095, 8291, 16000, 32000, 48000, 64000};
inline constexpr Buckets kSizeBuckets{kSizeBoundsOctets, 1};

// The sums over every thread of one histogram (cumulative counts are made when it is written).
struct HistogramTotals {
  explicit HistogramTotals(Buckets b) : buckets(b), counts(b.bounds.size() + 1, 0) {}
  Buckets buckets;
  std::vector<uint64_t> counts;  // per bucket, not cumulative; the last is (bounds.back(), +Inf)
  uint64_t sum = 0;
  uint64_t count = 0;
};

class Histogram {
 public:
  explicit Histogram(Buckets buckets) : buckets_(buckets) {}

  // The owning thread only.
  void observe(uint64_t value) {
    size_t i = 0;
    while (i < buckets_.bounds.size() && value > buckets_.bounds[i]) {
      ++i;
    }
    counts_[i].add();
    sum_.add(value);
  }

  void add_to(HistogramTotals& totals) const {
    for (size_t i = 0; i < totals.counts.size() && i < counts_.size(); ++i) {
      uint64_t n = counts_[i].value();
      totals.counts[i] += n;
      totals.count += n;
    }
    totals.sum += sum_.value();
  }

 private:
  Buckets buckets_;
  std::array<Counter, kMaxBuckets + 1> counts_;
  Counter sum_;
};

}  // namespace vmdns::metrics
