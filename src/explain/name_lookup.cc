#include "explain/name_lookup.h"

#include <algorithm>
#include <cstring>

#include "dns/name.h"
#include "query/synthesized_node.h"

namespace vmdns::explain {
namespace {

void add_addresses(const zone::RrSet* set, const char* type, NameAnswer& out) {
  if (set == nullptr) {
    return;
  }
  set->for_each([&](std::span<const uint8_t> rdata) {
    cluster::IpAddress address;
    if (rdata.size() == 4 || rdata.size() == 16) {
      std::memcpy(address.bytes.data(), rdata.data(), rdata.size());
      address.family =
          rdata.size() == 4 ? cluster::IpAddress::Family::V4 : cluster::IpAddress::Family::V6;
      out.records.push_back(std::string(type) + " " + address.to_string());
      out.addresses.push_back(address);
    }
  });
}

}  // namespace

NameAnswer lookup_name(const zone::Snapshot& snapshot, std::string_view name) {
  NameAnswer out;
  std::optional<dns::Name> parsed = dns::Name::from_text(name);
  if (!parsed) {
    return out;
  }
  dns::Name lowered = parsed->lowercased();
  const zone::Zone* zone = snapshot.find_zone(lowered);
  if (zone == nullptr) {
    return out;
  }
  out.in_zone = true;
  query::SynthesizedNode made;  // a <dashed-ip>.<ns>.pod name with --pods insecure
  const zone::Node* node = made.find(*zone, lowered);
  if (node == nullptr) {
    return out;
  }
  if (const zone::RrSet* cname = node->find(dns::RrType::CNAME)) {
    cname->for_each([&](std::span<const uint8_t> rdata) {
      if (std::optional<dns::Name> target = dns::Name::from_wire(rdata)) {
        out.records.push_back("CNAME " + target->to_text());
      }
    });
  }
  add_addresses(node->find(dns::RrType::A), "A", out);
  add_addresses(node->find(dns::RrType::AAAA), "AAAA", out);
  std::sort(out.records.begin(), out.records.end());
  out.outcome = out.records.empty() ? resolvconf::Outcome::NoData : resolvconf::Outcome::Answer;
  return out;
}

}  // namespace vmdns::explain
