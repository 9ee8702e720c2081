#include "zone/zone_builder.h"

#include <algorithm>
#include <stdexcept>

namespace vmdns::zone {

ZoneBuilder::ZoneBuilder(const dns::Name& apex) : zone_(apex) {
  zone_.nodes_.try_emplace(std::string(zone_.apex_.wire_view()));
}

Node* ZoneBuilder::node_for(const dns::Name& owner) {
  dns::Name name = owner.lowercased();
  if (!name.is_subdomain_of(zone_.apex_)) {
    return nullptr;
  }
  auto [it, inserted] = zone_.nodes_.try_emplace(std::string(name.wire_view()));
  Node* node = &it->second;
  if (inserted) {
    // Create the empty non-terminals up to the apex; stop at the first that already exists.
    dns::Name parent = name.parent();
    while (parent.label_count() > zone_.apex_.label_count()) {
      if (!zone_.nodes_.try_emplace(std::string(parent.wire_view())).second) {
        break;
      }
      parent = parent.parent();
    }
  }
  return node;
}

bool ZoneBuilder::add(const dns::Name& owner, dns::RrType type, uint32_t ttl,
                      std::span<const uint8_t> rdata) {
  Node* node = node_for(owner);
  if (node == nullptr) {
    return false;
  }
  auto it = std::find_if(node->rrsets.begin(), node->rrsets.end(),
                         [type](const RrSet& set) { return set.type() == type; });
  if (it == node->rrsets.end()) {
    // Keep the sets sorted by type: answers and zone text come out in a stable order.
    auto at = std::find_if(node->rrsets.begin(), node->rrsets.end(),
                           [type](const RrSet& set) { return set.type() > type; });
    it = node->rrsets.insert(at, RrSet(type, ttl));
  }
  if (!it->contains(rdata)) {
    it->add(rdata);
  }
  return true;
}

bool ZoneBuilder::add_name(const dns::Name& owner) { return node_for(owner) != nullptr; }

Zone ZoneBuilder::finish() && {
  const Node* apex = zone_.find(zone_.apex_);
  const RrSet* soa = apex == nullptr ? nullptr : apex->find(dns::RrType::SOA);
  if (soa == nullptr) {
    // Our own invariant: build() always adds the SOA first.
    throw std::logic_error("zone " + zone_.apex_.to_text() + " has no SOA");
  }
  zone_.soa_ = *soa;
  return std::move(zone_);
}

}  // namespace vmdns::zone
