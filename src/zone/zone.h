#pragma once
// One zone, frozen: the names in a flat hash table (NameTable), node i's sets a slice of one
// array, and every rdata in one block after them. A handful of allocations for the whole zone,
// so that a snapshot of a million records builds in well under a second and holds little
// beyond the record data itself. Movable, not copyable: nodes and sets point into the zone's
// own block. Made by ZoneBuilder (zone_builder.h), then only read, by any number of threads.
//
// A zone may be split into parts: a top (the apex and what every change touches) and shards
// (shard_table.h), each a whole subtree held by shared_ptr, so that consecutive snapshots share
// the shards a change did not touch. find() routes a name to its shard with one hash lookup per
// shard depth.
//
//   const Node* n = zone.find(lowercased_wire);             // nullptr: NXDOMAIN
//   const RrSet* s = n ? n->find(RrType::A) : nullptr;      // nullptr: NODATA

#include <array>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <functional>
#include <memory>
#include <span>
#include <string_view>
#include <utility>
#include <vector>

#include "dns/name.h"
#include "zone/lookup_prefetch.h"
#include "zone/name_table.h"
#include "zone/node.h"
#include "zone/record_counts.h"
#include "zone/rr_set.h"
#include "zone/shard_table.h"

namespace vmdns::zone {

struct PodLeaves;  // pod_leaves.h

class Zone {
 public:
  explicit Zone(const dns::Name& apex);
  Zone(Zone&&) = default;
  Zone& operator=(Zone&&) = default;
  Zone(const Zone&) = delete;
  Zone& operator=(const Zone&) = delete;

  // A zone made of `top` (which holds the apex and its SOA) and `shards`, subtrees whose apexes
  // are `shard_depths` labels below the apex (deepest first, at most kMaxShardDepths values).
  // No shard apex may lie at or below another's, and `top` holds no name at or below a shard
  // apex: each name lives in exactly one part.
  static constexpr size_t kMaxShardDepths = 2;
  static Zone join(Zone top, std::shared_ptr<const ShardTable> shards,
                   std::vector<uint8_t> shard_depths);
  // A zone (pod.<zone>) whose names two labels below the apex, <address>.<namespace>.<apex>,
  // are in `leaves` (pod_leaves.h), while `top` holds the apex and the namespaces' names: a name
  // is there when its namespace's name is in `top` and its leaf bucket holds it. With
  // leaves->subtrees (the --vm-zone), every name two labels or more below the apex that `top`
  // does not hold is looked up in the bucket of its label two below the apex.
  static Zone with_leaves(Zone top, std::shared_ptr<const PodLeaves> leaves);
  // A zone (pod.<zone> with --pods insecure) whose names two labels below the apex,
  // <label>.<namespace>.<apex>, are made at query time: a name is there when its namespace's
  // name is in `top`; whether `label` is an address, and the record it makes, the query path
  // decides (query/synthesized_node.h). find() only names such a name (QueryTimeName).
  static Zone with_dashed_addresses(Zone top, uint32_t ttl);

  // A name of a with_dashed_addresses part that no table holds but that may be made at query
  // time: <label>.<namespace>.<apex>, <namespace>.<apex> one of the part's names. `label` is the
  // first label without its length octet (a view into the name looked up); empty: none.
  struct QueryTimeName {
    std::string_view label;
    uint32_t ttl = 0;
  };

