#pragma once
// A zone in RFC 1035 master-file format, sorted: the apex SOA first, then every record in
// canonical name order (RFC 4034 section 6.1) and type order. kzonecheck and named-checkzone
// accept the output.
//
//   cluster.local.	5	IN	SOA	ns.dns.cluster.local. hostmaster.cluster.local. 1 7200 1800 86400 5

#include <ostream>

#include "zone/snapshot.h"

namespace vmdns::zone {

void write_zone_text(const Zone& zone, std::ostream& out);

}  // namespace vmdns::zone
