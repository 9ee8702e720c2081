#pragma once
// An immutable, fully computed view of our zones: every record in uncompressed wire form, keyed
// by lowercased owner name in a flat hash table per zone (zone.h). Built once by the builder
// (builder/snapshot_builder.h), then only read (by any number of threads, without locks); a
// change builds a new snapshot to the side (ARCHITECTURE.md habit 3).
//
//   const Zone* z = snapshot.find_zone(lowercased_qname);       // longest matching apex
//   const Node* n = z ? z->find(lowercased_qname) : nullptr;     // nullptr: NXDOMAIN
//   const RrSet* s = n ? n->find(RrType::A) : nullptr;           // nullptr: NODATA

#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

#include "dns/name.h"
#include "zone/client_search_index.h"
#include "zone/node.h"
#include "zone/rr_set.h"
#include "zone/zone.h"

namespace vmdns::zone {

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
  // Every zone's records by type (Zone::add_record_counts): a read of each part's counts.
  RecordCounts record_counts() const;
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
