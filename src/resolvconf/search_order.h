#pragma once
// glibc's res_search (resolv/res_query.c, __res_context_search): which names a stub resolver
// tries for a name, in which order, and what it reports when none of them answers.
//
//   SearchResult r = res_search("myvmi.mysubdomain",
//                               {"default.svc.cluster.local", "svc.cluster.local"}, /*ndots=*/5,
//                               [&](const std::string& fqdn) { return query(fqdn); });
//   // tries myvmi.mysubdomain.default.svc.cluster.local. first: 1 dot < ndots 5
//
// - a name ending in '.' is absolute: tried alone;
// - a name with at least `ndots` dots is tried as it is first, then with each search suffix;
// - otherwise each search suffix first, then the name as it is;
// - the first try with an answer ends the search;
// - NXDOMAIN, NODATA and SERVFAIL go on to the next suffix;
// - REFUSED from a search-list try ends everything at once: res_send gives up on a server that
//   refuses, reports ECONNREFUSED when none is left, and res_search returns on that. (A REFUSED
//   to the as-is try made first does not stop the search list.) Checked against glibc 2.36's
//   getaddrinfo in tests/integration/test_guest.py;
// - any other failure (FORMERR, NOTIMP, a timeout) ends the search list (glibc's `done++`), and
//   the name as it is is still tried if it was not yet;
// - when nothing answered: the as-is try's result if it came first, else NODATA if any try got
//   NODATA, else SERVFAIL (TRY_AGAIN) if any try got one, else the last try's result.
// No network here: `query` is given, so that the order is tested table-driven.

#include <functional>
#include <string>
#include <string_view>
#include <vector>

namespace vmdns::resolvconf {

// What one query gave, as res_query sees it.
enum class Outcome {
  Answer,    // NOERROR with at least one answer record
  NoData,    // NOERROR, no answer (h_errno NO_DATA)
  NxDomain,  // h_errno HOST_NOT_FOUND
  ServFail,  // h_errno TRY_AGAIN
  Refused,   // h_errno TRY_AGAIN, errno ECONNREFUSED (every server refused)
  Failure,   // FORMERR, NOTIMP, a timeout, an unreachable server: h_errno NO_RECOVERY/TRY_AGAIN
};

std::string_view outcome_name(Outcome outcome);

struct SearchTry {
  std::string name;  // absolute, with a trailing dot
  Outcome outcome;
};

struct SearchResult {
  std::vector<SearchTry> tries;
  Outcome result = Outcome::NxDomain;  // Answer when one try answered
  bool resolved() const { return result == Outcome::Answer; }
};

SearchResult res_search(std::string_view name, const std::vector<std::string>& search, int ndots,
                        const std::function<Outcome(const std::string& fqdn)>& query);

}  // namespace vmdns::resolvconf
