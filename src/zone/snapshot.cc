#include "zone/snapshot.h"

#include <algorithm>
#include <array>
#include <cstring>

namespace vmdns::zone {

const RrSet* Node::find(dns::RrType type) const {
  for (const RrSet& set : rrsets) {
    if (set.type() == type) {
      return &set;
    }
  }
  return nullptr;
}

size_t Zone::memory_bytes() const {
  return names_.memory_bytes() + nodes_.capacity() * sizeof(Node) +
         sets_.capacity() * sizeof(RrSet) + data_.capacity();
}

Snapshot::Snapshot(std::vector<Zone> zones, uint32_t serial, ClientSearchIndex clients,
                   bool synced)
    : zones_(std::move(zones)), serial_(serial), clients_(std::move(clients)), synced_(synced) {
  // Longest apex first, so that the first zone a name is in is the most specific one.
  std::stable_sort(zones_.begin(), zones_.end(), [](const Zone& a, const Zone& b) {
    return a.apex().label_count() > b.apex().label_count();
  });
}

const Zone* Snapshot::find_zone(const dns::Name& lowercased_name) const {
  // Compared in wire form: the apex must be a suffix of the name that starts at one of its
  // label boundaries. The boundaries are found once, whatever the number of zones.
  std::string_view name = lowercased_name.wire_view();
  std::array<uint8_t, dns::kMaxNameLength + 1> boundary{};
  for (size_t at = 0; at < name.size(); at += 1 + static_cast<uint8_t>(name[at])) {
    boundary[at] = 1;
    if (name[at] == 0) {
      break;
    }
  }
  for (const Zone& zone : zones_) {
    std::string_view apex = zone.apex().wire_view();
    if (apex.size() <= name.size() && boundary[name.size() - apex.size()] != 0 &&
        name.substr(name.size() - apex.size()) == apex) {
      return &zone;
    }
  }
  return nullptr;
}

size_t Snapshot::memory_bytes() const {
  size_t bytes = zones_.capacity() * sizeof(Zone);
  for (const Zone& zone : zones_) {
    bytes += zone.memory_bytes();
  }
  return bytes;
}

size_t Snapshot::record_count() const {
  size_t count = 0;
  for (const Zone& zone : zones_) {
    count += zone.record_count();
  }
  return count;
}

}  // namespace vmdns::zone
