#include "unit/zone/zone_fixture.h"

#include <gtest/gtest.h>

#include <sstream>

#include "sources/manifest_loader.h"
#include "zone/build.h"
#include "zone/zone_text.h"

namespace vmdns::zone {

std::string zones_text(const std::string& manifests, const Configure& configure) {
  auto loaded = sources::load_manifest_text(manifests, "test.yaml");
  for (const auto& d : loaded.diagnostics) {
    if (d.severity == cluster::Severity::Error) {
      ADD_FAILURE() << "unexpected diagnostic: " << d.to_string();
    }
  }
  ZoneConfig config;
  config.zones = {*dns::Name::from_text("cluster.local")};
  config.nameserver_addresses = {*cluster::IpAddress::parse("10.96.0.10")};
  if (configure) {
    configure(config);
  }
  auto snapshot = build(loaded.state, config);
  std::ostringstream out;
  for (const Zone& zone : snapshot->zones()) {
    out << "; zone " << zone.apex().to_text() << "\n";
    write_zone_text(zone, out);
  }
  return out.str();
}

}  // namespace vmdns::zone
