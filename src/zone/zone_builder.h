#pragma once
// Collects the records of one zone, then freezes them into an immutable Zone.
//
//   ZoneBuilder b(apex);
//   b.add(owner, RrType::A, 5, dns::rdata::a({10, 244, 0, 57}));
//   Zone zone = std::move(b).finish();
//
// Every name between a record's owner and the apex is created as an empty non-terminal, so that
// it answers NODATA rather than NXDOMAIN (RFC 8020). Identical records are stored once.

#include <cstdint>
#include <span>
#include <string>

#include "dns/name.h"
#include "dns/types.h"
#include "zone/snapshot.h"

namespace vmdns::zone {

class ZoneBuilder {
 public:
  explicit ZoneBuilder(const dns::Name& apex);

  // False (and nothing added) when `owner` is not at or below the apex.
  bool add(const dns::Name& owner, dns::RrType type, uint32_t ttl, std::span<const uint8_t> rdata);
  // Makes `owner` exist without records.
  bool add_name(const dns::Name& owner);

  // Requires an SOA at the apex.
  Zone finish() &&;

 private:
  Node* node_for(const dns::Name& owner);
  Zone zone_;
};

}  // namespace vmdns::zone
