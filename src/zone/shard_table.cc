#include "zone/shard_table.h"

#include <string_view>
#include <utility>

#include "zone/zone.h"

namespace vmdns::zone {

const Zone* ShardTable::find(std::string_view lowercased_wire) const {
  return find_route<false>(lowercased_wire, 0);
}

const Zone* ShardTable::find(std::string_view lowercased_wire, uint32_t name_hash) const {
  return find_route<true>(lowercased_wire, name_hash);
}

template <bool kPrefetch>
const Zone* ShardTable::find_route(std::string_view lowercased_wire, uint32_t name_hash) const {
  if (routes_.empty()) {
    return nullptr;
  }
  uint32_t h = NameTable::hash(lowercased_wire);
  size_t mask = routes_.size() - 1;
  for (size_t i = h & mask;; i = (i + 1) & mask) {
    const Route& route = routes_[i];
    if (route.index == kNoRoute) {
      return nullptr;
    }
    if (route.hash != h || route.zone == nullptr) {
      continue;
    }
    if constexpr (kPrefetch) {
      if (route.slots != nullptr) {
        __builtin_prefetch(route.slots + (name_hash & route.slot_mask));
      }
    }
    // Apexes are unique: a route whose apex differs (or whose shard was removed) is another's.
    if (route.zone->apex().wire_view() == lowercased_wire) {
      return route.zone;
    }
  }
}

void ShardTable::prefetch(std::string_view lowercased_wire, uint32_t name_hash) const {
  if (routes_.empty()) {
    return;
  }
  uint32_t h = NameTable::hash(lowercased_wire);
  size_t mask = routes_.size() - 1;
  // The first route with the apex's hash: almost always the shard itself; a wrong guess only
  // costs a useless prefetch.
  for (size_t i = h & mask;; i = (i + 1) & mask) {
    const Route& route = routes_[i];
    if (route.index == kNoRoute) {
      return;
    }
    if (route.hash == h && route.zone != nullptr) {
      __builtin_prefetch(route.zone);
      __builtin_prefetch(reinterpret_cast<const char*>(route.zone) + 64);
      if (route.slots != nullptr) {
        __builtin_prefetch(route.slots + (name_hash & route.slot_mask));
      }
      return;
    }
  }
}

void ShardTable::set(const dns::Name& apex, std::shared_ptr<const Zone> shard) {
  if (shard && shard->empty()) {
    shard.reset();
  }
  // The running sum: a shard's count (its own part's few numbers, or a pod.<zone>'s buckets')
  // out with it, the new one's in.
  auto count = [this](const Zone& zone, int sign) {
    RecordCounts counts;
    zone.add_record_counts(counts);
    merge_record_counts(counts_, counts, sign);
  };
  if (shard) {
    count(*shard, 1);
  }
  std::string_view key = apex.wire_view();
  uint32_t index = apexes_.find(key);
  if (index == NameTable::kMissing) {
    if (shard) {
      index = apexes_.insert(key).first;
      zones_.push_back(std::move(shard));
      route(key, index);
    }
    return;
  }
  if (zones_[index]) {
    count(*zones_[index], -1);
  }
  if (zones_[index] && !shard) {
    ++removed_;
  } else if (!zones_[index] && shard) {
    --removed_;
  }
  zones_[index] = std::move(shard);
  route(key, index);
  if (removed_ > 64 && removed_ > zones_.size() / 2) {
    compact();
  }
}

// Points the route of `apex` (which is at `index`) at zones_[index], adding the route if new.
void ShardTable::route(std::string_view apex, uint32_t index) {
  if ((zones_.size() + 1) * 4 > routes_.size() * 3) {
    std::vector<Route> old(routes_.empty() ? 16 : routes_.size() * 2);
    old.swap(routes_);
    size_t mask = routes_.size() - 1;
    for (const Route& r : old) {
      if (r.index == kNoRoute) {
        continue;
      }
      size_t i = r.hash & mask;
      while (routes_[i].index != kNoRoute) {
        i = (i + 1) & mask;
      }
      routes_[i] = r;
    }
  }
  uint32_t h = NameTable::hash(apex);
  size_t mask = routes_.size() - 1;
  size_t i = h & mask;
  while (routes_[i].index != kNoRoute && routes_[i].index != index) {
    i = (i + 1) & mask;
  }
  const Zone* zone = zones_[index].get();
  Route& slot = routes_[i];
  slot = {h, index, zone, nullptr, 0};
  if (zone != nullptr && zone->names_.slot_count() > 0) {
    slot.slots = zone->names_.slot_data();
    slot.slot_mask = zone->names_.slot_count() - 1;
  }
}

// The name table cannot forget a key: a table mostly made of removed shards is built again.
void ShardTable::compact() {
  std::vector<std::shared_ptr<const Zone>> live;
  live.reserve(zones_.size() - removed_);
  for (auto& zone : zones_) {
    if (zone) {
      live.push_back(std::move(zone));
    }
  }
  apexes_ = NameTable();
  zones_.clear();
  routes_.clear();
  removed_ = 0;
  for (auto& zone : live) {
    uint32_t index = apexes_.insert(zone->apex().wire_view()).first;
    zones_.push_back(std::move(zone));
    route(zones_.back()->apex().wire_view(), index);
  }
}

}  // namespace vmdns::zone
