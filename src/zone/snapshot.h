#pragma once
// An immutable, fully computed view of our zones: every record in uncompressed wire form, keyed
// by lowercased owner name in a flat hash table. Built once by zone::build(), then only read (by any number of
// threads, without locks); a change builds a new snapshot to the side (DESIGN.md habit 3).
//
// A zone may be split into parts: a top (the apex and what every change touches) and shards,
// each a whole subtree (all names at and below the shard's apex, e.g. one Service's
// <svc>.<ns>.svc.<zone>), held by shared_ptr so that consecutive snapshots share the shards a
// change did not touch. find() routes a name to its shard with one hash lookup per shard depth.
//
//   const Zone* z = snapshot.find_zone(lowercased_qname);       // longest matching apex
//   const Node* n = z ? z->find(lowercased_qname) : nullptr;     // nullptr: NXDOMAIN
//   const RrSet* s = n ? n->find(RrType::A) : nullptr;           // nullptr: NODATA

#include <array>
#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "dns/name.h"
#include "dns/types.h"
#include "zone/client_search.h"
#include "zone/name_table.h"

namespace vmdns::zone {

// The records of one owner name and type: a view of rdatas stored back to back in the zone's
// record buffer, each prefixed by its 2-octet length, copied to the wire in one pass.
class RrSet {
 public:
  RrSet() = default;
  RrSet(dns::RrType type, uint32_t ttl, uint32_t count, std::span<const uint8_t> data)
      : data_(data.data()), length_(static_cast<uint32_t>(data.size())), ttl_(ttl),
        count_(count), type_(type) {}

  dns::RrType type() const { return type_; }
  uint32_t ttl() const { return ttl_; }
  size_t size() const { return count_; }
  // The length-prefixed rdatas, back to back.
  std::span<const uint8_t> data() const { return {data_, length_}; }

  // Calls f(std::span<const uint8_t>) for each rdata in insertion order.
  template <typename F>
  void for_each(F&& f) const {
    size_t at = 0;
    while (at + 2 <= length_) {
      size_t len = (size_t{data_[at]} << 8) | data_[at + 1];
      f(std::span<const uint8_t>(data_ + at + 2, len));
      at += 2 + len;
    }
  }

 private:
  const uint8_t* data_ = nullptr;
  uint32_t length_ = 0;
  uint32_t ttl_ = 0;
  uint32_t count_ = 0;
  dns::RrType type_ = dns::RrType::SOA;
};

// All record sets of one name, sorted by type. A node without sets is an empty non-terminal: it
// exists (NODATA, not NXDOMAIN) because names exist below it (RFC 8020).
struct Node {
  std::span<const RrSet> rrsets;
  const RrSet* find(dns::RrType type) const;
};

class Zone;
class ShardTable;
struct PodLeaves;  // pod_leaves.h

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

// Room for the one node a lookup may make at query time (Zone::with_dashed_addresses): a name
// whose only record is the address written in its first label. The caller keeps it (on its
// stack) for as long as it reads the node; it holds no heap memory, and each make() replaces
// the node it made before.
class SynthesizedNode {
 public:
  SynthesizedNode() = default;
  SynthesizedNode(const SynthesizedNode&) = delete;  // node_ points into this object
  SynthesizedNode& operator=(const SynthesizedNode&) = delete;

  // A node with one A (4 octets) or AAAA (16 octets) record.
  const Node* make(dns::RrType type, uint32_t ttl, std::span<const uint8_t> address);

 private:
  std::array<uint8_t, 2 + 16> rdata_{};  // the 2-octet length, then the address
  RrSet set_;
  Node node_;
};

// The shards of a zone, by apex: what consecutive snapshots of a zone share. The builder keeps
// one, changes the few entries a change touches, and gives each snapshot a copy (pointers and
// the apex index, not the shards themselves).
//
//   ShardTable table;
//   table.set(service_apex, std::make_shared<const Zone>(std::move(b).finish_shard()));
//   Zone zone = Zone::join(std::move(top), std::make_shared<const ShardTable>(table), {3, 1});
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
};

