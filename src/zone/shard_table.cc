#include "zone/shard_table.h"

#include <cstring>
#include <string_view>
#include <utility>

#include "zone/zone.h"

namespace vmdns::zone {
namespace {

const std::vector<std::shared_ptr<const Zone>> kNoZones;
const RecordCounts kNoCounts;

// `apex` a route's: its length octet, then the wire form.
bool apex_is(const char* apex, std::string_view name) {
  return static_cast<uint8_t>(apex[0]) == name.size() &&
         std::memcmp(apex + 1, name.data(), name.size()) == 0;
}

}  // namespace

ShardTable::ShardTable(const ShardTable& other)
    : shared_(other.shared_), routes_(other.routes_), route_mask_(other.route_mask_) {
  other.copied_ = true;
  copied_ = true;
}

ShardTable& ShardTable::operator=(const ShardTable& other) {
  if (this != &other) {
    shared_ = other.shared_;
    routes_ = other.routes_;
    route_mask_ = other.route_mask_;
    other.copied_ = true;
    copied_ = true;
  }
  return *this;
}

const RecordCounts& ShardTable::record_counts() const {
  return shared_ ? shared_->counts : kNoCounts;
}

const std::vector<std::shared_ptr<const Zone>>& ShardTable::zones() const {
  return shared_ ? shared_->zones : kNoZones;
}

size_t ShardTable::memory_bytes() const {
  return shared_ ? shared_->zones.capacity() * sizeof(shared_->zones[0]) +
                       shared_->routes.capacity() * sizeof(Route)
                 : 0;
}

ShardTable::Shared& ShardTable::own() {
  if (!shared_) {
    shared_ = std::make_shared<Shared>();
  } else if (copied_) {
    shared_ = std::make_shared<Shared>(*shared_);
  }
  copied_ = false;
  return *shared_;
}

const Zone* ShardTable::find(std::string_view lowercased_wire) const {
  return find_route<false>(lowercased_wire, 0);
}

const Zone* ShardTable::find(std::string_view lowercased_wire, uint32_t name_hash) const {
  return find_route<true>(lowercased_wire, name_hash);
}

template <bool kPrefetch>
const Zone* ShardTable::find_route(std::string_view lowercased_wire, uint32_t name_hash) const {
  if (routes_ == nullptr) {
    return nullptr;
  }
  uint32_t h = NameTable::hash(lowercased_wire);
  size_t mask = route_mask_;
  for (size_t i = h & mask;; i = (i + 1) & mask) {
    const Route& route = routes_[i];
    if (route.index == kNoRoute) {
      return nullptr;
    }
    if (route.hash != h) {
      continue;
    }
    if constexpr (kPrefetch) {
      if (route.slots != nullptr) {
        __builtin_prefetch(route.slots + (name_hash & route.slot_mask));
      }
    }
    // Apexes are unique: a route whose apex differs is another's.
    if (apex_is(route.apex, lowercased_wire)) {
      return route.zone;
    }
  }
}

void ShardTable::prefetch(std::string_view lowercased_wire, uint32_t name_hash) const {
  if (routes_ == nullptr) {
    return;
  }
  uint32_t h = NameTable::hash(lowercased_wire);
  size_t mask = route_mask_;
  // The first route with the apex's hash: almost always the shard itself; a wrong guess only
  // costs a useless prefetch.
  for (size_t i = h & mask;; i = (i + 1) & mask) {
    const Route& route = routes_[i];
    if (route.index == kNoRoute) {
      return;
    }
    if (route.hash == h) {
      __builtin_prefetch(route.zone);
      __builtin_prefetch(route.apex);
      if (route.slots != nullptr) {
        __builtin_prefetch(route.slots + (name_hash & route.slot_mask));
      }
      return;
    }
  }
}

size_t ShardTable::probe(const std::vector<Route>& routes, std::string_view apex, uint32_t h) {
  size_t mask = routes.size() - 1;
  size_t i = h & mask;
  while (routes[i].index != kNoRoute && !(routes[i].hash == h && apex_is(routes[i].apex, apex))) {
    i = (i + 1) & mask;
  }
  return i;
}

void ShardTable::set(const dns::Name& apex, std::shared_ptr<const Zone> shard) {
  if (shard && shard->empty()) {
    shard.reset();
  }
  std::string_view key = apex.wire_view();
  uint32_t h = NameTable::hash(key);
  size_t slot = routes_ == nullptr ? 0 : probe(shared_->routes, key, h);
  bool routed = routes_ != nullptr && routes_[slot].index != kNoRoute;
  if (!routed && !shard) {
    return;  // neither there before nor now: nothing to copy
  }
  Shared& shared = own();
  // The running sum: a shard's count (its own part's few numbers, or a pod.<zone>'s buckets')
  // out with it, the new one's in.
  auto count = [&shared](const Zone& zone, int sign) {
    RecordCounts counts;
    zone.add_record_counts(counts);
    merge_record_counts(shared.counts, counts, sign);
  };
  if (shard) {
    count(*shard, 1);
  }
  if (!routed) {
    shared.zones.push_back(std::move(shard));
    route(shared, static_cast<uint32_t>(shared.zones.size() - 1));
  } else {
    uint32_t index = shared.routes[slot].index;
    count(*shared.zones[index], -1);
    if (shard) {
      // The same apex: the route stays where it is, pointing at the new shard (before the old
      // one, whose apex it points to, may go).
      fill(shared.routes[slot], index, *shard);
      shared.zones[index] = std::move(shard);
    } else {
      // Removed: its route goes (its apex goes with the shard), its place in zones stays
      // empty until the list is compacted.
      unroute(shared, slot);
      shared.zones[index] = nullptr;
      ++shared.removed;
      if (shared.removed > 64 && shared.removed > shared.zones.size() / 2) {
        compact(shared);
      }
    }
  }
  routes_ = shared.routes.empty() ? nullptr : shared.routes.data();
  route_mask_ = shared.routes.empty() ? 0 : shared.routes.size() - 1;
}

void ShardTable::fill(Route& route, uint32_t index, const Zone& zone) {
  route = {NameTable::hash(zone.apex_wire()), index, &zone,
           reinterpret_cast<const char*>(zone.records_.get()), nullptr, 0};
  if (zone.names_.slot_count() > 0) {
    route.slots = zone.names_.slot_data();
    route.slot_mask = static_cast<uint32_t>(zone.names_.slot_count() - 1);
  }
}

// Adds the route of zones[index], a shard whose apex has none.
void ShardTable::route(Shared& shared, uint32_t index) {
  std::vector<Route>& routes = shared.routes;
  if ((shared.zones.size() - shared.removed + 1) * 4 > routes.size() * 3) {
    std::vector<Route> old(routes.empty() ? 16 : routes.size() * 2);
    old.swap(routes);
    size_t mask = routes.size() - 1;
    for (const Route& r : old) {
      if (r.index == kNoRoute) {
        continue;
      }
      size_t i = r.hash & mask;
      while (routes[i].index != kNoRoute) {
        i = (i + 1) & mask;
      }
      routes[i] = r;
    }
  }
  const Zone& zone = *shared.zones[index];
  size_t mask = routes.size() - 1;
  size_t i = NameTable::hash(zone.apex_wire()) & mask;
  while (routes[i].index != kNoRoute) {
    i = (i + 1) & mask;
  }
  fill(routes[i], index, zone);
}

// Empties routes[slot] and moves back the routes after it in the run whose probe would now
// stop short of them (deletion from a linear probe without tombstones).
void ShardTable::unroute(Shared& shared, size_t slot) {
  std::vector<Route>& routes = shared.routes;
  size_t mask = routes.size() - 1;
  size_t hole = slot;
  for (size_t i = (hole + 1) & mask; routes[i].index != kNoRoute; i = (i + 1) & mask) {
    size_t home = routes[i].hash & mask;
    // routes[i] may fill the hole when its home is not cyclically within (hole, i].
    bool stays = hole <= i ? (hole < home && home <= i) : (hole < home || home <= i);
    if (!stays) {
      routes[hole] = routes[i];
      hole = i;
    }
  }
  routes[hole] = Route{};
}

// A list mostly made of removed shards is made again without them.
void ShardTable::compact(Shared& shared) {
  std::vector<std::shared_ptr<const Zone>> live;
  live.reserve(shared.zones.size() - shared.removed);
  for (auto& zone : shared.zones) {
    if (zone) {
      live.push_back(std::move(zone));
    }
  }
  shared.zones.clear();
  shared.routes.clear();
  shared.removed = 0;
  for (auto& zone : live) {
    shared.zones.push_back(std::move(zone));
    route(shared, static_cast<uint32_t>(shared.zones.size() - 1));
  }
}

}  // namespace vmdns::zone
