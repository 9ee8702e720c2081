#include "metrics/exposition.h"

#include <fmt/format.h>

#include <cmath>

namespace vmdns::metrics {
namespace {

// Integral values print without a fraction; others in the shortest form that reads back exactly.
std::string number(double value) {
  if (std::isinf(value)) {
    return value > 0 ? "+Inf" : "-Inf";
  }
  if (std::isnan(value)) {
    return "NaN";
  }
  return fmt::format("{}", value);
}

// HELP text escapes only backslash and newline.
std::string escape_help(std::string_view help) {
  std::string out;
  for (char c : help) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out += c;
    }
  }
  return out;
}

}  // namespace

std::string escape_label_value(std::string_view value) {
  std::string out;
  out.reserve(value.size());
  for (char c : value) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '"') {
      out += "\\\"";
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out += c;
    }
  }
  return out;
}

void Exposition::family(std::string_view name, std::string_view type, std::string_view help) {
  fmt::format_to(std::back_inserter(text_), "# HELP {} {}\n# TYPE {} {}\n", name, escape_help(help),
                 name, type);
}

void Exposition::write_labels(const Labels& labels, std::string_view le) {
  if (labels.empty() && le.empty()) {
    return;
  }
  text_ += '{';
  bool first = true;
  for (const Label& label : labels) {
    fmt::format_to(std::back_inserter(text_), "{}{}=\"{}\"", first ? "" : ",", label.name,
                   escape_label_value(label.value));
    first = false;
  }
  if (!le.empty()) {
    fmt::format_to(std::back_inserter(text_), "{}le=\"{}\"", first ? "" : ",", le);
  }
  text_ += '}';
}

void Exposition::sample(std::string_view name, const Labels& labels, double value) {
  text_ += name;
  write_labels(labels, {});
  text_ += ' ';
  text_ += number(value);
  text_ += '\n';
}

void Exposition::sample(std::string_view name, const Labels& labels, uint64_t value) {
  text_ += name;
  write_labels(labels, {});
  fmt::format_to(std::back_inserter(text_), " {}\n", value);
}

void Exposition::histogram(std::string_view name, const Labels& labels,
                           const HistogramTotals& totals) {
  uint64_t cumulative = 0;
  const auto& bounds = totals.buckets.bounds;
  for (size_t i = 0; i <= bounds.size() && i < totals.counts.size(); ++i) {
    cumulative += totals.counts[i];
    std::string le =
        i < bounds.size() ? number(static_cast<double>(bounds[i]) / totals.buckets.scale) : "+Inf";
    fmt::format_to(std::back_inserter(text_), "{}_bucket", name);
    write_labels(labels, le);
    fmt::format_to(std::back_inserter(text_), " {}\n", cumulative);
  }
  fmt::format_to(std::back_inserter(text_), "{}_sum", name);
  write_labels(labels, {});
  fmt::format_to(std::back_inserter(text_), " {}\n",
                 number(static_cast<double>(totals.sum) / totals.buckets.scale));
  fmt::format_to(std::back_inserter(text_), "{}_count", name);
  write_labels(labels, {});
  fmt::format_to(std::back_inserter(text_), " {}\n", cumulative);
}

}  // namespace vmdns::metrics