  // The apex, lowercased: its wire octets (what lookups compare), or as a name.
  std::string_view apex_wire() const {
    const auto* at = reinterpret_cast<const char*>(records_.get());
    return {at + 1, static_cast<uint8_t>(at[0])};
  }
  dns::Name apex() const { return dns::Name::from_valid_wire(apex_wire()); }
  size_t apex_label_count() const { return apex_labels_; }
  // `lowercased_wire` is the lowercased uncompressed wire form of a name at or below the apex
  // (Snapshot::find_zone's). Nullptr when no table holds it; then, with `query_time`, a name
  // that may be made at query time (with_dashed_addresses) is named there.
  // A part's table keys each name by its octets below the part's apex, filed under the hash of
  // the whole name: the name is hashed once, as it comes, and only the octets below the apex
  // are compared, as the apex is already known to match (a shard's by its route, this zone's by
  // the caller; a name of this zone's own table is checked all the same, as before).
  const Node* find(std::string_view lowercased_wire, QueryTimeName* query_time = nullptr) const {
    uint32_t hash = NameTable::hash(lowercased_wire);
    const Zone* part = shards_ ? part_for(lowercased_wire, hash) : this;
    if (lowercased_wire.size() < part->apex_size_) {
      return nullptr;
    }
    size_t below = lowercased_wire.size() - part->apex_size_;
    uint32_t index = part->names_.find(lowercased_wire.substr(0, below), hash);
    if (index != NameTable::kMissing) {
      if (part == this && lowercased_wire.substr(below) != apex_wire()) {
        return nullptr;  // not a name of this zone: a caller's mistake, answered as absent
      }
      return &part->nodes_[index];
    }
    if (part->leaves_) {
      return part->find_leaf(lowercased_wire);
    }
    if (query_time != nullptr && part->dashed_addresses_) {
      part->find_query_time(lowercased_wire, *query_time);
    }
    return nullptr;
  }
  const Node* find(const dns::Name& lowercased, QueryTimeName* query_time = nullptr) const {
    return find(lowercased.wire_view(), query_time);
  }
  // Calls f(std::string_view lowercased_wire, uint32_t ttl) for each name whose children are
  // made at query time (the namespaces of a with_dashed_addresses part), in no set order.
  template <typename F>
  void for_each_dashed_parent(F&& f) const {
    if (dashed_addresses_) {
      for_each_namespace([&](std::string_view name) { f(name, dashed_ttl_); });
    }
    for_each_shard([&f](const Zone& shard) { shard.for_each_dashed_parent(f); });
  }
  // Starts loading the first cache lines find(lowercased_wire) will read: the shard's route,
  // Zone object and name table slot, or this zone's slot. Answers nothing and waits for
  // nothing: a worker calls it for every query of a batch before answering the first, so that
  // the batch's lookups miss the caches together rather than one after another.
  void prefetch(std::string_view lowercased_wire) const;
  // Starts a staged prefetch of find(lowercased_wire) (LookupPrefetch): its first level.
  void prefetch_first(std::string_view lowercased_wire, LookupPrefetch& p) const;
  // The next level of `p`; false when nothing is left to load.
  static bool prefetch_next(LookupPrefetch& p);
  // The apex SOA, written into the authority section of negative answers (RFC 2308 section 3).
  const RrSet& soa() const { return soa_ != nullptr ? *soa_ : kNoSet; }
  size_t node_count() const;
  size_t record_count() const;
  // Adds this zone's records by type to `counts`, its shards' and leaves' included: each part
  // keeps its own count from its build and a shard table the sum of its shards', so this reads
  // a few numbers per part rather than every node (a snapshot's metrics after each change).
  //   RecordCounts counts; zone.add_record_counts(counts);   // {{A, 120}, {SOA, 1}, ...}
  void add_record_counts(RecordCounts& counts) const;
  // No name of its own: a shard built without records (ZoneBuilder::finish_shard).
  bool empty() const { return nodes_ == nullptr; }
  // Heap bytes held by this zone's index and records, its shards' included (a shard shared
  // with another snapshot counts in both).
  size_t memory_bytes() const;
  // The shards (Zone::join); nullptr for a zone in one part.
  const ShardTable* shards() const { return shards_.get(); }

  // Calls f(std::string_view lowercased_wire, const Node&) for every node, in no set order.
  // The name is put together on the stack (a part keeps each name's octets below its apex):
  // it lasts for the call only.
  template <typename F>
  void for_each_node(F&& f) const {
    for_each_owner([&f](std::string_view below, std::string_view apex, const Node& node) {
      std::array<char, dns::kMaxNameLength> name;
      std::memcpy(name.data(), below.data(), below.size());
      std::memcpy(name.data() + below.size(), apex.data(), apex.size());
      f(std::string_view(name.data(), below.size() + apex.size()), node);
    });
  }
  // The same, each name in two views that last as long as the zone: its octets below its
  // part's apex, and that apex (the name is below + apex). For a caller that keeps the names
  // (a zone transfer sorts them), without a copy of each.
  template <typename F>
  void for_each_owner(F&& f) const {
    std::string_view apex = apex_wire();
    names_.for_each_key(
        [&](uint32_t i, std::string_view below) { f(below, apex, nodes_[i]); });
    for_each_shard([&f](const Zone& shard) { shard.for_each_owner(f); });
    if (leaves_) {
      for_each_leaf([&f](std::string_view below, std::string_view leaf_apex, const Node& node) {
        f(below, leaf_apex, node);
      });
    }
  }

