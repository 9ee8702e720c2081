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

std::string endpoint_label(const Endpoint& endpoint, bool endpoint_pod_names) {
  if (!endpoint.hostname.empty()) {
    return endpoint.hostname;
  }
  if (endpoint_pod_names && cluster::is_dns1123_label(endpoint.workload_name)) {
    return endpoint.workload_name;
  }
  return dashed_name(endpoint.address);
}

bool is_published(const Endpoint& endpoint, const cluster::Service& service) {
  return endpoint.ready || service.publish_not_ready_addresses;
}

bool has_published(const cluster::Service& service, const std::vector<Endpoint>& endpoints) {
  for (const Endpoint& endpoint : endpoints) {
    if (is_published(endpoint, service)) {
      return true;
    }
  }
  return false;
}

bool is_ignored_empty(const cluster::Service& service, const std::vector<Endpoint>& endpoints,
                      bool ignore_empty_service) {
  return ignore_empty_service && service.type != cluster::ServiceType::ExternalName &&
         !service.headless && !has_published(service, endpoints);
}

}  // namespace vmdns::rules
