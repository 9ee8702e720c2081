#pragma once
// (snapshot, query bytes) -> response bytes. Everything here is a lookup and a copy: records
// and negative answers were decided when the snapshot was built. No heap allocation.
//
//   std::array<uint8_t, 65535> out;
//   Result r = answer(snapshot, packet, out, net::Transport::Udp);
//   if (r.length > 0) send(out.data(), r.length);
//
// Answers follow RFC 1034 section 4.3.2 for a server with no delegations and no wildcards:
// the name's record set of the asked type; a CNAME followed within our zones; NODATA or
// NXDOMAIN with the zone's SOA in the authority section (RFC 2308); AA on everything we own.

#include <cstddef>
#include <cstdint>
#include <span>

#include "dns/message_view.h"
#include "dns/name.h"
#include "dns/types.h"
#include "net/transport.h"
#include "zone/snapshot.h"

namespace vmdns::query {

enum class Outcome {
  Answered,    // a reply from our data, or an error reply (FORMERR, NOTIMP, BADVERS, ...)
  OutOfZone,   // the name is outside every zone we serve: a REFUSED reply was written
  // An A or AAAA query answered with CNAMEs (an ExternalName) whose last target is outside our
  // zones: the reply holds the CNAMEs, and a forwarder may add the target's records.
  AliasOutOfZone,
  // An NXDOMAIN from our data for a name under a --fallthrough zone (CoreDNS's kubernetes
  // `fallthrough`): the reply holds our NXDOMAIN with the SOA, sent as it is when there is no
  // one to ask; a forwarder asks the upstream instead. Only for the question's own name (not a
  // CNAME's target, not answer_alias), and only once synced: before it, SERVFAIL as usual.
  Fallthrough,
  Dropped,     // not worth a reply (a response, or shorter than a header)
};

struct Result {
  size_t length = 0;
  Outcome outcome = Outcome::Dropped;
  dns::Rcode rcode = dns::Rcode::NoError;
};

// `snapshot` may be null before the first snapshot is published: names then answer SERVFAIL.
// `rotation` (CoreDNS's loadbalance, round_robin): when not 0, every A, AAAA and MX set of more
// than one record is written from its record `rotation % size` on, wrapping around, so that
// callers passing 1, 2, 3... give each record its turn first; 0 keeps the stored order.
Result answer(const zone::Snapshot* snapshot, std::span<const uint8_t> query,
              std::span<uint8_t> out, net::Transport transport, uint32_t rotation = 0);

// The same for a query already parsed (dns::parse_query returned `status`, not Drop, into
// `query`): what the query pipeline calls, so that a packet is parsed once.
//
//   dns::ParsedQuery q;
//   dns::ParseStatus status = dns::parse_query(packet, q);
//   if (status != dns::ParseStatus::Drop) { Result r = answer(snapshot, status, q, out, ...); }
Result answer(const zone::Snapshot* snapshot, dns::ParseStatus status,
              const dns::ParsedQuery& query, std::span<uint8_t> out, net::Transport transport,
              uint32_t rotation = 0);

// Starts loading the first cache lines answer() will read for `query` (the route to the
// question's shard, the shard's Zone object, the name's slot) and returns without waiting:
// called for each query of a batch before the first is answered, the batch's misses overlap.
// Reads the question with the bounds-checked dns::Reader; anything malformed is ignored.
// No heap allocation.
void prefetch(const zone::Snapshot* snapshot, std::span<const uint8_t> query);
// The same for a question already read: `name` as the client wrote it.
void prefetch(const zone::Snapshot* snapshot, const dns::Name& name);

// A name that stands, for one client, for another: server-side search answers
// `<x>.<first search entry>` with a CNAME to the name the client's search list would have found.
struct Alias {
  dns::Name target;  // in one of our zones
  uint32_t ttl = 5;  // of the CNAME
};

// Like answer(), but the question's name is answered as `alias`: a CNAME from the question's
// name (as the client wrote it) to `alias.target`, then `alias.target`'s records, or its NODATA
// or NXDOMAIN with the SOA (the rcode describes the target, RFC 6604). AA is set only when the
// question's name is in our zones. OutOfZone when the target is not in our zones; nothing is
// written then but the REFUSED. No heap allocation.
//
//   Result r = answer_alias(snapshot, query_for_www_example, out, net::Transport::Udp,
//                           {*Name::from_text("www.default.svc.cluster.local"), 5});
Result answer_alias(const zone::Snapshot* snapshot, std::span<const uint8_t> query,
                    std::span<uint8_t> out, net::Transport transport, const Alias& alias);
// The same for a query already parsed (status Ok or FormErr).
Result answer_alias(const zone::Snapshot* snapshot, dns::ParseStatus status,
                    const dns::ParsedQuery& query, std::span<uint8_t> out, net::Transport transport,
                    const Alias& alias);

}  // namespace vmdns::query
