#include "forward/forward_zones.h"

#include <algorithm>
#include <cstring>

namespace vmdns::forward {
namespace {

bool same_upstream(const Upstream& a, const Upstream& b) {
  return a.length == b.length && std::memcmp(&a.storage, &b.storage, a.length) == 0;
}

}  // namespace

std::optional<StubDomain> parse_stub_domain(std::string_view text, std::string* error) {
  size_t equals = text.find('=');
  if (equals == std::string_view::npos) {
    *error = "\"" + std::string(text) + "\" is not ZONE=ADDR[:PORT][,ADDR[:PORT]...]";
    return std::nullopt;
  }
  std::string_view zone_text = text.substr(0, equals);
  std::string detail;
  auto zone = zone_text.empty() ? std::nullopt : dns::Name::from_text(zone_text, &detail);
  if (!zone) {
    *error = "\"" + std::string(text) + "\": \"" + std::string(zone_text) +
             "\" is not a zone name" + (detail.empty() ? "" : ": " + detail);
    return std::nullopt;
  }
  if (zone->is_root()) {
    *error = "\"" + std::string(text) +
             "\": the root zone's upstreams are --upstream's, not a stub domain's";
    return std::nullopt;
  }
  StubDomain stub{.zone = zone->lowercased(), .upstreams = {}};
  std::string_view list = text.substr(equals + 1);
  while (true) {
    size_t comma = list.find(',');
    std::string_view item = list.substr(0, comma);
    if (item.empty()) {
      *error = "\"" + std::string(text) + "\": an empty upstream address";
      return std::nullopt;
    }
    auto upstream = parse_upstream(item, &detail);
    if (!upstream) {
      *error = "\"" + std::string(text) + "\": " + detail;
      return std::nullopt;
    }
    stub.upstreams.push_back(*upstream);
    if (comma == std::string_view::npos) {
      break;
    }
    list.remove_prefix(comma + 1);
  }
  return stub;
}

uint16_t ForwardZones::index_of(const Upstream& upstream) {
  for (size_t i = 0; i < upstreams_.size(); ++i) {
    if (same_upstream(upstreams_[i], upstream)) {
      return static_cast<uint16_t>(i);
    }
  }
  upstreams_.push_back(upstream);
  return static_cast<uint16_t>(upstreams_.size() - 1);
}

std::optional<ForwardZones> ForwardZones::make(const std::vector<Upstream>& defaults,
                                               const std::vector<StubDomain>& stubs,
                                               const std::vector<dns::Name>& except,
                                               std::string* error) {
  ForwardZones zones;
  for (const Upstream& upstream : defaults) {
    uint16_t index = zones.index_of(upstream);
    if (std::find(zones.default_route_.begin(), zones.default_route_.end(), index) ==
        zones.default_route_.end()) {
      zones.default_route_.push_back(index);
    }
  }
  for (const StubDomain& stub : stubs) {
    for (const StubDomain& seen : zones.stubs_) {
      if (seen.zone == stub.zone) {
        *error = "stub domain " + stub.zone.to_text() + " is given twice";
        return std::nullopt;
      }
    }
    std::vector<uint16_t> route;
    for (const Upstream& upstream : stub.upstreams) {
      uint16_t index = zones.index_of(upstream);
      if (std::find(route.begin(), route.end(), index) == route.end()) {
        route.push_back(index);
      }
    }
    zones.stubs_.push_back(StubDomain{.zone = stub.zone.lowercased(), .upstreams = stub.upstreams});
    zones.stub_routes_.push_back(std::move(route));
  }
  for (const dns::Name& zone : except) {
    zones.except_.push_back(zone.lowercased());
  }
  zones.defaults_only_ = zones.stubs_.empty() && zones.except_.empty();
  return zones;
}

std::span<const uint16_t> ForwardZones::route(const dns::Name& name) const {
  if (defaults_only_) {
    return default_route_;
  }
  // The most specific stub domain: the zones holding the name are all suffixes of it, so the
  // longest is the deepest.
  const std::vector<uint16_t>* best = nullptr;
  size_t best_length = 0;
  for (size_t i = 0; i < stubs_.size(); ++i) {
    size_t length = stubs_[i].zone.wire_length();
    if (length > best_length && name.is_subdomain_of(stubs_[i].zone)) {
      best = &stub_routes_[i];
      best_length = length;
    }
  }
  if (best != nullptr) {
    return *best;
  }
  for (const dns::Name& zone : except_) {
    if (name.is_subdomain_of(zone)) {
      return {};
    }
  }
  return default_route_;
}

}  // namespace vmdns::forward
