// Zone::prefetch_first / prefetch_next and ShardTable's part of them: a lookup's cache lines,
// loaded a level at a time across a batch of queries (lookup_prefetch.h).

#include <array>

#include "zone/lookup_prefetch.h"
#include "zone/shard_table.h"
#include "zone/zone.h"

namespace vmdns::zone {

void ShardTable::prefetch_route(uint32_t apex_hash) const {
  if (routes_ != nullptr) {
    __builtin_prefetch(&routes_[apex_hash & route_mask_]);
  }
}

const Zone* ShardTable::prefetch_shard(uint32_t apex_hash, uint32_t name_hash) const {
  if (routes_ == nullptr) {
    return nullptr;
  }
  size_t mask = route_mask_;
  for (size_t i = apex_hash & mask;; i = (i + 1) & mask) {
    const Route& route = routes_[i];
    if (route.index == kNoRoute) {
      return nullptr;
    }
    if (route.hash == apex_hash) {
      __builtin_prefetch(route.zone);
      __builtin_prefetch(route.apex);
      if (route.slots != nullptr) {
        __builtin_prefetch(route.slots + (name_hash & route.slot_mask));
      }
      return route.zone;
    }
  }
}

void Zone::prefetch_first(std::string_view name, LookupPrefetch& p) const {
  p = LookupPrefetch{};
  p.name = name;
  p.hash = NameTable::hash(name);
  p.part = this;
  if (shards_) {
    // The deepest shard depth the name reaches: the common case, a name under a Service.
    std::array<uint8_t, dns::kMaxNameLength / 2 + 1> starts;
    size_t labels = 0;
    for (size_t at = 0; at < name.size() && name[at] != 0 && labels < starts.size();
         at += 1 + static_cast<uint8_t>(name[at])) {
      starts[labels++] = static_cast<uint8_t>(at);
    }
    size_t apex_labels = apex_labels_;
    for (uint8_t depth : shard_depths_) {
      if (depth == 0) {
        break;
      }
      if (labels >= apex_labels + depth) {
        p.shards = shards_.get();
        p.apex_hash = NameTable::hash(name.substr(starts[labels - apex_labels - depth]));
        p.shards->prefetch_route(p.apex_hash);
        p.level = 1;
        return;
      }
    }
  }
  size_t count = names_.slot_count();
  if (count > 0) {
    __builtin_prefetch(names_.slot_data() + (p.hash & (count - 1)));
    p.level = 2;
  }
}

bool Zone::prefetch_next(LookupPrefetch& p) {
  switch (p.level) {
    case 1: {
      // The route is loaded: load the shard and its slot for the name (or the top's slot).
      if (const Zone* shard = p.shards->prefetch_shard(p.apex_hash, p.hash)) {
        p.part = shard;
      } else if (size_t count = p.part->names_.slot_count(); count > 0) {
        __builtin_prefetch(p.part->names_.slot_data() + (p.hash & (count - 1)));
      }
      p.level = 2;
      return true;
    }
    case 2: {
      // The slot is loaded: load the key entry it points to (index, length, key).
      p.entry = p.part->names_.first_entry(p.hash);
      if (p.entry == UINT32_MAX) {
        break;  // not in the table: the answer reads the zone's SOA, which stays warm
      }
      // The entry: its index, length octet and the name's octets below the part's apex.
      const char* entry = p.part->names_.entry_data(p.entry);
      size_t below = p.name.size() > p.part->apex_size_ ? p.name.size() - p.part->apex_size_ : 0;
      __builtin_prefetch(entry);
      __builtin_prefetch(entry + 4 + below);
      p.level = 3;
      return true;
    }
    case 3: {
      // The entry is loaded: load the node.
      uint32_t index = p.part->names_.entry_index(p.entry);
      if (index >= p.part->nodes().size()) {
        break;
      }
      p.node = &p.part->nodes_[index];
      __builtin_prefetch(p.node);
      p.level = 4;
      return true;
    }
    case 4: {
      // The node is loaded: load its sets, and the rdata of the first.
      if (p.node->rrsets().empty()) {
        break;
      }
      __builtin_prefetch(p.node->rrsets().data());
      p.level = 5;
      return true;
    }
    case 5: {
      for (const RrSet& set : p.node->rrsets()) {
        __builtin_prefetch(set.data().data());
      }
      break;
    }
    default:
      break;
  }
  p.level = 0;
  return false;
}

}  // namespace vmdns::zone
