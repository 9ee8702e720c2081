#pragma once
// An ExternalName whose target is outside our zones: the client asked A or AAAA of a name we
// answer with a CNAME, and gets the CNAME followed by what the upstream answers for the target,
// as CoreDNS's kubernetes plugin does (RFC 1034 section 4.3.2: a server that knows the alias
// may go on to resolve its target).
//
//   query::Result r = query::answer(snapshot, packet, out, transport);   // AliasOutOfZone
//   ClientQuery client;
//   if (parse_client_query(packet, transport, &client) &&
//       follow_alias(out.first(r.length), &client)) {
//     forwarder->submit(client, route);   // asks upstream for the target
//   }
//   // later, in the forwarder: rewrite_reply() sees client.alias and calls rewrite_alias_reply.

#include <cstddef>
#include <cstdint>
#include <span>

#include "forward/client_query.h"

namespace vmdns::forward {

// Reads the CNAME records of `our_reply` (the answer section, every record a CNAME) into
// client->alias and makes the last CNAME's target the question to forward. False, with `client`
// unchanged, when the reply is not such an answer or the records do not fit an AliasPrefix.
bool follow_alias(std::span<const uint8_t> our_reply, ClientQuery* client);

// The client's reply: its ID and question (the name it asked), AA for our CNAMEs, the
// upstream's RA and rcode (which, after a CNAME, describes the target: RFC 6604 section 2.1);
// then our CNAMEs and the upstream's answer and authority records, TTLs lowered by `elapsed`,
// names decompressed and compressed again; no additional records but our OPT when the client
// sent EDNS. A record that does not fit the client's limit sets TC and ends the message.
// Returns the length, 0 if `response` is malformed or does not answer client.question.
// Server-side search (ClientQuery::Rewrite::Autopath): the prefix of one CNAME from what the
// client asked, `client_name`, to `target`, the name asked upstream instead.
AliasPrefix search_alias(const dns::Name& client_name, const dns::Name& target, uint32_t ttl);

size_t rewrite_alias_reply(std::span<const uint8_t> response, const ClientQuery& client,
                           uint32_t elapsed, std::span<uint8_t> out);

}  // namespace vmdns::forward
