#pragma once
// The label that names an address or an endpoint (Kubernetes DNS specification, schema 1.1.0,
// sections 2.4.1 and 2.4.2; CoreDNS plugin/kubernetes endpointHostname).
//
//   dashed_name(10.244.0.57)   -> "10-244-0-57"
//   dashed_name(5678:abcd::1)  -> "5678-abcd--1"   (RFC 5952 text, ':' -> '-')
//   dashed_name(fd00::)        -> "fd00--0"        (a trailing '-' gets a '0')
//   dashed_name(::1)           -> "0--1"           (a leading '-' gets a '0')

#include <string>
#include <vector>

#include "cluster/ip_address.h"
#include "cluster/model.h"
#include "rules/endpoints.h"

namespace vmdns::rules {

std::string dashed_name(const cluster::IpAddress& address);

// The first label of an endpoint's name below its Service: its hostname; else, with
// `endpoint_pod_names`, its Pod or VMI name when that is a DNS label; else its dashed address.
std::string endpoint_label(const Endpoint& endpoint, bool endpoint_pod_names);

// Whether an endpoint is published: ready, or any with publishNotReadyAddresses.
bool is_published(const Endpoint& endpoint, const cluster::Service& service);
bool has_published(const cluster::Service& service, const std::vector<Endpoint>& endpoints);
// Whether `ignore empty_service` removes the Service: a ClusterIP Service, not headless, with
// no published endpoint.
bool is_ignored_empty(const cluster::Service& service, const std::vector<Endpoint>& endpoints,
                      bool ignore_empty_service);

}  // namespace vmdns::rules