// One zone, frozen: the names in a flat hash table (NameTable), node i's sets a slice of one
// array, and every rdata in one buffer after them. A handful of allocations for the whole zone, so that a
// snapshot of a million records builds in well under a second and holds little beyond the
// record data itself. Movable, not copyable: nodes and sets point into the zone's own buffers.
class Zone {
 public:
  explicit Zone(const dns::Name& apex) : apex_(apex.lowercased()) {}
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
  // is there when its namespace's name is in `top` and its leaf bucket holds it.
  static Zone with_leaves(Zone top, std::shared_ptr<const PodLeaves> leaves);
  // A zone (pod.<zone> with --pods insecure) whose names two labels below the apex,
  // <label>.<namespace>.<apex>, are made at query time: a name is there when its namespace's
  // name is in `top` and `label` is a dashed address (dashed_address.h); its one record is
  // that address, A or AAAA, with `ttl`. Only find() with a SynthesizedNode makes them.
  static Zone with_dashed_addresses(Zone top, uint32_t ttl);

  const dns::Name& apex() const { return apex_; }
  // `lowercased_wire` is the lowercased uncompressed wire form of a name in this zone. With
  // `made`, a name made at query time (with_dashed_addresses) is found too, its node in `made`.
  const Node* find(std::string_view lowercased_wire, SynthesizedNode* made = nullptr) const {
    uint32_t hash = NameTable::hash(lowercased_wire);
    const Zone* part = shards_ ? part_for(lowercased_wire, hash) : this;
    uint32_t index = part->names_.find(lowercased_wire, hash);
    if (index != NameTable::kMissing) {
      return &part->nodes_[index];
    }
    if (part->leaves_) {
      return part->find_leaf(lowercased_wire);
    }
    if (made != nullptr && part->dashed_addresses_) {
      return part->find_dashed(lowercased_wire, *made);
    }
    return nullptr;
  }
  const Node* find(const dns::Name& lowercased, SynthesizedNode* made = nullptr) const {
    return find(lowercased.wire_view(), made);
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
  const RrSet& soa() const { return soa_; }
  size_t node_count() const;
  size_t record_count() const;
  // No name of its own: a shard built without records (ZoneBuilder::finish_shard).
  bool empty() const { return nodes_.empty(); }
  // Heap bytes held by this zone's index and records, its shards' included (a shard shared
  // with another snapshot counts in both).
  size_t memory_bytes() const;
  // The shards (Zone::join); nullptr for a zone in one part.
  const ShardTable* shards() const { return shards_.get(); }

  // Calls f(std::string_view lowercased_wire, const Node&) for every node, in no set order.
  template <typename F>
  void for_each_node(F&& f) const {
    for (uint32_t i = 0; i < nodes_.size(); ++i) {
      f(names_.key(i), nodes_[i]);
    }
    for_each_shard([&f](const Zone& shard) { shard.for_each_node(f); });
    if (leaves_) {
      for_each_leaf([&f](std::string_view name, const Node& node) { f(name, node); });
    }
  }

 private:
  friend class ZoneBuilder;
  friend class ShardTable;  // its routes keep a copy of where a shard's name table slots are
  // Copies the builder's nodes, sets and rdatas into records_, pointing each at its new place,
  // and moves the name table's slots and keys to the front of records_.
  void adopt_records(std::span<const Node> nodes, std::span<const RrSet> sets,
                     std::span<const uint8_t> data);
  // The part that holds `lowercased_wire` if it is in this zone: the shard whose apex is a
  // suffix of it, else the top (this).
  const Zone* part_for(std::string_view lowercased_wire, uint32_t name_hash) const;
  // The length of the first label of `name` with its length octet, when `name` is
  // <label>.<namespace>.<apex> and <namespace>.<apex> is one of names_; else 0.
  size_t leaf_label_end(std::string_view name) const;
  // find() for a name not in names_ of a zone with leaves.
  const Node* find_leaf(std::string_view lowercased_wire) const;
  // find() for a name not in names_ of a zone with dashed addresses.
  const Node* find_dashed(std::string_view lowercased_wire, SynthesizedNode& made) const;
  // Calls f(std::string_view name) for each of names_ one label below the apex.
  void for_each_namespace(const std::function<void(std::string_view)>& f) const;
  // Every leaf name, as for_each_node gives names.
  void for_each_leaf(const std::function<void(std::string_view, const Node&)>& f) const;

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

  // What a lookup reads first, together: the name table, the nodes, the apex (a shard's
  // confirms a ShardTable hit).
  NameTable names_;               // name -> node index
  std::span<const Node> nodes_;   // by node index, in records_
  dns::Name apex_;
  // The name table's slots and keys, the nodes, then their sets node by node, then the sets'
  // rdatas: one allocation of their exact size, in the order a lookup reads them, so that a
  // lookup in a small zone (a Service's shard) stays in a page or two.
  std::unique_ptr<std::byte[]> records_;
  size_t records_bytes_ = 0;
  RrSet soa_;                  // a copy of the apex SOA set, kept at hand
  size_t record_count_ = 0;
  // Shards (Zone::join), and the depths below apex_ at which their apexes are (deepest first;
  // 0 ends the list).
  std::shared_ptr<const ShardTable> shards_;
  std::array<uint8_t, kMaxShardDepths> shard_depths_{};
  std::shared_ptr<const PodLeaves> leaves_;  // Zone::with_leaves
  bool dashed_addresses_ = false;            // Zone::with_dashed_addresses
  uint32_t dashed_ttl_ = 0;
};

class Snapshot {
 public:
  // `fallthrough`: ZoneConfig::fallthrough, lowercased names.
  explicit Snapshot(std::vector<Zone> zones, uint32_t serial, ClientSearchIndex clients = {},
                    bool synced = true, std::vector<dns::Name> fallthrough = {});

