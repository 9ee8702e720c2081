#pragma once
// The shards of a zone, by apex: each a whole subtree (all names at and below the shard's apex,
// e.g. one Service's <svc>.<ns>.svc.<zone>), held by shared_ptr so that consecutive snapshots
// share the shards a change did not touch. The builder keeps one table, changes the few entries
// a change touches, and gives each snapshot a copy. A copy shares the table's routes and
// shard list with the original until one of them is changed (copy on write), so that the
// builder's table and the published snapshot's hold one list between builds, not two.
//
//   ShardTable table;
//   table.set(service_apex, std::make_shared<const Zone>(std::move(b).finish_shard()));
//   Zone zone = Zone::join(std::move(top), std::make_shared<const ShardTable>(table), {3, 1});

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string_view>
#include <vector>

#include "dns/name.h"
#include "zone/name_table.h"
#include "zone/record_counts.h"

namespace vmdns::zone {

class Zone;

class ShardTable {
 public:
  ShardTable() = default;
  // A copy shares the routes and shards with `other` until either is changed.
  ShardTable(const ShardTable& other);
  ShardTable& operator=(const ShardTable& other);
  ShardTable(ShardTable&&) noexcept = default;
  ShardTable& operator=(ShardTable&&) noexcept = default;

  // Puts `shard` in place of the shard with the same apex; nullptr or a zone without names
  // removes it.
  void set(const dns::Name& apex, std::shared_ptr<const Zone> shard);
  // The shard whose apex is `lowercased_wire`, or nullptr. With `name_hash`, the NameTable
  // hash of the whole name being looked up, the shard's name table slot for that name is
  // prefetched as soon as the route is read, so that it loads while the shard's apex (in its
  // Zone object, another cache line) confirms the route: the two misses overlap.
  const Zone* find(std::string_view lowercased_wire) const;
  const Zone* find(std::string_view lowercased_wire, uint32_t name_hash) const;
  // Starts loading what find(lowercased_wire, name_hash) and the lookup in the shard will read
  // first (the shard's Zone object and the name's slot), without waiting for any of it.
  void prefetch(std::string_view lowercased_wire, uint32_t name_hash) const;
  // LookupPrefetch's levels: the route slot of a shard apex, then (once it is loaded) the shard
  // it names and that shard's slot for `name_hash`; nullptr when no route has the apex's hash.
  void prefetch_route(uint32_t apex_hash) const;
  const Zone* prefetch_shard(uint32_t apex_hash, uint32_t name_hash) const;
  // The records of every shard by type (Zone::add_record_counts), kept as shards are set.
  const RecordCounts& record_counts() const;
  // Every shard, in no set order; removed ones are nullptr.
  const std::vector<std::shared_ptr<const Zone>>& zones() const;
  // The bytes of the routes and the shard list, which copies share.
  size_t memory_bytes() const;

 private:
  // find()'s own hash table: from a slot straight to the shard, confirmed by the shard's apex
  // (at the front of its record block, which the route points to). No key buffer, no index,
  // no shared_ptr on the way: a name under a Service costs one slot and one Zone more than a
  // name of the top.
  struct Route {
    uint32_t hash = 0;
    uint32_t index = kNoRoute;  // in zones; kNoRoute marks an empty slot
    const Zone* zone = nullptr;
    const char* apex = nullptr;  // the shard's apex: its length octet, then its wire form
    // The shard's name table slots (NameTable::slot_data, slot_count - 1), for the prefetch.
    const uint64_t* slots = nullptr;
    uint32_t slot_mask = 0;
  };
  static constexpr uint32_t kNoRoute = UINT32_MAX;
  // What copies share until one is changed.
  struct Shared {
    std::vector<std::shared_ptr<const Zone>> zones;
    std::vector<Route> routes;  // a power of two in size, at most 3/4 full; no removed shard
    size_t removed = 0;    // nullptr entries in zones
    RecordCounts counts;   // the sum of the shards' records by type
  };
  template <bool kPrefetch>
  const Zone* find_route(std::string_view lowercased_wire, uint32_t name_hash) const;
  // The slot of the route of `apex` (hash h) in `routes`, or of the empty slot ending its probe.
  static size_t probe(const std::vector<Route>& routes, std::string_view apex, uint32_t h);
  static void fill(Route& route, uint32_t index, const Zone& zone);
  static void route(Shared& shared, uint32_t index);
  static void unroute(Shared& shared, size_t slot);
  static void compact(Shared& shared);
  // shared_, made this table's own before a change.
  Shared& own();

  std::shared_ptr<Shared> shared_;
  // shared_ may be another table's too: the next change copies it first. Set on both sides of
  // a copy (the builder's thread makes every copy; readers never read this).
  mutable bool copied_ = false;
  // shared_->routes as find() reads it: no load of shared_ on the way.
  const Route* routes_ = nullptr;
  size_t route_mask_ = 0;
};

}  // namespace vmdns::zone
