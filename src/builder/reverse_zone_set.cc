#include "builder/reverse_zone_set.h"

#include <algorithm>
#include <utility>

#include "dns/rdata.h"
#include "zone/zone_builder.h"

namespace vmdns::builder {
namespace {

// A block is an IPv4 /24 (<c>.<b>.<a>.in-addr.arpa) or an IPv6 /112 (28 nibbles): a rebuild
// stays small (at most 256 or 65,536 addresses) while a cluster's addresses, allocated per
// node in ranges, fill few blocks.
constexpr size_t kIpv4BlockOctets = 3;
constexpr size_t kIpv6BlockNibbles = 28;

void add_ptrs(zone::ZoneBuilder& builder, rules::PtrTargets* targets,
              const std::map<cluster::ObjectKey, std::vector<rules::AddressName>>* more,
              uint32_t ttl) {
  if (targets != nullptr) {
    // The targets of one address come one after the other: its owner is computed once.
    std::optional<cluster::IpAddress> last;
    dns::Name owner;
    targets->for_each([&](const cluster::IpAddress& address, std::span<const uint8_t> target) {
      if (address != last) {
        last = address;
        owner = rules::reverse_name(address);
      }
      builder.add(owner, dns::RrType::PTR, ttl, target);
    });
  }
  // The cluster zones' PTRs first: an address with both keeps CoreDNS's targets in front and
  // their TTL for the set (the builder gives a set its first record's TTL).
  if (more != nullptr) {
    for (const auto& [group, ptrs] : *more) {
      for (const rules::AddressName& ptr : ptrs) {
        builder.add(rules::reverse_name(ptr.address), dns::RrType::PTR, ptr.ttl,
                    dns::rdata::name(ptr.name));
      }
    }
  }
}

// FNV-1a: the hash of a Service's share of a block only has to change when the share does.
constexpr uint64_t kHashSeed = 14695981039346656037ull;
uint64_t mix(uint64_t hash, const void* data, size_t size) {
  const auto* bytes = static_cast<const uint8_t*>(data);
  for (size_t i = 0; i < size; ++i) {
    hash = (hash ^ bytes[i]) * 1099511628211ull;
  }
  return hash;
}

template <typename Map, typename Key>
auto* find_or_null(Map& map, const Key& key) {
  auto it = map.find(key);
  return it == map.end() ? nullptr : &it->second;
}

}  // namespace

ReverseZoneSet::ReverseZoneSet(const rules::ZoneConfig& config) : config_(config) {
  if (config.zones.empty()) {
    return;
  }
  // Distinct apexes, most specific first, so that a PTR lands in the deepest zone holding it.
  std::vector<dns::Name> apexes;
  for (const dns::Name& apex : config.reverse_zones) {
    dns::Name lowered = apex.lowercased();
    if (std::find(apexes.begin(), apexes.end(), lowered) == apexes.end()) {
      apexes.push_back(lowered);
    }
  }
  std::stable_sort(apexes.begin(), apexes.end(), [](const dns::Name& a, const dns::Name& b) {
    return a.label_count() > b.label_count();
  });
  for (const dns::Name& apex : apexes) {
    std::optional<rules::ReversePrefix> holds = rules::reverse_prefix(apex);
    bool v4 = !holds || holds->prefix.is_v4();
    // A zone at or below the block boundary is split one unit (octet, nibble) below its apex.
    size_t units = holds ? holds->units : 0;
    size_t block_units = std::max(v4 ? kIpv4BlockOctets : kIpv6BlockNibbles, units + 1);
    zones_.push_back({apex, holds, block_units, zone::ShardTable()});
  }
}

bool ReverseZoneSet::block_of(const cluster::IpAddress& address, Block& block) const {
  for (uint32_t z = 0; z < zones_.size(); ++z) {
    const ReverseZone& zone = zones_[z];
    if (!zone.holds || !rules::has_prefix(address, zone.holds->prefix, zone.holds->units)) {
      continue;
    }
    block.zone = z;
    block.in_top = zone.block_units > (address.is_v4() ? 4u : 32u);
    block.prefix =
        block.in_top ? cluster::IpAddress() : rules::prefix_of(address, zone.block_units);
    return true;
  }
  return false;
}

void ReverseZoneSet::set_service(const cluster::ObjectKey& key, const cluster::Service* service,
                                 KeptService& kept) {
  if (zones_.empty()) {
    return;
  }
  const rules::KeptEndpoints* endpoints = &kept.endpoints;
  // What the Service puts in each block, hashed in order: a block is rebuilt only when that
  // changes, so that one endpoint of a Service spread over many blocks rebuilds one block.
  std::vector<ReverseShare> shares;
  if (service != nullptr && rules::service_ptr_target(*service, config_.zones.front())) {
    rules::for_each_ptr_address(
        config_, *service, *endpoints,
        [&](const cluster::IpAddress& address, const rules::KeptEndpoint* endpoint) {
          Block block;
          if (!block_of(address, block)) {
            return;
          }
          auto share = std::find_if(shares.rbegin(), shares.rend(),
                                    [&block](const ReverseShare& s) { return s.block == block; });
          if (share == shares.rend()) {
            shares.push_back({block, kHashSeed});
            share = shares.rbegin();
          }
          uint64_t& hash = share->hash;
          hash = mix(hash, address.bytes.data(), address.bytes.size());
          hash = mix(hash, &address.family, 1);
          uint8_t is_endpoint = endpoint != nullptr ? 1 : 0;
          hash = mix(hash, &is_endpoint, 1);
          if (endpoint != nullptr) {
            std::string label = endpoint->label();
            hash = mix(hash, label.data(), label.size() + 1);  // with its terminating 0
          }
        });
    std::sort(shares.begin(), shares.end(),
              [](const ReverseShare& a, const ReverseShare& b) { return a.block < b.block; });
  }
  // The blocks refer to the key of the caller's entry: it stays while the Service has a block.
  const cluster::ObjectKey* held_key = &key;
  const ReverseShares& old = kept.reverse;
  // Both lists are sorted by block: walk them side by side.
  auto a = old.begin();
  auto b = shares.begin();
  while (a != old.end() || b != shares.end()) {
    if (b == shares.end() || (a != old.end() && a->block < b->block)) {
      auto readers = services_in_block_.find(a->block);
      std::vector<const cluster::ObjectKey*>& keys = readers->second;
      auto at = std::find(keys.begin(), keys.end(), held_key);
      *at = keys.back();
      keys.pop_back();
      if (keys.empty()) {
        services_in_block_.erase(readers);
      }
      changed_blocks_.insert(a->block);
      ++a;
    } else if (a == old.end() || b->block < a->block) {
      services_in_block_[b->block].push_back(held_key);
      if (!all_changed_) {
        changed_blocks_.insert(b->block);
      }
      ++b;
    } else {
      if (a->hash != b->hash) {
        changed_blocks_.insert(b->block);
      }
      ++a;
      ++b;
    }
  }
  ReverseShares now;
  if (!shares.empty()) {
    now.shares_ = std::make_unique_for_overwrite<ReverseShare[]>(shares.size());
    std::copy(shares.begin(), shares.end(), now.shares_.get());
    now.size_ = static_cast<uint32_t>(shares.size());
  }
  kept.reverse = std::move(now);
}

void ReverseZoneSet::set_more(const cluster::ObjectKey& group,
                              const std::vector<rules::AddressName>& more) {
  std::map<Block, std::vector<rules::AddressName>> grouped;
  for (const rules::AddressName& ptr : more) {
    if (Block block; block_of(ptr.address, block)) {
      grouped[block].push_back(ptr);
    }
  }
  if (grouped.empty() && !blocks_of_group_.contains(group)) {
    return;  // none before, none now: most VMIs without a reverse zone for their addresses
  }
  std::set<Block>& blocks = blocks_of_group_[group];
  for (const Block& block : blocks) {
    if (!grouped.contains(block)) {
      auto in_block = more_in_block_.find(block);
      in_block->second.erase(group);
      if (in_block->second.empty()) {
        more_in_block_.erase(in_block);
      }
      changed_blocks_.insert(block);
    }
  }
  blocks.clear();
  for (auto& [block, ptrs] : grouped) {
    blocks.insert(block);
    std::vector<rules::AddressName>& held = more_in_block_[block][group];
    if (held != ptrs) {
      held = std::move(ptrs);
      changed_blocks_.insert(block);
    }
  }
  if (blocks.empty()) {
    blocks_of_group_.erase(group);
  }
}

void ReverseZoneSet::add_service_ptrs(const cluster::Service& service,
                                      const rules::KeptEndpoints& endpoints,
                                      const std::set<Block>* wanted,
                                      std::map<Block, rules::PtrTargets>& out) const {
  auto name = rules::service_ptr_target(service, config_.zones.front());
  if (!name) {
    return;
  }
  // Consecutive addresses mostly share a block: its targets are looked up once.
  std::optional<Block> last;
  rules::PtrTargets* targets = nullptr;
  rules::for_each_ptr_address(
      config_, service, endpoints,
      [&](const cluster::IpAddress& address, const rules::KeptEndpoint* endpoint) {
        Block block;
        if (!block_of(address, block)) {
          return;
        }
        if (block != last) {
          last = block;
          targets = wanted == nullptr || wanted->contains(block) ? &out[block] : nullptr;
        }
        if (targets == nullptr) {
          return;
        }
        if (endpoint == nullptr) {
          targets->add(address, false, name->wire());
        } else if (auto host = name->prepend(endpoint->label())) {
          targets->add(address, true, host->wire());
        }
      });
}

std::vector<zone::Zone> ReverseZoneSet::zones(const rules::ZoneConfig& config,
                                              const cluster::State& state,
                                              const KeptServices& kept) {
  std::vector<zone::Zone> out;
  if (zones_.empty()) {
    return out;
  }
  // The PTRs of the changed blocks and of the tops, which are built with every snapshot: from
  // every Service with one there, in key order, as the rules order the targets of an address.
  std::map<Block, rules::PtrTargets> targets;
  if (all_changed_) {
    for (const auto& [key, service] : kept) {
      if (!service.reverse.empty()) {
        add_service_ptrs(state.services.at(key), service.endpoints, nullptr, targets);
      }
    }
    for (const auto& [block, ptrs] : more_in_block_) {
      changed_blocks_.insert(block);
    }
    for (const auto& [block, readers] : services_in_block_) {
      changed_blocks_.insert(block);
    }
  } else {
    std::set<Block> wanted = changed_blocks_;
    for (uint32_t z = 0; z < zones_.size(); ++z) {
      wanted.insert({z, true, cluster::IpAddress()});
    }
    ServiceKeys readers;
    for (const Block& block : wanted) {
      if (const auto* in_block = find_or_null(services_in_block_, block)) {
        readers.insert(in_block->begin(), in_block->end());
      }
    }
    for (const cluster::ObjectKey* key : readers) {
      add_service_ptrs(state.services.at(*key), kept.at(*key).endpoints, &wanted, targets);
    }
  }

  last_blocks_rebuilt_ = 0;
  for (const Block& block : changed_blocks_) {
    if (block.in_top) {
      continue;
    }
    ReverseZone& zone = zones_[block.zone];
    dns::Name apex = rules::reverse_name(block.prefix, zone.block_units);
    zone::ZoneBuilder builder(apex);
    add_ptrs(builder, find_or_null(targets, block), find_or_null(more_in_block_, block),
             config.ttl);
    zone.blocks.set(apex, std::make_shared<const zone::Zone>(std::move(builder).finish_shard()));
    ++last_blocks_rebuilt_;
  }
  changed_blocks_.clear();
  all_changed_ = false;

  const dns::Name& first = config.zones.front();
  dns::Name ns_name = *(*first.prepend("dns")).prepend("ns");
  dns::Name hostmaster = *first.prepend("hostmaster");
  for (uint32_t z = 0; z < zones_.size(); ++z) {
    ReverseZone& zone = zones_[z];
    zone::ZoneBuilder top(zone.apex);
    top.add(zone.apex, dns::RrType::SOA, config.negative_ttl,
            dns::rdata::soa(ns_name, hostmaster, config.serial, 7200, 1800, 86400,
                            config.negative_ttl));
    top.add(zone.apex, dns::RrType::NS, config.ttl, dns::rdata::name(ns_name));
    // The empty non-terminals between the apex and the blocks.
    size_t apex_length = zone.apex.wire_length();
    for (const auto& block : zone.blocks.zones()) {
      if (block) {
        std::string_view wire = block->apex_wire();
        std::string_view parent = wire.substr(1 + static_cast<uint8_t>(wire[0]));
        if (parent.size() > apex_length) {
          top.add_name(parent);
        }
      }
    }
    Block in_top{z, true, cluster::IpAddress()};
    add_ptrs(top, find_or_null(targets, in_top), find_or_null(more_in_block_, in_top), config.ttl);
    auto depth = static_cast<uint8_t>(zone.block_units - (zone.holds ? zone.holds->units : 0));
    out.push_back(zone::Zone::join(std::move(top).finish(),
                             std::make_shared<const zone::ShardTable>(zone.blocks), {depth}));
  }
  return out;
}

}  // namespace vmdns::builder
