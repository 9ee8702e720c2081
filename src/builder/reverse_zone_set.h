#pragma once
// The reverse zones (reverse_rules.h), kept from one snapshot to the next so that a change
// rebuilds only the blocks of addresses it touches.
//
//   ReverseZoneSet reverse(config);                      // empty, for these --reverse-zone apexes
//   reverse.set_service(key, &service, &endpoints);     // each Service, again when it changes
//   reverse.set_service(key, nullptr, nullptr);         // a Service removed
//   reverse.set_more(vmi_key, vm_interface_ptrs);       // a VMI's --vm-zone PTRs, again on change
//   std::vector<Zone> zones = reverse.zones(config, state, endpoints);   // for a snapshot
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

class ReverseZoneSet {
 public:
  ReverseZoneSet() = default;
  // For `config.reverse_zones` (and the first of `config.zones`, which PTR targets are in).
  explicit ReverseZoneSet(const rules::ZoneConfig& config);

  // The PTRs of the Service `key` are now those of `service` with `endpoints` (both nullptr:
  // it is gone). The pointers are only read by this call.
  void set_service(const cluster::ObjectKey& key, const cluster::Service* service,
                   const rules::KeptEndpoints* endpoints);
  // The PTRs from outside the cluster zones of `group` (the --vm-zone names of one VMI),
  // replacing that group's last ones. The PTRs of one address come in the order of the groups.
  void set_more(const cluster::ObjectKey& group, const std::vector<rules::AddressName>& more);

  // Every reverse zone, with the blocks changed since the last call rebuilt. `state` and
  // `endpoints` hold the current Service and endpoints of every key last given to set_service
  // with a Service; the SOA serial comes from `config`, whose other fields must be the
  // constructor's.
  std::vector<zone::Zone> zones(
      const rules::ZoneConfig& config, const cluster::State& state,
      const std::map<cluster::ObjectKey, rules::KeptEndpoints>& endpoints);

  // Blocks rebuilt by the last zones(), for tests and logs.
  size_t last_blocks_rebuilt() const { return last_blocks_rebuilt_; }

 private:
  struct ReverseZone {
    dns::Name apex;
    std::optional<rules::ReversePrefix> holds;  // the addresses under the apex; none: no address
    size_t block_units;  // octets or nibbles that name a block (a shard)
    zone::ShardTable blocks;
  };
  // Where the PTRs of an address go: its zone, and the address's first block_units units, or
  // `in_top` when the address has fewer units than a block name (a /32 zone).
  struct Block {
    uint32_t zone;
    bool in_top;
    cluster::IpAddress prefix;
    auto operator<=>(const Block&) const = default;
  };
  // False when no reverse zone holds the address.
  bool block_of(const cluster::IpAddress& address, Block& block) const;
  // Adds the PTRs of one Service that lie in the `wanted` blocks (all when nullptr) to `out`.
  void add_service_ptrs(const cluster::Service& service,
                        const rules::KeptEndpoints& endpoints,
                        const std::set<Block>* wanted,
                        std::map<Block, rules::PtrTargets>& out) const;

  // A Service's PTRs in one block, as a hash of the addresses and targets in order.
  struct BlockShare {
    Block block;
    uint64_t hash;
  };
  // Keys of blocks_of_service_, ordered as the keys themselves (the rules' order of targets).
  struct KeyOrder {
    bool operator()(const cluster::ObjectKey* a, const cluster::ObjectKey* b) const {
      return *a < *b;
    }
  };
  using ServiceKeys = std::set<const cluster::ObjectKey*, KeyOrder>;

  rules::ZoneConfig config_;
  std::vector<ReverseZone> zones_;  // most specific apex first
  // The Services with PTRs in each block. Each Service's key is held once, in
  // blocks_of_service_ (a std::map node does not move): a block refers to it.
  std::map<Block, ServiceKeys> services_in_block_;
  std::map<cluster::ObjectKey, std::vector<BlockShare>> blocks_of_service_;
  // The PTRs of set_more in each block, by group; and the blocks each group has PTRs in.
  std::map<Block, std::map<cluster::ObjectKey, std::vector<rules::AddressName>>> more_in_block_;
  std::map<cluster::ObjectKey, std::set<Block>> blocks_of_group_;
  std::set<Block> changed_blocks_;
  bool all_changed_ = true;  // nothing built yet: every block is new
  size_t last_blocks_rebuilt_ = 0;
};

}  // namespace vmdns::builder
