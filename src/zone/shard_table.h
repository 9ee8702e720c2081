#pragma once
// The shards of a zone, by apex: each a whole subtree (all names at and below the shard's apex,
// e.g. one Service's <svc>.<ns>.svc.<zone>), held by shared_ptr so that consecutive snapshots
// share the shards a change did not touch. The builder keeps one table, changes the few entries
// a change touches, and gives each snapshot a copy (pointers and the apex index, not the shards
// themselves).
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
  const RecordCounts& record_counts() const { return counts_; }
  // Every shard, in no set order; removed ones are nullptr.
  const std::vector<std::shared_ptr<const Zone>>& zones() const { return zones_; }
  size_t memory_bytes() const {
    return apexes_.memory_bytes() + zones_.capacity() * sizeof(zones_[0]) +
           routes_.capacity() * sizeof(Route);
  }

 private:
  // find()'s own hash table: from a slot straight to the shard, whose apex (in the Zone object
  // the lookup goes on with) confirms the hit. No key buffer, no index, no shared_ptr on the
  // way: a name under a Service costs one slot and one Zone more than a name of the top.
  struct Route {
    uint32_t hash = 0;
    uint32_t index = kNoRoute;  // in zones_; kNoRoute marks an empty slot
    const Zone* zone = nullptr;
    // The shard's name table slots (NameTable::slot_data, slot_count - 1), for the prefetch.
    const uint64_t* slots = nullptr;
    size_t slot_mask = 0;
  };
  template <bool kPrefetch>
  const Zone* find_route(std::string_view lowercased_wire, uint32_t name_hash) const;
  static constexpr uint32_t kNoRoute = UINT32_MAX;
  void route(std::string_view apex, uint32_t index);
  void compact();

  NameTable apexes_;  // lowercased wire apex -> index in zones_
  std::vector<std::shared_ptr<const Zone>> zones_;
  std::vector<Route> routes_;  // a power of two in size, at most 3/4 full
  size_t removed_ = 0;  // nullptr entries in zones_
  RecordCounts counts_;  // the sum of the shards' records by type
};

}  // namespace vmdns::zone