  // The zone with the longest apex that `lowercased_name` is in, or nullptr when the name is
  // outside every zone we serve.
  const Zone* find_zone(const dns::Name& lowercased_name) const {
    return find_zone(lowercased_name.wire_view());
  }
  // The same for the lowercased uncompressed wire form of a name.
  const Zone* find_zone(std::string_view lowercased_wire) const;
  const std::vector<Zone>& zones() const { return zones_; }
  uint32_t serial() const { return serial_; }
  // False when built before the sources' first full sync (ZoneConfig::synced): the answer path
  // then turns NXDOMAIN into SERVFAIL.
  bool synced() const { return synced_; }
  // Whether an NXDOMAIN for `lowercased_wire`, a name in `zone` (as find_zone returned it), is
  // to be asked upstream instead (--fallthrough): the name is at or below a fallthrough name.
  // A flag per zone answers at once for a zone wholly inside one (the usual case: in-addr.arpa
  // under in-addr.arpa); only a fallthrough name below a zone's apex compares names.
  bool falls_through(const Zone& zone, std::string_view lowercased_wire) const {
    Fallthrough mode = fallthrough_modes_[static_cast<size_t>(&zone - zones_.data())];
    return mode == Fallthrough::Whole ||
           (mode == Fallthrough::Below && below_fallthrough(lowercased_wire));
  }
  size_t record_count() const;
  // The search lists of the workloads that may ask us, by address (empty unless the snapshot
  // was built with ZoneConfig::client_search).
  const ClientSearchIndex& clients() const { return clients_; }
  size_t memory_bytes() const;

 private:
  enum class Fallthrough : uint8_t {
    None,   // no fallthrough name at, above or below the apex
    Whole,  // a fallthrough name at or above the apex: every name of the zone
    Below,  // only fallthrough names below the apex: the names under them
  };
  bool below_fallthrough(std::string_view lowercased_wire) const;

  std::vector<Zone> zones_;  // longest apex first
  uint32_t serial_;
  ClientSearchIndex clients_;
  bool synced_;
  std::vector<dns::Name> fallthrough_;
  std::vector<Fallthrough> fallthrough_modes_;  // one per zone of zones_, in its order
};

}  // namespace vmdns::zone
