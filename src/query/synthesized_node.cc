#include "query/synthesized_node.h"

#include <algorithm>
#include <memory>
#include <optional>

#include "cluster/ip_address.h"
#include "query/dashed_address.h"

namespace vmdns::query {

const zone::Node* SynthesizedNode::make(dns::RrType type, uint32_t ttl,
                                        std::span<const uint8_t> address) {
  size_t length = std::min(address.size(), rdata_.size());
  std::copy_n(address.begin(), length, rdata_.begin());
  // Made in place: a set and a node find their data by offsets from themselves. A set of
  // addresses, whose length the type says, needs no header before them.
  std::construct_at(&set_, type, ttl, 1, std::span<const uint8_t>(rdata_.data(), length),
                    zone::RrSet::Entries::kAddresses);
  std::construct_at(&node_, std::span<const zone::RrSet>(&set_, 1));
  return &node_;
}

const zone::Node* SynthesizedNode::make(const zone::Zone::QueryTimeName& name) {
  std::optional<cluster::IpAddress> address = parse_dashed_address(name.label);
  if (!address) {
    return nullptr;
  }
  if (address->is_v4()) {
    return make(dns::RrType::A, name.ttl, std::span(address->bytes).first(4));
  }
  return make(dns::RrType::AAAA, name.ttl, address->bytes);
}

}  // namespace vmdns::query
