#pragma once
// The Prometheus text exposition format, version 0.0.4: what /metrics returns.
//
//   Exposition out;
//   out.family("coredns_dns_requests_total", "counter", "Counter of DNS requests made per ...");
//   out.sample("coredns_dns_requests_total", {{"proto", "udp"}, {"type", "A"}}, 42);
//   out.histogram("coredns_dns_request_duration_seconds", {{"type", "A"}}, totals);
//   std::string body = out.take();
//
// Each family is written once, with its HELP and TYPE lines, then its samples; label values
// are escaped (backslash, double quote, newline), so any text (a file name, a reason) is safe.
// Debian ships no C++ Prometheus client; this is all of the format vmdns needs.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "metrics/histogram.h"

namespace vmdns::metrics {

struct Label {
  std::string_view name;
  std::string value;
};
using Labels = std::vector<Label>;

// The text/plain content type Prometheus expects for this format.
inline constexpr std::string_view kExpositionContentType =
    "text/plain; version=0.0.4; charset=utf-8";

class Exposition {
 public:
  // `type`: counter, gauge or histogram.
  void family(std::string_view name, std::string_view type, std::string_view help);
  void sample(std::string_view name, const Labels& labels, double value);
  void sample(std::string_view name, const Labels& labels, uint64_t value);
  // `name`_bucket{...,le="..."} (cumulative), `name`_sum (scaled) and `name`_count.
  void histogram(std::string_view name, const Labels& labels, const HistogramTotals& totals);

  const std::string& text() const { return text_; }
  std::string take() { return std::move(text_); }

 private:
  void write_labels(const Labels& labels, std::string_view le);
  std::string text_;
};

// A label value with \, " and newline escaped as the format requires.
std::string escape_label_value(std::string_view value);

}  // namespace vmdns::metrics
