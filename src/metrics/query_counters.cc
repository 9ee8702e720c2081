#include "metrics/query_counters.h"

namespace vmdns::metrics {
namespace {

struct TypeLabel {
  uint16_t qtype;
  std::string_view name;
};

// The query types CoreDNS's metrics name; every other type is counted as "other".
constexpr std::array<TypeLabel, kTypeLabels - 1> kMonitoredTypes = {{
    {1, "A"},
    {28, "AAAA"},
    {15, "MX"},
    {6, "SOA"},
    {5, "CNAME"},
    {12, "PTR"},
    {16, "TXT"},
    {2, "NS"},
    {33, "SRV"},
    {43, "DS"},
    {48, "DNSKEY"},
    {46, "RRSIG"},
    {47, "NSEC"},
    {50, "NSEC3"},
    {65, "HTTPS"},
    {251, "IXFR"},
    {252, "AXFR"},
    {255, "ANY"},
}};

constexpr std::array<std::string_view, kRcodes> kRcodeNames = {
    "NOERROR", "FORMERR", "SERVFAIL", "NXDOMAIN", "NOTIMP",  "REFUSED", "YXDOMAIN", "YXRRSET",
    "NXRRSET", "NOTAUTH", "NOTZONE",  "RCODE11",  "RCODE12", "RCODE13", "RCODE14",  "RCODE15"};

}  // namespace

size_t type_label_index(uint16_t qtype) {
  for (size_t i = 0; i < kMonitoredTypes.size(); ++i) {
    if (kMonitoredTypes[i].qtype == qtype) {
      return i;
    }
  }
  return kTypeLabels - 1;
}

std::string_view type_label(size_t index) {
  return index < kMonitoredTypes.size() ? kMonitoredTypes[index].name : "other";
}

std::string_view rcode_label(size_t rcode) {
  return kRcodeNames[rcode & 0x0f];
}

std::string_view responder_label(Responder responder) {
  switch (responder) {
    case Responder::Kubernetes:
      return "kubernetes";
    case Responder::Forward:
      return "forward";
    case Responder::Cache:
      return "cache";
    case Responder::None:
      break;
  }
  return "";
}

QueryCounters::QueryCounters() {
  duration_.assign(kTypeLabels, Histogram(kDurationBuckets));
  request_size_.assign(kProtos, Histogram(kSizeBuckets));
  response_size_.assign(kProtos, Histogram(kSizeBuckets));
}

QueryCounters& QueryMetrics::add_thread() {
  auto threads = threads_.lock();
  threads->push_back(std::make_unique<QueryCounters>());
  return *threads->back();
}

void QueryMetrics::write(Exposition& out, const std::string& server) const {
  std::array<std::array<std::array<uint64_t, kTypeLabels>, kFamilies>, kProtos> requests{};
  std::array<std::array<uint64_t, kRcodes>, kResponders> responses{};
  std::array<uint64_t, 2> rate_limited{};
  std::vector<HistogramTotals> duration(kTypeLabels, HistogramTotals(kDurationBuckets));
  std::vector<HistogramTotals> request_size(kProtos, HistogramTotals(kSizeBuckets));
  std::vector<HistogramTotals> response_size(kProtos, HistogramTotals(kSizeBuckets));
  {
    auto threads = threads_.lock();
    for (const auto& thread : *threads) {
      for (size_t p = 0; p < kProtos; ++p) {
        for (size_t f = 0; f < kFamilies; ++f) {
          for (size_t t = 0; t < kTypeLabels; ++t) {
            requests[p][f][t] += thread->requests_[p][f][t].value();
          }
        }
        thread->request_size_[p].add_to(request_size[p]);
        thread->response_size_[p].add_to(response_size[p]);
      }
      for (size_t a = 0; a < rate_limited.size(); ++a) {
        rate_limited[a] += thread->rate_limited_[a].value();
      }
      for (size_t r = 0; r < kResponders; ++r) {
        for (size_t c = 0; c < kRcodes; ++c) {
          responses[r][c] += thread->responses_[r][c].value();
        }
      }
      for (size_t t = 0; t < kTypeLabels; ++t) {
        thread->duration_[t].add_to(duration[t]);
      }
    }
  }
  static constexpr std::array<std::string_view, kProtos> kProtoNames = {"udp", "tcp"};
  static constexpr std::array<std::string_view, kFamilies> kFamilyNames = {"1", "2"};
  auto base = [&server] { return Labels{{"server", server}, {"zone", "."}, {"view", ""}}; };

  // Only series that have counted something are written, as the Go client does for labelled
  // counters; a dashboard's sum() over none is empty either way.
  out.family("coredns_dns_requests_total", "counter",
             "Counter of DNS requests made per zone, protocol and family.");
  for (size_t p = 0; p < kProtos; ++p) {
    for (size_t f = 0; f < kFamilies; ++f) {
      for (size_t t = 0; t < kTypeLabels; ++t) {
        if (requests[p][f][t] == 0) {
          continue;
        }
        Labels labels = base();
        labels.push_back({"proto", std::string(kProtoNames[p])});
        labels.push_back({"family", std::string(kFamilyNames[f])});
        labels.push_back({"type", std::string(type_label(t))});
        out.sample("coredns_dns_requests_total", labels, requests[p][f][t]);
      }
    }
  }
  out.family("coredns_dns_responses_total", "counter", "Counter of response status codes.");
  for (size_t r = 0; r < kResponders; ++r) {
    for (size_t c = 0; c < kRcodes; ++c) {
      if (responses[r][c] == 0) {
        continue;
      }
      Labels labels = base();
      labels.push_back({"rcode", std::string(rcode_label(c))});
      labels.push_back({"plugin", std::string(responder_label(static_cast<Responder>(r)))});
      out.sample("coredns_dns_responses_total", labels, responses[r][c]);
    }
  }
  // The name of CoreDNS's rrl plugin, without its client_ip label (a flood from spoofed
  // addresses would make a series of each) and with the action taken: a TC reply or none.
  if (rate_limited[0] + rate_limited[1] > 0) {
    out.family("coredns_rrl_responses_exceeded_total", "counter",
               "Counter of responses exceeding the --rrl rate, by the action taken.");
    static constexpr std::array<std::string_view, 2> kActions = {"drop", "slip"};
    for (size_t a = 0; a < rate_limited.size(); ++a) {
      if (rate_limited[a] > 0) {
        out.sample("coredns_rrl_responses_exceeded_total",
                   Labels{{"action", std::string(kActions[a])}}, rate_limited[a]);
      }
    }
  }
  out.family("coredns_dns_request_duration_seconds", "histogram",
             "Histogram of the time (in seconds) each request took per zone.");
  for (size_t t = 0; t < kTypeLabels; ++t) {
    if (duration[t].count == 0) {
      continue;
    }
    Labels labels = base();
    labels.push_back({"type", std::string(type_label(t))});
    out.histogram("coredns_dns_request_duration_seconds", labels, duration[t]);
  }
  out.family("coredns_dns_request_size_bytes", "histogram",
             "Size of the request in bytes per zone and protocol.");
  for (size_t p = 0; p < kProtos; ++p) {
    if (request_size[p].count == 0) {
      continue;
    }
    Labels labels = base();
    labels.push_back({"proto", std::string(kProtoNames[p])});
    out.histogram("coredns_dns_request_size_bytes", labels, request_size[p]);
  }
  out.family("coredns_dns_response_size_bytes", "histogram",
             "Size of the returned response in bytes per zone and protocol.");
  for (size_t p = 0; p < kProtos; ++p) {
    if (response_size[p].count == 0) {
      continue;
    }
    Labels labels = base();
    labels.push_back({"proto", std::string(kProtoNames[p])});
    out.histogram("coredns_dns_response_size_bytes", labels, response_size[p]);
  }
}

}  // namespace vmdns::metrics
