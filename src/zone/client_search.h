#pragma once
// Who is asking: the search list of one VMI guest or Pod, as its resolver walks it, and its
// namespace's domain (for --expand-short-names). The query path finds it by the client's
// address in the snapshot's index (client_search_index.h).
//
//   const ClientSearch* client = snapshot.clients().find(address_octets);
//   client->search[0];           // mysubdomain.default.svc.cluster.local.  (the page's vmi-fedora)
//   client->namespace_domain;    // default.svc.cluster.local.

#include <vector>

#include "dns/name.h"

namespace vmdns::zone {

struct ClientSearch {
  std::vector<dns::Name> search;  // lowercased, in the order the client's resolver tries them
  dns::Name namespace_domain;     // <ns>.svc.<first zone>, lowercased
};

}  // namespace vmdns::zone
