#pragma once
// A zone in RFC 1035 master-file format, sorted: the apex SOA first, then every record in
// canonical name order (RFC 4034 section 6.1) and type order. kzonecheck and named-checkzone
// accept the output. Names made at query time (--pods insecure) are not records: a comment line
// after the SOA names each namespace they are made under.
//
//   cluster.local.	5	IN	SOA	ns.dns.cluster.local. hostmaster.cluster.local. 1 7200 1800 86400 5
//   ; <dashed-ip>.default.pod.cluster.local.	5	IN	A/AAAA	the address written in the name (...)

#include <ostream>

#include "zone/snapshot.h"

namespace vmdns::zone {

void write_zone_text(const Zone& zone, std::ostream& out);

}  // namespace vmdns::zone
