// The Prometheus text format as /metrics writes it: families, escaped label values, and
// histograms with cumulative buckets.

#include "metrics/exposition.h"

#include <gtest/gtest.h>

namespace vmdns::metrics {
namespace {

TEST(ExpositionTest, EscapesLabelValues) {
  struct Case {
    std::string in;
    std::string out;
  };
  for (const Case& c : std::vector<Case>{
           {"plain", "plain"},
           {R"(a"b)", R"(a\"b)"},
           {R"(a\b)", R"(a\\b)"},
           {"a\nb", R"(a\nb)"},
           {"", ""},
       }) {
    EXPECT_EQ(escape_label_value(c.in), c.out) << c.in;
  }
}

TEST(ExpositionTest, WritesFamiliesAndSamples) {
  Exposition out;
  out.family("vmdns_records", "gauge", "Records by type.");
  out.sample("vmdns_records", Labels{{"type", "A"}}, uint64_t{3});
  out.sample("vmdns_records", Labels{{"type", "x\"y"}}, 0.5);
  out.sample("vmdns_ready", Labels{}, uint64_t{1});
  EXPECT_EQ(out.text(),
            "# HELP vmdns_records Records by type.\n"
            "# TYPE vmdns_records gauge\n"
            "vmdns_records{type=\"A\"} 3\n"
            "vmdns_records{type=\"x\\\"y\"} 0.5\n"
            "vmdns_ready 1\n");
}

TEST(ExpositionTest, HistogramBucketsAreCumulativeAndScaled) {
  static constexpr std::array<uint64_t, 2> kBounds = {1'000'000, 2'000'000};  // 1 ms, 2 ms
  Histogram histogram(Buckets{kBounds, 1e9});
  histogram.observe(500'000);    // 0.5 ms
  histogram.observe(1'000'000);  // 1 ms: the bound itself is in its bucket (le)
  histogram.observe(1'500'000);  // 1.5 ms
  histogram.observe(9'000'000);  // 9 ms: +Inf only
  HistogramTotals totals(Buckets{kBounds, 1e9});
  histogram.add_to(totals);
  Exposition out;
  out.histogram("d_seconds", Labels{{"type", "A"}}, totals);
  EXPECT_EQ(out.text(),
            "d_seconds_bucket{type=\"A\",le=\"0.001\"} 2\n"
            "d_seconds_bucket{type=\"A\",le=\"0.002\"} 3\n"
            "d_seconds_bucket{type=\"A\",le=\"+Inf\"} 4\n"
            "d_seconds_sum{type=\"A\"} 0.012\n"
            "d_seconds_count{type=\"A\"} 4\n");
}

TEST(ExpositionTest, CoreDnsBucketBounds) {
  EXPECT_EQ(kDurationBoundsNs.front(), 250'000u);       // 0.00025 s
  EXPECT_EQ(kDurationBoundsNs.back(), 8'192'000'000u);  // 0.00025 * 2^15 s
  EXPECT_EQ(kSizeBoundsOctets[5], 511u);
  EXPECT_EQ(kSizeBoundsOctets.back(), 64000u);
}

}  // namespace
}  // namespace vmdns::metrics
