#pragma once
// All record sets of one name, sorted by type. A node without sets is an empty non-terminal: it
// exists (NODATA, not NXDOMAIN) because names exist below it (RFC 8020).
//
//   const Node* node = zone.find(lowercased_wire);     // nullptr: NXDOMAIN
//   const RrSet* a = node->find(dns::RrType::A);       // nullptr: NODATA
//
// 4 octets, as a zone holds one per name: where its sets are is an offset from the node itself
// (both live in the zone's block, or in one object), so a node is made in place and never
// copied or moved. Nodes and sets are 4-aligned, so the offset's two low bits are free: they
// hold the count of sets up to two (a Service's names have one or two), and 3 says that the
// count is in the 4 octets before the first set, where the maker of the sets put it.

#include <cstdint>
#include <cstring>
#include <span>

#include "dns/types.h"
#include "zone/rr_set.h"

namespace vmdns::zone {

class Node {
 public:
  // From this many sets on, a node's count is in the 4 octets before its first set.
  static constexpr uint32_t kCountBeforeSets = 3;

  Node() = default;  // no sets
  // A node whose sets are `sets`, made where it stays (no farther than 2 GiB from them, at a
  // multiple of 4 octets); from kCountBeforeSets sets on, the 4 octets before them must hold
  // their count (host order).
  explicit Node(std::span<const RrSet> sets)
      : sets_(sets.empty() ? 0
                           : static_cast<int32_t>(reinterpret_cast<const char*>(sets.data()) -
                                                  reinterpret_cast<const char*>(this)) |
                                 static_cast<int32_t>(sets.size() < kCountBeforeSets
                                                          ? sets.size()
                                                          : kCountBeforeSets)) {}
  Node(const Node&) = delete;  // sets_ is relative to the node's own place
  Node& operator=(const Node&) = delete;

  std::span<const RrSet> rrsets() const {
    auto code = static_cast<uint32_t>(sets_) & kCodeMask;
    const char* first = reinterpret_cast<const char*>(this) + (sets_ & ~int32_t{kCodeMask});
    uint32_t count = code;
    if (code == kCountBeforeSets) {
      std::memcpy(&count, first - sizeof count, sizeof count);
    }
    return {reinterpret_cast<const RrSet*>(first), count};
  }
  const RrSet* find(dns::RrType type) const;

 private:
  static constexpr int32_t kCodeMask = 3;
  // Where the first set is, from this node, a multiple of 4; or'ed with the count up to 2, or
  // kCountBeforeSets.
  int32_t sets_ = 0;
};

static_assert(sizeof(Node) == 4);
static_assert(alignof(RrSet) == 4, "a node's offset to its sets leaves the two low bits free");

}  // namespace vmdns::zone
