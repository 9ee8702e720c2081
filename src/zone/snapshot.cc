#include "zone/snapshot.h"

#include <algorithm>

namespace vmdns::zone {

Snapshot::Snapshot(std::vector<Zone> zones, uint32_t serial, ClientSearchIndex clients,
                   bool synced, std::vector<dns::Name> fallthrough)
    : zones_(std::move(zones)),
      serial_(serial),
      clients_(std::move(clients)),
      synced_(synced),
      fallthrough_(std::move(fallthrough)) {
  // Longest apex first, so that the first zone a name is in is the most specific one.
  std::stable_sort(zones_.begin(), zones_.end(), [](const Zone& a, const Zone& b) {
    return a.apex_label_count() > b.apex_label_count();
  });
  fallthrough_modes_.reserve(zones_.size());
  for (const Zone& zone : zones_) {
    Fallthrough mode = Fallthrough::None;
    for (const dns::Name& name : fallthrough_) {
      if (zone.apex().is_subdomain_of(name)) {
        mode = Fallthrough::Whole;
        break;
      }
      if (name.is_subdomain_of(zone.apex())) {
        mode = Fallthrough::Below;
      }
    }
    fallthrough_modes_.push_back(mode);
  }
}

bool Snapshot::below_fallthrough(std::string_view name) const {
  for (const dns::Name& fallthrough : fallthrough_) {
    std::string_view wire = fallthrough.wire_view();
    // At or below: `wire` is a suffix of the name that starts at one of its label boundaries.
    for (size_t at = 0; at + wire.size() <= name.size();
         at += 1 + static_cast<uint8_t>(name[at])) {
      if (name.size() - at == wire.size()) {
        if (name.substr(at) == wire) {
          return true;
        }
        break;
      }
      if (name[at] == 0) {
        break;
      }
    }
  }
  return false;
}

const Zone* Snapshot::find_zone(std::string_view name) const {
  // Compared in wire form: the apex must be a suffix of the name that starts at one of its
  // label boundaries. The suffixes are tried longest first, so the first apex that matches is
  // the most specific zone.
  for (size_t at = 0; at < name.size(); at += 1 + static_cast<uint8_t>(name[at])) {
    std::string_view suffix = name.substr(at);
    for (const Zone& zone : zones_) {
      if (zone.apex_wire() == suffix) {
        return &zone;
      }
    }
    if (name[at] == 0) {
      break;
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

RecordCounts Snapshot::record_counts() const {
  RecordCounts counts;
  for (const Zone& zone : zones_) {
    zone.add_record_counts(counts);
  }
  return counts;
}

size_t Snapshot::record_count() const {
  size_t count = 0;
  for (const Zone& zone : zones_) {
    count += zone.record_count();
  }
  return count;
}

}  // namespace vmdns::zone
