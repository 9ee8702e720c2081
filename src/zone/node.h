#pragma once
// All record sets of one name, sorted by type. A node without sets is an empty non-terminal: it
// exists (NODATA, not NXDOMAIN) because names exist below it (RFC 8020).
//
//   const Node* node = zone.find(lowercased_wire);     // nullptr: NXDOMAIN
//   const RrSet* a = node->find(dns::RrType::A);       // nullptr: NODATA
//
// 8 octets, as a zone holds one per name: where its sets are is an offset from the node itself
// (both live in the zone's block, or in one object), so a node is made in place and never
// copied or moved.

#include <cstdint>
#include <span>

#include "dns/types.h"
#include "zone/rr_set.h"

namespace vmdns::zone {

class Node {
 public:
  Node() = default;  // no sets
  // A node whose sets are `sets`, made where it stays (no farther than 2 GiB from them).
  explicit Node(std::span<const RrSet> sets)
      : sets_(sets.empty() ? 0
                           : static_cast<int32_t>(reinterpret_cast<const char*>(sets.data()) -
                                                  reinterpret_cast<const char*>(this))),
        count_(static_cast<uint32_t>(sets.size())) {}
  Node(const Node&) = delete;  // sets_ is relative to the node's own place
  Node& operator=(const Node&) = delete;

  std::span<const RrSet> rrsets() const {
    return {reinterpret_cast<const RrSet*>(reinterpret_cast<const char*>(this) + sets_), count_};
  }
  const RrSet* find(dns::RrType type) const;

 private:
  int32_t sets_ = 0;  // where the first set is, from this node
  uint32_t count_ = 0;
};

static_assert(sizeof(Node) == 8);

}  // namespace vmdns::zone
