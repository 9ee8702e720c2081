#pragma once
// A query answered from the hosts entries, as CoreDNS's hosts plugin answers it, or left alone.
//
//   std::array<uint8_t, 65535> out;
//   size_t n = answer(*table, packet, out, /*tcp=*/false);
//   if (n == 0) { ...not a hosts name: the cluster zones and the forwarder take it... }
//
// - A and AAAA of a hosts name: its addresses of that family, AA, TTL the table's; none of that
//   family: NOERROR with no records (NODATA, AA, no SOA: a hosts file has none).
// - Any other type of a hosts name: the same NODATA.
// - PTR of an address of the hosts file (its in-addr.arpa or ip6.arpa name): its names.
// - Anything else (a name not in the table, a PTR for another address, a query that is not a
//   well-formed class IN QUERY with EDNS version 0 at most): 0, nothing written.
// The reply keeps the client's ID, RD, CD and spelling of the name, carries an OPT when the
// query did, and is cut at a record boundary with TC beyond 512 octets without EDNS, the
// client's size up to 1232 with it, or 65535 over TCP. No heap allocation.

#include <cstddef>
#include <cstdint>
#include <span>

#include "dns/message_view.h"
#include "hosts/hosts_table.h"

namespace vmdns::hosts {

size_t answer(const HostsTable& table, std::span<const uint8_t> query, std::span<uint8_t> out,
              bool tcp);
// The same for a query already parsed (dns::parse_query returned Ok): what the query pipeline
// calls, so that a packet is parsed once.
size_t answer(const HostsTable& table, const dns::ParsedQuery& query, std::span<uint8_t> out,
              bool tcp);

}  // namespace vmdns::hosts
