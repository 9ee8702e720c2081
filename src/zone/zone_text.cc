#include "zone/zone_text.h"

#include <algorithm>
#include <span>
#include <vector>

#include "dns/rdata.h"

namespace vmdns::zone {
namespace {

std::vector<dns::Name> sorted_owners(const Zone& zone) {
  std::vector<dns::Name> owners;
  owners.reserve(zone.node_count());
  zone.for_each_node([&](std::string_view key, const Node& node) {
    if (node.rrsets.empty()) {
      return;  // empty non-terminals have nothing to print
    }
    auto bytes = std::span(reinterpret_cast<const uint8_t*>(key.data()), key.size());
    if (auto name = dns::Name::from_wire(bytes)) {
      owners.push_back(*name);
    }
  });
  std::sort(owners.begin(), owners.end(), [](const dns::Name& a, const dns::Name& b) {
    return dns::canonical_compare(a, b) < 0;
  });
  return owners;
}

void write_set(const dns::Name& owner, const RrSet& set, std::ostream& out) {
  std::string owner_text = owner.to_text();
  std::string type = dns::rr_type_name(set.type());
  set.for_each([&](std::span<const uint8_t> rdata) {
    out << owner_text << '\t' << set.ttl() << "\tIN\t" << type << '\t'
        << dns::rdata::to_text(set.type(), rdata) << '\n';
  });
}

}  // namespace

void write_zone_text(const Zone& zone, std::ostream& out) {
  // The SOA comes first: master files conventionally open with it, and some checkers want it.
  write_set(zone.apex(), zone.soa(), out);
  for (const dns::Name& owner : sorted_owners(zone)) {
    const Node* node = zone.find(owner);
    for (const RrSet& set : node->rrsets) {
      if (set.type() == dns::RrType::SOA && owner == zone.apex()) {
        continue;
      }
      write_set(owner, set, out);
    }
  }
}

}  // namespace vmdns::zone
