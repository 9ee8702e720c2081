#pragma once
// The names the rules build from their own constants below a configured apex ("svc", "ns.dns",
// "hostmaster", a --vm-zone shard): make_zone_config() refuses an apex too long for them, so a
// name that does not fit is a bug of ours, not bad input.
//
//   dns::Name svc = must_fit(apex.prepend("svc"), "the zone");

#include <optional>
#include <stdexcept>
#include <string>

#include "dns/name.h"

namespace vmdns::rules {

// `*name`; throws std::logic_error naming `zone` ("the zone", "the vm zone") when it is nullopt.
inline const dns::Name& must_fit(const std::optional<dns::Name>& name, const char* zone) {
  if (!name) {
    throw std::logic_error(std::string("constant name does not fit ") + zone);
  }
  return *name;
}

}  // namespace vmdns::rules
