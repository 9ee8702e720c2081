#pragma once
// Zones for the transfer tests, written as "owner TYPE rdata" lines (A, AAAA, PTR, NS, CNAME),
// and records read back in the same text.

#include <arpa/inet.h>

#include <memory>
#include <string>
#include <vector>

#include "dns/name.h"
#include "dns/rdata.h"
#include "xfr/journal.h"
#include "zone/snapshot.h"
#include "zone/zone_builder.h"

namespace vmdns::xfr::testing {

inline dns::Name name(const std::string& text) {
  return *dns::Name::from_text(text);
}

inline dns::rdata::Bytes rdata_of(dns::RrType type, const std::string& text) {
  if (type == dns::RrType::A) {
    std::array<uint8_t, 4> a{};
    inet_pton(AF_INET, text.c_str(), a.data());
    return dns::rdata::a(a);
  }
  if (type == dns::RrType::AAAA) {
    std::array<uint8_t, 16> a{};
    inet_pton(AF_INET6, text.c_str(), a.data());
    return dns::rdata::aaaa(a);
  }
  return dns::rdata::name(name(text));
}

// "a.example. A 10.0.0.1"
inline zone::Zone make_zone(const std::string& apex, uint32_t serial,
                            const std::vector<std::string>& lines, uint32_t ttl = 5) {
  zone::ZoneBuilder b(name(apex));
  b.add(name(apex), dns::RrType::SOA, ttl,
        dns::rdata::soa(name("ns." + apex), name("hostmaster." + apex), serial, 7200, 1800,
                        86400, 5));
  for (const std::string& line : lines) {
    size_t a = line.find(' ');
    size_t b2 = line.find(' ', a + 1);
    std::string owner = line.substr(0, a);
    auto type = *dns::rr_type_from_text(line.substr(a + 1, b2 - a - 1));
    b.add(name(owner), type, ttl, rdata_of(type, line.substr(b2 + 1)));
  }
  return std::move(b).finish();
}

inline std::shared_ptr<const zone::Snapshot> make_snapshot(
    uint32_t serial, const std::vector<std::string>& lines) {
  std::vector<zone::Zone> zones;
  zones.push_back(make_zone("example.", serial, lines));
  return std::make_shared<const zone::Snapshot>(std::move(zones), serial);
}

// "owner TYPE rdata" of a packed side of a Delta, in its order.
inline std::vector<std::string> texts(std::span<const uint8_t> packed) {
  std::vector<std::string> out;
  size_t at = 0;
  DeltaRecord r;
  while (Delta::read(packed, at, r)) {
    auto owner = dns::Name::from_wire(std::span<const uint8_t>(
        reinterpret_cast<const uint8_t*>(r.owner_wire.data()), r.owner_wire.size()));
    out.push_back(owner->to_text() + " " + dns::rr_type_name(r.type) + " " +
                  dns::rdata::to_text(r.type, r.rdata));
  }
  return out;
}

}  // namespace vmdns::xfr::testing
