#pragma once
// The reverse zones (reverse_rules.h), kept from one snapshot to the next so that a change
// rebuilds only the blocks of addresses it touches.
//
//   ReverseZoneSet reverse(config);                   // empty, for these --reverse-zone apexes
//   KeptServices kept;                                // the caller's, one entry per Service
//   auto at = kept.try_emplace(key).first;           // at->second.endpoints = its endpoints
//   reverse.set_service(at->first, &service, at->second);  // each Service, again on change
//   reverse.set_service(at->first, nullptr, at->second);   // removed: then kept.erase(at)
//   reverse.set_more(vmi_key, vm_interface_ptrs);    // a VMI's --vm-zone PTRs, again on change
//   std::vector<Zone> zones = reverse.zones(config, state, kept);   // for a snapshot
//
// Each reverse zone is a top (apex SOA and NS, the empty non-terminals above the blocks) joined
// with one shard per block of addresses (Zone::join): an IPv4 /24 (<c>.<b>.<a>.in-addr.arpa) or
// an IPv6 /112 (28 nibbles); in a zone whose apex is at or below that boundary, one address.
// A block is rebuilt when the PTRs a Service has in it change (a hash of them, per Service and
// block, tells), or when the extra PTRs in it change; the others are shared with the last
// snapshot. A rebuild
// reads each Service with a PTR in a rebuilt block once, whatever the number of its blocks.

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "cluster/model.h"
#include "rules/kept_endpoints.h"
#include "rules/reverse_rules.h"
#include "rules/reverse_zone.h"
#include "rules/zone_config.h"
#include "zone/snapshot.h"

namespace vmdns::builder {

// Where the PTRs of an address go: a zone of ReverseZoneSet, and the address's first units (a
// block), or `in_top` when the address has fewer units than a block name (a /32 zone).
struct ReverseBlock {
  uint32_t zone;
  bool in_top;
  cluster::IpAddress prefix;
  auto operator<=>(const ReverseBlock&) const = default;
};

// A Service's PTRs in one block, as a hash of the addresses and targets in order.
struct ReverseShare {
  ReverseBlock block;
  uint64_t hash;
};

// The blocks a Service has PTRs in, by block: ReverseZoneSet's, kept in the Service's entry
// (KeptService) so that the Service's key is held once. Exact size.
class ReverseShares {
 public:
  const ReverseShare* begin() const { return shares_.get(); }
  const ReverseShare* end() const { return shares_.get() + size_; }
  bool empty() const { return size_ == 0; }

 private:
  friend class ReverseZoneSet;
  std::unique_ptr<ReverseShare[]> shares_;
  uint32_t size_ = 0;
};

// What the builder keeps of each Service between builds: its endpoints, as the reverse zones
// and the apex NS read them again (rules/kept_endpoints.h), and its shares of the reverse
// blocks.
struct KeptService {
  rules::KeptEndpoints endpoints;
  ReverseShares reverse;
};
using KeptServices = std::map<cluster::ObjectKey, KeptService>;

class ReverseZoneSet {
 public:
  ReverseZoneSet() = default;
  // For `config.reverse_zones` (and the first of `config.zones`, which PTR targets are in).
  explicit ReverseZoneSet(const rules::ZoneConfig& config);

  // The PTRs of the Service `key` are now those of `service` with `kept.endpoints` (nullptr:
  // it is gone). `key` and `kept` are the Service's entry of the KeptServices that zones() is
  // given: the blocks refer to that key while the Service has PTRs, so the entry stays until a
  // call with nullptr (after which it may go).
  void set_service(const cluster::ObjectKey& key, const cluster::Service* service,
                   KeptService& kept);
  // The PTRs from outside the cluster zones of `group` (the --vm-zone names of one VMI),
  // replacing that group's last ones. The PTRs of one address come in the order of the groups.
  void set_more(const cluster::ObjectKey& group, const std::vector<rules::AddressName>& more);

  // Every reverse zone, with the blocks changed since the last call rebuilt. `state` and
  // `kept` hold the current Service and entry of every key last given to set_service with a
  // Service; the SOA serial comes from `config`, whose other fields must be the constructor's.
  std::vector<zone::Zone> zones(const rules::ZoneConfig& config, const cluster::State& state,
                                const KeptServices& kept);

  // Blocks rebuilt by the last zones(), for tests and logs.
  size_t last_blocks_rebuilt() const { return last_blocks_rebuilt_; }

 private:
  struct ReverseZone {
    dns::Name apex;
    std::optional<rules::ReversePrefix> holds;  // the addresses under the apex; none: no address
    size_t block_units;  // octets or nibbles that name a block (a shard)
    zone::ShardTable blocks;
  };
  using Block = ReverseBlock;
  // False when no reverse zone holds the address.
  bool block_of(const cluster::IpAddress& address, Block& block) const;
  // Adds the PTRs of one Service that lie in the `wanted` blocks (all when nullptr) to `out`.
  void add_service_ptrs(const cluster::Service& service,
                        const rules::KeptEndpoints& endpoints,
                        const std::set<Block>* wanted,
                        std::map<Block, rules::PtrTargets>& out) const;

  // Keys of KeptServices, ordered as the keys themselves (the rules' order of targets).
  struct KeyOrder {
    bool operator()(const cluster::ObjectKey* a, const cluster::ObjectKey* b) const {
      return *a < *b;
    }
  };
  using ServiceKeys = std::set<const cluster::ObjectKey*, KeyOrder>;

  rules::ZoneConfig config_;
  std::vector<ReverseZone> zones_;  // most specific apex first
  // The Services with PTRs in each block, in no order: each refers to the key of its entry of
  // the caller's KeptServices (a std::map node does not move), which holds it once.
  std::map<Block, std::vector<const cluster::ObjectKey*>> services_in_block_;
  // The PTRs of set_more in each block, by group; and the blocks each group has PTRs in.
  std::map<Block, std::map<cluster::ObjectKey, std::vector<rules::AddressName>>> more_in_block_;
  std::map<cluster::ObjectKey, std::set<Block>> blocks_of_group_;
  std::set<Block> changed_blocks_;
  bool all_changed_ = true;  // nothing built yet: every block is new
  size_t last_blocks_rebuilt_ = 0;
};

}  // namespace vmdns::builder
