#pragma once
// Manifests in, zone text out: the zone tests' one way to build a snapshot.

#include <functional>
#include <string>

#include "rules/zone_config.h"

namespace vmdns::rules {

using Configure = std::function<void(ZoneConfig&)>;

// Builds the manifests (an error diagnostic fails the test) for cluster.local with
// ns.dns at 10.96.0.10, adjusted by `configure`, and returns every zone of the snapshot, each
// after a "; zone <apex>" line, as `vmdns records` prints them.
std::string zones_text(const std::string& manifests, const Configure& configure = {});

// "owner ttl IN TYPE rdata" with single spaces -> the tab-separated line zones_text writes, so
// that expected records read as they are written: rr("a.b. 5 IN A 10.0.0.1").
std::string rr(const std::string& spaced);

}  // namespace vmdns::rules
