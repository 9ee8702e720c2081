// glibc's res_search order and final result, one row per rule, without a network: each row
// says which names answer (or fail how), and the names tried.

#include <gtest/gtest.h>

#include <map>

#include "resolvconf/search_order.h"

namespace vmdns::resolvconf {
namespace {

const std::vector<std::string> kPod{"default.svc.cluster.local", "svc.cluster.local",
                                    "cluster.local"};
const std::vector<std::string> kGuest{"mysubdomain.default.svc.cluster.local",
                                      "default.svc.cluster.local", "svc.cluster.local",
                                      "cluster.local"};

struct Case {
  const char* rule;
  std::string name;
  std::vector<std::string> search;
  int ndots;
  std::map<std::string, Outcome> server;  // names not listed are NXDOMAIN
  std::vector<std::string> tried;
  Outcome result;
};

void PrintTo(const Case& c, std::ostream* out) { *out << c.rule; }

const Case kCases[] = {
    {"fewer dots than ndots: search list first, stop at the first answer",
     "myvmi.mysubdomain", kPod, 5,
     {{"myvmi.mysubdomain.default.svc.cluster.local.", Outcome::Answer}},
     {"myvmi.mysubdomain.default.svc.cluster.local."}, Outcome::Answer},
    {"the page's guest: ndots 1, the name as it is first, then the subdomain entry",
     "myvmi.mysubdomain", kGuest, 1,
     {{"myvmi.mysubdomain.", Outcome::Refused},
      {"myvmi.mysubdomain.default.svc.cluster.local.", Outcome::Answer}},
     {"myvmi.mysubdomain.", "myvmi.mysubdomain.mysubdomain.default.svc.cluster.local.",
      "myvmi.mysubdomain.default.svc.cluster.local."},
     Outcome::Answer},
    {"a short name in the guest: the subdomain entry makes 'myvmi' resolve", "myvmi", kGuest, 1,
     {{"myvmi.mysubdomain.default.svc.cluster.local.", Outcome::Answer}},
     {"myvmi.mysubdomain.default.svc.cluster.local."}, Outcome::Answer},
    {"a trailing dot is absolute: tried alone", "myvmi.mysubdomain.", kPod, 5, {},
     {"myvmi.mysubdomain."}, Outcome::NxDomain},
    {"nothing found with fewer dots: every suffix, then as it is", "nothere", kPod, 5, {},
     {"nothere.default.svc.cluster.local.", "nothere.svc.cluster.local.",
      "nothere.cluster.local.", "nothere."},
     Outcome::NxDomain},
    {"NODATA on one try makes the result NODATA rather than NXDOMAIN", "web", kPod, 5,
     {{"web.svc.cluster.local.", Outcome::NoData}},
     {"web.default.svc.cluster.local.", "web.svc.cluster.local.", "web.cluster.local.", "web."},
     Outcome::NoData},
    {"tried as it is first: its result is the result, even after a NODATA", "a.b", kPod, 1,
     {{"a.b.svc.cluster.local.", Outcome::NoData}},
     {"a.b.", "a.b.default.svc.cluster.local.", "a.b.svc.cluster.local.",
      "a.b.cluster.local."},
     Outcome::NxDomain},
    {"SERVFAIL goes on to the next suffix", "web", kPod, 5,
     {{"web.default.svc.cluster.local.", Outcome::ServFail},
      {"web.svc.cluster.local.", Outcome::Answer}},
     {"web.default.svc.cluster.local.", "web.svc.cluster.local."}, Outcome::Answer},
    {"REFUSED to a search-list try ends everything: no other suffix, no as-is try", "web",
     kPod, 5,
     {{"web.default.svc.cluster.local.", Outcome::Refused},
      {"web.svc.cluster.local.", Outcome::Answer}},
     {"web.default.svc.cluster.local."}, Outcome::Refused},
    {"REFUSED to the as-is try made first does not stop the search list", "a.b", kPod, 1,
     {{"a.b.", Outcome::Refused}, {"a.b.svc.cluster.local.", Outcome::Answer}},
     {"a.b.", "a.b.default.svc.cluster.local.", "a.b.svc.cluster.local."}, Outcome::Answer},
    {"nothing after a REFUSED as-is try: its result", "a.b", kPod, 1,
     {{"a.b.", Outcome::Refused}},
     {"a.b.", "a.b.default.svc.cluster.local.", "a.b.svc.cluster.local.",
      "a.b.cluster.local."},
     Outcome::Refused},
    {"only SERVFAILs and NXDOMAINs: SERVFAIL (TRY_AGAIN)", "web", kPod, 5,
     {{"web.svc.cluster.local.", Outcome::ServFail}},
     {"web.default.svc.cluster.local.", "web.svc.cluster.local.", "web.cluster.local.", "web."},
     Outcome::ServFail},
    {"any other failure ends the search list, the name as it is is still tried", "web", kPod, 5,
     {{"web.default.svc.cluster.local.", Outcome::Failure}},
     {"web.default.svc.cluster.local.", "web."}, Outcome::NxDomain},
    {"no search list: the name as it is", "example", {}, 1, {}, {"example."},
     Outcome::NxDomain},
    {"exactly ndots dots counts as enough", "a.b.c.d.e.f", kPod, 5,
     {{"a.b.c.d.e.f.", Outcome::Answer}}, {"a.b.c.d.e.f."}, Outcome::Answer},
    {"'.' on the search list stands for the name as it is", "web", {"x.local", "."}, 1, {},
     {"web.x.local.", "web."}, Outcome::NxDomain},
};

class SearchOrderTest : public ::testing::TestWithParam<Case> {};

TEST_P(SearchOrderTest, TriesAndResult) {
  const Case& c = GetParam();
  SearchResult result = res_search(c.name, c.search, c.ndots, [&](const std::string& fqdn) {
    auto it = c.server.find(fqdn);
    return it == c.server.end() ? Outcome::NxDomain : it->second;
  });
  std::vector<std::string> tried;
  for (const SearchTry& t : result.tries) {
    tried.push_back(t.name);
  }
  EXPECT_EQ(tried, c.tried);
  EXPECT_EQ(outcome_name(result.result), outcome_name(c.result));
}

INSTANTIATE_TEST_SUITE_P(Rules, SearchOrderTest, ::testing::ValuesIn(kCases));

}  // namespace
}  // namespace vmdns::resolvconf
