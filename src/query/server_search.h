#pragma once
// Server-side search for a client whose search list the snapshot knows (zone::ClientSearchIndex,
// looked up by the query's source address):
//
// - autopath (--autopath, CoreDNS's autopath plugin): a query for `<x>.<first search entry>`
//   that is NXDOMAIN is answered for the name the client's resolver would find next: vmdns walks
//   the rest of the client's search list, then `<x>` itself, and answers with a CNAME from the
//   asked name to the first one that exists, followed by its records. One round trip instead of
//   one per search entry.
// - short names (--expand-short-names): `myvmi.mysubdomain.`, asked by a guest that applies no
//   search list to names with a dot, stands for `myvmi.mysubdomain.<ns>.svc.<zone>` when that
//   exists (and, when there is an upstream, only once the upstream said NXDOMAIN).
//
//   SearchStep step = autopath(snapshot, *client, query, first, out, net::Transport::Udp, 5);
//   if (step.kind == SearchStep::Kind::Forward) { ... ask upstream for step.name ... }
//
// On the query path: names are built in fixed buffers and looked up, nothing is allocated.

#include <cstdint>
#include <optional>
#include <span>

#include "dns/name.h"
#include "query/answer.h"
#include "zone/client_search.h"
#include "zone/snapshot.h"

namespace vmdns::query {

struct SearchStep {
  enum class Kind {
    Unchanged,  // nothing to do: `out` holds answer()'s reply and `result` is its result
    // `out` holds an answer through a CNAME (answer_alias), `result` its result; its outcome
    // is AliasOutOfZone when the name found is an ExternalName leading out of our zones.
    Answered,
    Forward,    // the walk left our zones at `name`: ask the upstream for it; `out` is spent
  };
  Kind kind = Kind::Unchanged;
  Result result;
  dns::Name name;  // Forward: the next name to try, the client's spelling of <x> kept
};

// `first` is answer()'s result for `query`, whose reply is in `out`. Only an NXDOMAIN for a
// name strictly below the client's first search entry starts a walk. The entries after the
// first are tried in order, then <x> alone (CoreDNS's "" entry): an entry whose name does not
// exist in our zones is passed over; the first that exists is answered with a CNAME of TTL
// `cname_ttl` (NODATA included: the CNAME then says which name has no data); the first outside
// our zones ends the walk with Forward. When every name is NXDOMAIN, the client gets the
// NXDOMAIN it asked for (Unchanged), and walks its list itself, as with CoreDNS; under
// --fallthrough that result's outcome is Fallthrough, and the asked name goes upstream.
// `query` is the parsed query (dns::parse_query returned Ok).
SearchStep autopath(const zone::Snapshot& snapshot, const zone::ClientSearch& client,
                    const dns::ParsedQuery& query, const Result& first, std::span<uint8_t> out,
                    net::Transport transport, uint32_t cname_ttl);

// The name `qname` stands for in the client's namespace: `<qname>.<ns>.svc.<zone>`, when
// `qname` has at least two labels and is outside our zones, and that name exists in our zones.
// Single-label names are left to the client's search list.
std::optional<dns::Name> expand_short_name(const zone::Snapshot& snapshot,
                                           const zone::ClientSearch& client,
                                           const dns::Name& qname);

}  // namespace vmdns::query
