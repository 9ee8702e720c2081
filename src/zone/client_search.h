#pragma once
// Who is asking: the search list of every VMI guest and Pod, by the address its queries come
// from. Computed when a snapshot is built, so that the query path only looks an address up
// (server-side search, --autopath; short names, --expand-short-names).
//
//   ClientSearchIndex index = ClientSearchIndex::build(state, config);
//   const ClientSearch* client = index.find(address_octets);   // 4 or 16 octets; nullptr: unknown
//   client->search[0];           // mysubdomain.default.svc.cluster.local.  (the page's vmi-fedora)
//   client->namespace_domain;    // default.svc.cluster.local.
//
// The search lists are the ones the workloads really get (resolvconf/): a VMI's guest gets its
// launcher pod's list with its subdomain entry first (KubeVirt's DHCP server); a Pod gets
// kubelet's list for its dnsPolicy and dnsConfig. VMIs are always indexed; Pods only with
// --pods verified, as CoreDNS's autopath needs its verified pod data. Clients with the same
// list share one copy. An address claimed by several workloads goes to a VMI before a Pod, to a
// Running one before others, then to the first in namespace/name order.

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "cluster/model.h"
#include "dns/name.h"
#include "zone/config.h"

namespace vmdns::zone {

struct ClientSearch {
  std::vector<dns::Name> search;  // lowercased, in the order the client's resolver tries them
  dns::Name namespace_domain;     // <ns>.svc.<first zone>, lowercased
};

class ClientSearchIndex {
 public:
  static ClientSearchIndex build(const cluster::State& state, const ZoneConfig& config);

  // `address` is the 4 octets of an IPv4 or the 16 of an IPv6 address (an IPv4-mapped IPv6
  // address is looked up as IPv4). No allocation.
  const ClientSearch* find(std::span<const uint8_t> address) const;
  size_t client_count() const { return by_address_.size(); }
  bool empty() const { return by_address_.empty(); }

 private:
  struct Hash {
    using is_transparent = void;
    size_t operator()(std::string_view s) const noexcept {
      return std::hash<std::string_view>{}(s);
    }
  };
  std::vector<ClientSearch> lists_;
  std::unordered_map<std::string, uint32_t, Hash, std::equal_to<>> by_address_;  // -> lists_
};

}  // namespace vmdns::zone
