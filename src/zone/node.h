#pragma once
// All record sets of one name, sorted by type. A node without sets is an empty non-terminal: it
// exists (NODATA, not NXDOMAIN) because names exist below it (RFC 8020).
//
//   const Node* node = zone.find(lowercased_wire);     // nullptr: NXDOMAIN
//   const RrSet* a = node->find(dns::RrType::A);       // nullptr: NODATA

#include <span>

#include "dns/types.h"
#include "zone/rr_set.h"

namespace vmdns::zone {

struct Node {
  std::span<const RrSet> rrsets;
  const RrSet* find(dns::RrType type) const;
};

}  // namespace vmdns::zone
