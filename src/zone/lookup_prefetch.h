#pragma once
// One lookup's prefetch taken a level at a time (lookup_prefetch.cc): the shard's route, then
// the shard and the name's slot, then the name's key, its node, its sets. A worker steps every
// query of a batch through one level before the next, so the batch's misses at each level
// overlap and each level reads only lines the level before started loading.
//
//   LookupPrefetch p[32];
//   for (i...) zone->prefetch_first(lowercased[i], p[i]);     // as each query is parsed
//   for (bool more = true; more;) { more = false; for (i...) more |= Zone::prefetch_next(p[i]); }
//
// Only hints: a wrong guess (another name with the same hash bits) costs a useless load, and
// nothing here waits for memory that no level before asked for. `name` must outlive it.

#include <cstdint>
#include <string_view>

namespace vmdns::zone {

class Zone;
class ShardTable;
class Node;

struct LookupPrefetch {
  std::string_view name;       // lowercased wire form
  uint32_t hash = 0;           // NameTable::hash(name)
  const Zone* part = nullptr;  // the zone, then the part (shard) the name is in
  const ShardTable* shards = nullptr;
  uint32_t apex_hash = 0;  // of the shard apex the name would be under
  uint32_t entry = 0;      // the key entry found in the part's name table
  const Node* node = nullptr;
  uint8_t level = 0;  // 0: done
};

}  // namespace vmdns::zone
