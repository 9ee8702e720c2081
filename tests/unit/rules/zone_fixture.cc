#include "unit/rules/zone_fixture.h"

#include <gtest/gtest.h>

#include <sstream>

#include "builder/build.h"
#include "sources/manifest_loader.h"
#include "zone/zone_text.h"

namespace vmdns::rules {

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
  auto snapshot = builder::build(loaded.state, config);
  std::ostringstream out;
  for (const zone::Zone& zone : snapshot->zones()) {
    out << "; zone " << zone.apex().to_text() << "\n";
    zone::write_zone_text(zone, out);
  }
  return out.str();
}

std::string rr(const std::string& spaced) {
  std::string out = spaced;
  size_t at = 0;
  for (int field = 0; field < 4; ++field) {
    at = out.find(' ', at);
    out[at] = '\t';
  }
  return out + "\n";
}

}  // namespace vmdns::rules
