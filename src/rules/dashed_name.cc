#include "rules/dashed_name.h"

#include "cluster/dns1123.h"

namespace vmdns::rules {

std::string dashed_name(const cluster::IpAddress& address) {
  std::string out = address.to_string();
  for (char& c : out) {
    if (c == '.' || c == ':') {
      c = '-';  // '.' too: IPv4-mapped IPv6 text ends in a dotted quad
    }
  }
  // A label may not start or end with '-' (RFC 952 host names); CoreDNS pads with a '0'.
  if (!out.empty() && out.back() == '-') {
    out.push_back('0');
  }
  if (!out.empty() && out.front() == '-') {
    out.insert(out.begin(), '0');
  }
  return out;
}

std::string_view endpoint_name(const Endpoint& endpoint, bool endpoint_pod_names) {
  if (!endpoint.hostname.empty()) {
    return endpoint.hostname;
  }
  if (endpoint_pod_names && cluster::is_dns1123_label(endpoint.workload_name)) {
    return endpoint.workload_name;
  }
  return {};
}

std::string endpoint_label(const Endpoint& endpoint, bool endpoint_pod_names) {
  std::string_view name = endpoint_name(endpoint, endpoint_pod_names);
  return name.empty() ? dashed_name(endpoint.address) : std::string(name);
}

}  // namespace vmdns::rules
