#pragma once
// The endpoints of one Service as the builder keeps them between snapshots: what the reverse
// zones and the apex NS read again when another change rebuilds them (each endpoint's address,
// readiness and name label), packed into one exact-size allocation.
//
//   std::vector<Endpoint> endpoints = index.endpoints_of(service);   // for the Service's records
//   KeptEndpoints kept(endpoints, config.endpoint_pod_names);        // kept until it changes
//   for (const KeptEndpoint& e : kept) {
//     ... e.address, e.ready, e.label() ("myvmi", or the dashed address "10-244-0-57") ...
//   }
//
// A std::vector<Endpoint> kept 112 bytes an endpoint (two strings, a shared list of ports) and
// grew by doubling; this is one block of [flags, 4 or 16 address octets, label] per endpoint,
// about 16 bytes for a VMI with a 10-letter hostname (its second address, when dual-stack,
// 17 more: the label is not repeated). Ports are not kept: only the Service's
// own records read them, and those are built from the endpoints_of() that this is made from.
// The label is resolved when kept (endpoint_label(): the hostname, else with
// `endpoint_pod_names` the Pod or VMI name when it is a DNS label, else the dashed address,
// which is not stored but made again from the address); a change of that option is a change
// of the config, after which the builder builds and keeps everything again.

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "cluster/ip_address.h"
#include "rules/endpoints.h"

namespace vmdns::rules {

// One kept endpoint, made when a KeptEndpoints is read (its label points into the block).
struct KeptEndpoint {
  cluster::IpAddress address;
  bool ready = false;
  std::string_view name;  // the label when it is not the dashed address, else empty

  // The first label of the endpoint's name below its Service (as endpoint_label() gave it).
  std::string label() const;
};

class KeptEndpoints {
 public:
  KeptEndpoints() = default;  // none
  KeptEndpoints(const std::vector<Endpoint>& endpoints, bool endpoint_pod_names);

  size_t size() const;
  bool empty() const { return size() == 0; }
  // The bytes held (the one block), for tests and measurements.
  size_t allocated_bytes() const;

  class Iterator {
   public:
    using value_type = KeptEndpoint;
    using difference_type = std::ptrdiff_t;
    Iterator() = default;
    explicit Iterator(const uint8_t* at) : at_(at) {}
    KeptEndpoint operator*() const;
    Iterator& operator++();
    Iterator operator++(int) {
      Iterator before = *this;
      ++*this;
      return before;
    }
    bool operator==(const Iterator& other) const { return at_ == other.at_; }

   private:
    const uint8_t* at_ = nullptr;
    std::string_view previous_name_;  // the last entry's label text, for kSameName
  };
  Iterator begin() const;
  Iterator end() const;

 private:
  // [uint32 entries][uint32 bytes of entries] then per endpoint: one octet of flags, the
  // address (4 octets for IPv4, 16 for IPv6), and with kHasName the label's length (one
  // octet, or 255 and four octets) and its text; with kSameName the label is the previous
  // endpoint's, not repeated (a dual-stack workload's second address). Null when there is no
  // endpoint.
  std::unique_ptr<uint8_t[]> block_;
};

}  // namespace vmdns::rules