 private:
  friend class ZoneBuilder;
  friend struct ZoneDiffAccess;  // zone_diff.cc compares parts by identity
  friend class ShardTable;  // its routes keep a copy of where a shard's name table slots are
  // A set as the builder leaves it: its entries at `offset` of the builder's data, their
  // header (RrSet::header_size) before them.
  struct SetDraft {
    uint32_t offset;
    uint32_t length;
    uint32_t ttl;
    uint32_t count;
    dns::RrType type;
    RrSet::Entries entries;
  };
  // A node as the builder leaves it: `count` sets from index `first`.
  struct NodeDraft {
    uint32_t first = 0;
    uint32_t count = 0;
  };
  // Makes the builder's nodes, sets, rdatas and counts by type in records_, after the apex and
  // the name table's slots and keys.
  void adopt_records(std::span<const NodeDraft> nodes, std::span<const SetDraft> sets,
                     std::span<const uint8_t> data,
                     std::span<const std::pair<dns::RrType, uint32_t>> type_counts);
  // The octets of records_ the apex takes: its length octet and wire form, padded to 8.
  size_t apex_bytes() const { return (apex_wire().size() + 1 + 7) & ~size_t{7}; }
  // A name's octets below the apex, for a name at or below it.
  std::string_view below_apex(std::string_view name) const {
    return name.substr(0, name.size() - apex_size_);
  }
  // names_.find() of a name at or below the apex, given whole.
  uint32_t index_of(std::string_view name) const {
    return names_.find(below_apex(name), NameTable::hash(name));
  }
  // Makes the node indexes in a set of references' entries (each `fixed` octets of the SRV's
  // fixed part, then the index) references to their keys, and fills in the set's apex offset.
  // `keys`: where each node's key is, by node index.
  void resolve_references(uint8_t* set_data, size_t length, size_t fixed,
                          std::span<const char* const> keys);
  // The part that holds `lowercased_wire` if it is in this zone: the shard whose apex is a
  // suffix of it, else the top (this).
  const Zone* part_for(std::string_view lowercased_wire, uint32_t name_hash) const;
  // The length of the first label of `name` with its length octet, when `name` is
  // <label>.<namespace>.<apex> and <namespace>.<apex> is one of names_; else 0.
  size_t leaf_label_end(std::string_view name) const;
  // find() for a name not in names_ of a zone with leaves.
  const Node* find_leaf(std::string_view lowercased_wire) const;
  // The offset in `name` of its label two below the apex (a leaves->subtrees bucket's key), or
  // npos when `name` is not two labels or more below the apex.
  size_t subtree_label_at(std::string_view name) const;
  // find() for a name not in names_ of a zone with dashed addresses: names it in `query_time`
  // when it has the shape of one made at query time.
  void find_query_time(std::string_view lowercased_wire, QueryTimeName& query_time) const;
  // Calls f(std::string_view name) for each of names_ one label below the apex (the name put
  // together on the stack, for the call only).
  void for_each_namespace(const std::function<void(std::string_view)>& f) const;
  // Every leaf name, as for_each_owner gives names.
  void for_each_leaf(
      const std::function<void(std::string_view, std::string_view, const Node&)>& f) const;

  template <typename F>
  void for_each_shard(F&& f) const {
    if (shards_) {
      for (const auto& shard : shards_->zones()) {
        if (shard) {
          f(*shard);
        }
      }
    }
  }

  // The nodes by index (names_.size() of them), in records_; null before adopt_records.
  std::span<const Node> nodes() const {
    return {nodes_, nodes_ == nullptr ? 0 : names_.size()};
  }
  // This part's own records by type (not its shards' or leaves'), ascending type: the last
  // type_counts_size_ pairs of records_.
  using TypeCount = std::pair<dns::RrType, uint32_t>;
  std::span<const TypeCount> type_counts() const {
    return {reinterpret_cast<const TypeCount*>(records_.get() + records_bytes_) - type_counts_size_,
            type_counts_size_};
  }

  // What a lookup reads first, together: the name table, the nodes, where the apex is (a
  // shard's confirms a ShardTable hit). A shard of a Service is this object and one block;
  // the object is 104 octets, so that with a shared_ptr's count before it (make_shared) it
  // takes the allocator's 128-octet class: what only a top or a leaves part needs is not in
  // it twice (its nodes' count is the table's, its counts by type are at the end of its
  // block).
  // name -> node index, each key the octets below the apex; its slots and keys in records_
  NameTable names_;
  const Node* nodes_ = nullptr;   // by node index, in records_
  // The apex (its length octet and lowercased wire form, padded to 8), the name table's slots,
  // offsets and keys, the nodes, then their sets node by node, then the sets' rdatas and this
  // part's counts by type: one allocation of their exact size, in the order a lookup reads
  // them, so that a lookup in a small zone (a Service's shard) stays in a page or two.
  std::unique_ptr<std::byte[]> records_;
  uint32_t records_bytes_ = 0;
  uint8_t apex_labels_ = 0;
  uint8_t apex_size_ = 0;  // apex_wire().size(), what find() strips from a name
  bool dashed_addresses_ = false;            // Zone::with_dashed_addresses
  std::array<uint8_t, kMaxShardDepths> shard_depths_{};
  uint16_t type_counts_size_ = 0;  // type_counts()
  uint32_t dashed_ttl_ = 0;
  const RrSet* soa_ = nullptr;  // the apex SOA set, in records_, kept at hand
  static const RrSet kNoSet;     // soa() of a zone without one (a shard)
  // A part of at most kCountedBySets sets and names (a Service's shard) keeps no counts by
  // type: its sets are counted when asked (16 octets of a shard's block, which then fits a
  // smaller size class of the allocator).
  static constexpr size_t kCountedBySets = 16;
  // Shards (Zone::join), and the depths below the apex at which their apexes are (deepest
  // first; 0 ends the list).
  std::shared_ptr<const ShardTable> shards_;
  std::shared_ptr<const PodLeaves> leaves_;  // Zone::with_leaves
};

static_assert(sizeof(Zone) <= 104, "a shard and its shared_ptr count in 128 octets");

}  // namespace vmdns::zone
