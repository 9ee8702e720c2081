#pragma once
// The one name family made at query time (--pods insecure): <dashed-ip>.<ns>.pod.<zone> answers
// whatever address its first label spells (dashed_address.h), under every namespace the zone
// holds. The zone names such a name (zone::Zone::QueryTimeName); this reads its label and makes
// its node, in room the caller keeps (on its stack) for as long as it reads the node. No heap
// memory; each find() that makes a node replaces the one made before.
//
//   query::SynthesizedNode made;
//   const zone::Node* node = made.find(zone, lowercased_wire);   // stored, made, or nullptr
//   node->find(dns::RrType::A);   // 10-244-0-57.default.pod.cluster.local -> 10.244.0.57

#include <array>
#include <cstdint>
#include <span>
#include <string_view>

#include "dns/name.h"
#include "dns/types.h"
#include "zone/node.h"
#include "zone/rr_set.h"
#include "zone/zone.h"

namespace vmdns::query {

class SynthesizedNode {
 public:
  SynthesizedNode() = default;
  SynthesizedNode(const SynthesizedNode&) = delete;  // node_ points into this object
  SynthesizedNode& operator=(const SynthesizedNode&) = delete;

  // zone.find(lowercased_wire); for a name the zone makes at query time, the node made here
  // when its label is an address; else nullptr.
  const zone::Node* find(const zone::Zone& zone, std::string_view lowercased_wire) {
    zone::Zone::QueryTimeName query_time;
    if (const zone::Node* node = zone.find(lowercased_wire, &query_time)) {
      return node;
    }
    return query_time.label.empty() ? nullptr : make(query_time);
  }
  const zone::Node* find(const zone::Zone& zone, const dns::Name& lowercased) {
    return find(zone, lowercased.wire_view());
  }

  // A node with one A (4 octets) or AAAA (16 octets) record.
  const zone::Node* make(dns::RrType type, uint32_t ttl, std::span<const uint8_t> address);

 private:
  // The node of `name` when its label is a dashed address, else nullptr.
  const zone::Node* make(const zone::Zone::QueryTimeName& name);

  std::array<uint8_t, 16> rdata_{};  // the address (a set of addresses: no length before it)
  zone::RrSet set_;
  zone::Node node_;
};

}  // namespace vmdns::query
