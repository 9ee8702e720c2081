#pragma once
// Collects the records of one zone, then freezes them into an immutable Zone.
//
//   ZoneBuilder b(apex);
//   b.add(owner, RrType::A, 5, dns::rdata::a({10, 244, 0, 57}));
//   Zone zone = std::move(b).finish();
//
// Every name between a record's owner and the apex is created as an empty non-terminal, so that
// it answers NODATA rather than NXDOMAIN (RFC 8020). Identical records are stored once. The
// first record of a set gives the set its TTL; records keep the order they were added in, and a
// node's sets come out sorted by type.
//
// Records are appended to a flat list while the rules run and only grouped into sets by
// finish(), so that adding one costs a hash lookup of its owner and a copy of its rdata; records
// added one after the other to the same owner (a Service's addresses, its SRVs) skip even the
// lookup. Owners and rdata may come as wire bytes in a caller's buffer, so that the rules need
// no dns::Name and no vector per record.

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "dns/name.h"
#include "dns/types.h"
#include "zone/snapshot.h"

namespace vmdns::zone {

class ZoneBuilder {
 public:
  explicit ZoneBuilder(const dns::Name& apex);

  // False (and nothing added) when `owner` is not at or below the apex.
  bool add(const dns::Name& owner, dns::RrType type, uint32_t ttl, std::span<const uint8_t> rdata);
  // The same with `owner` in uncompressed wire form (any case), which must be a valid name.
  bool add(std::string_view owner, dns::RrType type, uint32_t ttl, std::span<const uint8_t> rdata);
  // Makes `owner` exist without records.
  bool add_name(const dns::Name& owner);
  bool add_name(std::string_view owner);

  // Requires an SOA at the apex.
  Zone finish() &&;
  // A shard of a larger zone (Zone::join): no SOA of its own. Without any record or name
  // added, the result has no names at all, not even its apex; add_name(apex) keeps the apex.
  Zone finish_shard() &&;

 private:
  struct Record {
    uint32_t node;
    uint32_t ttl;
    uint32_t offset;  // of the rdata in rdata_
    uint16_t length;
    dns::RrType type;
  };

  bool targets_in_zone(const std::vector<Record>& kept, std::vector<uint32_t>& nodes) const;
  // The node index of `owner`, creating it and its empty non-terminals; NameTable::kMissing
  // when `owner` is outside the zone.
  uint32_t node_for(std::string_view owner);
  void freeze_sets();

  Zone zone_;
  std::vector<Record> records_;
  std::vector<uint8_t> rdata_;
  // The owner of the last node_for() as given, and its node.
  std::string last_owner_;
  uint32_t last_node_ = NameTable::kMissing;
  bool apex_named_ = false;  // add_name(apex) was called
};

}  // namespace vmdns::zone
