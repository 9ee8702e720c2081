// kubelet's resolv.conf for a pod: each dnsPolicy, dnsConfig merging, and the search limits.

#include <gtest/gtest.h>

#include "resolvconf/pod_dns.h"

namespace vmdns::resolvconf {
namespace {

using Strings = std::vector<std::string>;

cluster::PodDnsConfig config(Strings nameservers, Strings searches,
                             std::vector<cluster::PodDnsConfig::Option> options) {
  cluster::PodDnsConfig c;
  for (const std::string& n : nameservers) {
    c.nameservers.push_back(*cluster::IpAddress::parse(n));
  }
  c.searches = std::move(searches);
  c.options = std::move(options);
  return c;
}

struct Case {
  const char* rule;
  std::string policy;
  std::optional<cluster::PodDnsConfig> config;
  std::string resolv_conf;
  Strings warnings;
};

void PrintTo(const Case& c, std::ostream* out) { *out << c.rule; }

const Case kCases[] = {
    {"ClusterFirst by default: cluster nameserver, namespace search list, ndots:5", "",
     std::nullopt,
     "nameserver 10.96.0.10\nsearch shop.svc.cluster.local svc.cluster.local cluster.local\n"
     "options ndots:5\n",
     {}},
    {"ClusterFirst with dnsConfig: appended, duplicates dropped, ndots overridden in place",
     "ClusterFirst",
     config({"10.96.0.10", "198.18.0.9"}, {"corp.example", "svc.cluster.local"},
            {{"ndots", "2"}, {"edns0", std::nullopt}}),
     "nameserver 10.96.0.10\nnameserver 198.18.0.9\n"
     "search shop.svc.cluster.local svc.cluster.local cluster.local corp.example\n"
     "options ndots:2 edns0\n",
     {}},
    {"ClusterFirstWithHostNet: ClusterFirst for a pod off the host network",
     "ClusterFirstWithHostNet", std::nullopt,
     "nameserver 10.96.0.10\nsearch shop.svc.cluster.local svc.cluster.local cluster.local\n"
     "options ndots:5\n",
     {}},
    {"None: dnsConfig alone", "None", config({"198.18.0.9"}, {"corp.example"}, {{"ndots", "1"}}),
     "nameserver 198.18.0.9\nsearch corp.example\noptions ndots:1\n", {}},
    {"Default: the node's file, unknown here: dnsConfig only, with a warning", "Default",
     config({}, {"corp.example"}, {}), "search corp.example\n",
     {"dnsPolicy Default: the pod gets its node's resolv.conf, which vmdns does not know; "
      "showing spec.dnsConfig only"}},
    {"more than 6 search entries: the rest dropped and named", "",
     config({}, {"a.example", "b.example", "c.example", "d.example"}, {}),
     "nameserver 10.96.0.10\nsearch shop.svc.cluster.local svc.cluster.local cluster.local "
     "a.example b.example c.example\noptions ndots:5\n",
     {"search line limits (6 entries, 256 characters) exceeded, omitted: d.example"}},
    {"more than 256 characters: entries dropped from the end", "",
     config({}, {std::string(100, 'a') + ".example", std::string(100, 'b') + ".example"}, {}),
     "nameserver 10.96.0.10\nsearch shop.svc.cluster.local svc.cluster.local cluster.local " +
         std::string(100, 'a') + ".example\noptions ndots:5\n",
     {"search line limits (6 entries, 256 characters) exceeded, omitted: " +
      std::string(100, 'b') + ".example"}},
    {"more than 3 nameservers: the rest dropped", "",
     config({"198.18.0.2", "198.18.0.3", "198.18.0.4"}, {}, {}),
     "nameserver 10.96.0.10\nnameserver 198.18.0.2\nnameserver 198.18.0.3\n"
     "search shop.svc.cluster.local svc.cluster.local cluster.local\noptions ndots:5\n",
     {"nameserver limit of 3 exceeded, omitted: 198.18.0.4"}},
};

class PodDnsTest : public ::testing::TestWithParam<Case> {};

TEST_P(PodDnsTest, ResolvConf) {
  const Case& c = GetParam();
  PodDns dns = pod_dns(ClusterDns{}, "shop", c.policy, c.config);
  EXPECT_EQ(dns.conf.to_text(), c.resolv_conf) << c.rule;
  EXPECT_EQ(dns.warnings, c.warnings) << c.rule;
}

INSTANTIATE_TEST_SUITE_P(Policies, PodDnsTest, ::testing::ValuesIn(kCases));

TEST(FitSearchLimits, ExpandedLimitsKeep32Entries) {
  Strings search;
  for (int i = 0; i < 40; ++i) {
    search.push_back("s" + std::to_string(i) + ".example");
  }
  Strings dropped;
  Strings kept = fit_search_limits(search, kExpandedSearchLimits, &dropped);
  EXPECT_EQ(kept.size(), 32u);
  EXPECT_EQ(dropped.size(), 8u);
  EXPECT_EQ(dropped.front(), "s32.example");
}

TEST(FitSearchLimits, EntryLongerThan253IsDropped) {
  Strings dropped;
  Strings kept = fit_search_limits({"a.example", std::string(254, 'x')},
                                   kExpandedSearchLimits, &dropped);
  EXPECT_EQ(kept, Strings{"a.example"});
  EXPECT_EQ(dropped, Strings{std::string(254, 'x')});
}

}  // namespace
}  // namespace vmdns::resolvconf
