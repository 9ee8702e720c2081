#pragma once
// The label that names an address or an endpoint (Kubernetes DNS specification, schema 1.1.0,
// sections 2.4.1 and 2.4.2; CoreDNS plugin/kubernetes endpointHostname).
//
//   dashed_name(10.244.0.57)   -> "10-244-0-57"
//   dashed_name(5678:abcd::1)  -> "5678-abcd--1"   (RFC 5952 text, ':' -> '-')
//   dashed_name(fd00::)        -> "fd00--0"        (a trailing '-' gets a '0')
//   dashed_name(::1)           -> "0--1"           (a leading '-' gets a '0')

#include <string>
#include <string_view>
#include <vector>

#include "cluster/ip_address.h"
#include "cluster/model.h"
#include "rules/endpoints.h"

namespace vmdns::rules {

std::string dashed_name(const cluster::IpAddress& address);

// The first label of an endpoint's name below its Service: its hostname; else, with
// `endpoint_pod_names`, its Pod or VMI name when that is a DNS label; else its dashed address.
std::string endpoint_label(const Endpoint& endpoint, bool endpoint_pod_names);
// The same label when it is not the dashed address (a view into `endpoint`), else empty.
std::string_view endpoint_name(const Endpoint& endpoint, bool endpoint_pod_names);

// Whether an endpoint (an Endpoint or a KeptEndpoint) is published: ready, or any with
// publishNotReadyAddresses.
template <typename E>
bool is_published(const E& endpoint, const cluster::Service& service) {
  return endpoint.ready || service.publish_not_ready_addresses;
}
template <typename Endpoints>
bool has_published(const cluster::Service& service, const Endpoints& endpoints) {
  for (const auto& endpoint : endpoints) {
    if (is_published(endpoint, service)) {
      return true;
    }
  }
  return false;
}
// Whether `ignore empty_service` removes the Service: a ClusterIP Service, not headless, with
// no published endpoint.
template <typename Endpoints>
bool is_ignored_empty(const cluster::Service& service, const Endpoints& endpoints,
                      bool ignore_empty_service) {
  return ignore_empty_service && service.type != cluster::ServiceType::ExternalName &&
         !service.headless && !has_published(service, endpoints);
}

}  // namespace vmdns::rules
