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
    if (node.rrsets().empty()) {
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

// Names made at query time cannot be listed: a comment says where they are, one line per
// namespace, in canonical order.
void write_dashed_parents(const Zone& zone, std::ostream& out) {
  std::vector<std::pair<dns::Name, uint32_t>> parents;
  zone.for_each_dashed_parent([&](std::string_view key, uint32_t ttl) {
    auto bytes = std::span(reinterpret_cast<const uint8_t*>(key.data()), key.size());
    if (auto name = dns::Name::from_wire(bytes)) {
      parents.emplace_back(*name, ttl);
    }
  });
  std::sort(parents.begin(), parents.end(), [](const auto& a, const auto& b) {
    return dns::canonical_compare(a.first, b.first) < 0;
  });
  for (const auto& [parent, ttl] : parents) {
    out << "; <dashed-ip>." << parent.to_text() << '\t' << ttl
        << "\tIN\tA/AAAA\tthe address written in the name (--pods insecure, made at query "
           "time)\n";
  }
}

}  // namespace

void write_zone_text(const Zone& zone, std::ostream& out) {
  // The SOA comes first: master files conventionally open with it, and some checkers want it.
  write_set(zone.apex(), zone.soa(), out);
  write_dashed_parents(zone, out);
  for (const dns::Name& owner : sorted_owners(zone)) {
    const Node* node = zone.find(owner);
    for (const RrSet& set : node->rrsets()) {
      if (set.type() == dns::RrType::SOA && owner == zone.apex()) {
        continue;
      }
      write_set(owner, set, out);
    }
  }
}

}  // namespace vmdns::zone
