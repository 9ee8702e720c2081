#pragma once
// An immutable, fully computed view of our zones: every record in uncompressed wire form, keyed
// by lowercased owner name in a flat hash table. Built once by zone::build(), then only read (by any number of
// threads, without locks); a change builds a new snapshot to the side (DESIGN.md habit 3).
//
//   const Zone* z = snapshot.find_zone(lowercased_qname);       // longest matching apex
//   const Node* n = z ? z->find(lowercased_qname) : nullptr;     // nullptr: NXDOMAIN
//   const RrSet* s = n ? n->find(RrType::A) : nullptr;           // nullptr: NODATA

#include <cstdint>
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

// One zone, frozen: the names in a flat hash table (NameTable), node i's sets a slice of one
// array, and every rdata in one buffer. A handful of allocations for the whole zone, so that a
// snapshot of a million records builds in well under a second and holds little beyond the
// record data itself. Movable, not copyable: nodes and sets point into the zone's own buffers.
class Zone {
 public:
  explicit Zone(const dns::Name& apex) : apex_(apex.lowercased()) {}
  Zone(Zone&&) = default;
  Zone& operator=(Zone&&) = default;
  Zone(const Zone&) = delete;
  Zone& operator=(const Zone&) = delete;

  const dns::Name& apex() const { return apex_; }
  // `lowercased_wire` is the lowercased uncompressed wire form of a name in this zone.
  const Node* find(std::string_view lowercased_wire) const {
    uint32_t index = names_.find(lowercased_wire);
    return index == NameTable::kMissing ? nullptr : &nodes_[index];
  }
  const Node* find(const dns::Name& lowercased) const { return find(lowercased.wire_view()); }
  // The apex SOA, written into the authority section of negative answers (RFC 2308 section 3).
  const RrSet& soa() const { return soa_; }
  size_t node_count() const { return nodes_.size(); }
  size_t record_count() const { return record_count_; }
  // Heap bytes held by this zone's index and records.
  size_t memory_bytes() const;

  // Calls f(std::string_view lowercased_wire, const Node&) for every node, in no set order.
  template <typename F>
  void for_each_node(F&& f) const {
    for (uint32_t i = 0; i < nodes_.size(); ++i) {
      f(names_.key(i), nodes_[i]);
    }
  }

 private:
  friend class ZoneBuilder;
  dns::Name apex_;
  NameTable names_;            // name -> node index
  std::vector<Node> nodes_;    // by node index
  std::vector<RrSet> sets_;    // the nodes' sets, node by node
  std::vector<uint8_t> data_;  // the sets' rdatas
  RrSet soa_;                  // a copy of the apex SOA set, kept at hand
  size_t record_count_ = 0;
};

class Snapshot {
 public:
  explicit Snapshot(std::vector<Zone> zones, uint32_t serial, ClientSearchIndex clients = {},
                    bool synced = true);

  // The zone with the longest apex that `lowercased_name` is in, or nullptr when the name is
  // outside every zone we serve.
  const Zone* find_zone(const dns::Name& lowercased_name) const;
  const std::vector<Zone>& zones() const { return zones_; }
  uint32_t serial() const { return serial_; }
  // False when built before the sources' first full sync (ZoneConfig::synced): the answer path
  // then turns NXDOMAIN into SERVFAIL.
  bool synced() const { return synced_; }
  size_t record_count() const;
  // The search lists of the workloads that may ask us, by address (empty unless the snapshot
  // was built with ZoneConfig::client_search).
  const ClientSearchIndex& clients() const { return clients_; }
  size_t memory_bytes() const;

 private:
  std::vector<Zone> zones_;  // longest apex first
  uint32_t serial_;
  ClientSearchIndex clients_;
  bool synced_;
};

}  // namespace vmdns::zone
