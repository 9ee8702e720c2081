#include "zone/snapshot.h"

#include <algorithm>
#include <cstring>

namespace vmdns::zone {

void RrSet::add(std::span<const uint8_t> rdata) {
  data_.push_back(static_cast<uint8_t>(rdata.size() >> 8));
  data_.push_back(static_cast<uint8_t>(rdata.size() & 0xFF));
  data_.insert(data_.end(), rdata.begin(), rdata.end());
  ++count_;
}

bool RrSet::contains(std::span<const uint8_t> rdata) const {
  bool found = false;
  for_each([&](std::span<const uint8_t> existing) {
    if (!found && existing.size() == rdata.size() &&
        std::equal(existing.begin(), existing.end(), rdata.begin())) {
      found = true;
    }
  });
  return found;
}

const RrSet* Node::find(dns::RrType type) const {
  for (const RrSet& set : rrsets) {
    if (set.type() == type) {
      return &set;
    }
  }
  return nullptr;
}

const Node* Zone::find(std::string_view lowercased_wire) const {
  auto it = nodes_.find(lowercased_wire);
  return it == nodes_.end() ? nullptr : &it->second;
}

size_t Zone::record_count() const {
  size_t count = 0;
  for (const auto& [key, node] : nodes_) {
    for (const RrSet& set : node.rrsets) {
      count += set.size();
    }
  }
  return count;
}

Snapshot::Snapshot(std::vector<Zone> zones, uint32_t serial, ClientSearchIndex clients)
    : zones_(std::move(zones)), serial_(serial), clients_(std::move(clients)) {
  // Longest apex first, so that the first zone a name is in is the most specific one.
  std::stable_sort(zones_.begin(), zones_.end(), [](const Zone& a, const Zone& b) {
    return a.apex().label_count() > b.apex().label_count();
  });
}

const Zone* Snapshot::find_zone(const dns::Name& lowercased_name) const {
  for (const Zone& zone : zones_) {
    if (lowercased_name.is_subdomain_of(zone.apex())) {
      return &zone;
    }
  }
  return nullptr;
}

size_t Snapshot::record_count() const {
  size_t count = 0;
  for (const Zone& zone : zones_) {
    count += zone.record_count();
  }
  return count;
}

}  // namespace vmdns::zone
