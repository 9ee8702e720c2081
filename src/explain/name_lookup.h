#pragma once
// What a name gives in a built snapshot, as a stub resolver asking A and AAAA sees it; explain's
// stand-in for a query, so that every record rule stays in zone/.
//
//   NameAnswer a = lookup_name(*snapshot, "myvmi.mysubdomain.default.svc.cluster.local");
//   a.outcome;   // resolvconf::Outcome::Answer
//   a.records;   // {"A 10.244.0.57"}

#include <string>
#include <string_view>
#include <vector>

#include "cluster/ip_address.h"
#include "resolvconf/search_order.h"
#include "zone/snapshot.h"

namespace vmdns::explain {

struct NameAnswer {
  // Answer (an A, AAAA or CNAME), NoData (the name exists without them), NxDomain. A name
  // outside our zones would be forwarded: counted as NxDomain, what an upstream gives for a
  // cluster short name.
  resolvconf::Outcome outcome = resolvconf::Outcome::NxDomain;
  bool in_zone = false;
  std::vector<std::string> records;           // "A 10.244.0.57", "CNAME db.example.com."
  std::vector<cluster::IpAddress> addresses;  // of the A and AAAA records
};

// `name` in presentation format, with or without the trailing dot; any case.
NameAnswer lookup_name(const zone::Snapshot& snapshot, std::string_view name);

}  // namespace vmdns::explain
