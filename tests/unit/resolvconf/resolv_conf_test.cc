// resolv.conf read as glibc's res_init reads it.

#include <gtest/gtest.h>

#include "resolvconf/resolv_conf.h"

namespace vmdns::resolvconf {
namespace {

using Strings = std::vector<std::string>;

struct Case {
  const char* rule;
  const char* text;
  Strings nameservers;
  Strings search;
  int ndots;
  Strings more_nameservers = {};
};

void PrintTo(const Case& c, std::ostream* out) { *out << c.rule; }

const Case kCases[] = {
    {"a pod's file", "nameserver 10.96.0.10\nsearch a.svc.cluster.local svc.cluster.local\n"
                     "options ndots:5\n",
     {"10.96.0.10"}, {"a.svc.cluster.local", "svc.cluster.local"}, 5},
    {"no options: ndots 1", "nameserver 198.18.0.1\n", {"198.18.0.1"}, {}, 1},
    {"comments, tabs and blank lines", "# generated\n\nnameserver\t198.18.0.1 ; cluster\n"
                                       "search\tx.local   y.local\n",
     {"198.18.0.1"}, {"x.local", "y.local"}, 1},
    {"the last of search and domain wins", "search a.local b.local\ndomain c.local\n", {},
     {"c.local"}, 1},
    {"at most 3 nameservers", "nameserver 1.1.1.1\nnameserver 1.1.1.2\nnameserver 1.1.1.3\n"
                              "nameserver 1.1.1.4\n",
     {"1.1.1.1", "1.1.1.2", "1.1.1.3"}, {}, 1, {"1.1.1.4"}},
    {"ndots is capped at 15, the last one wins", "options ndots:3 rotate\noptions ndots:40\n",
     {}, {}, 15},
    {"a malformed ndots is ignored", "options ndots:x\n", {}, {}, 1},
};

class ResolvConfTest : public ::testing::TestWithParam<Case> {};

TEST_P(ResolvConfTest, Parse) {
  const Case& c = GetParam();
  ResolvConf conf = parse_resolv_conf(c.text);
  EXPECT_EQ(conf.nameservers, c.nameservers) << c.rule;
  EXPECT_EQ(conf.search, c.search) << c.rule;
  EXPECT_EQ(conf.ndots(), c.ndots) << c.rule;
  EXPECT_EQ(conf.more_nameservers, c.more_nameservers) << c.rule;
}

INSTANTIATE_TEST_SUITE_P(Files, ResolvConfTest, ::testing::ValuesIn(kCases));

TEST(ResolvConf, RoundTripsThroughText) {
  ResolvConf conf{.nameservers = {"10.96.0.10"}, .search = {"a.local", "b.local"},
                  .options = {"ndots:5"}, .more_nameservers = {}};
  ResolvConf again = parse_resolv_conf(conf.to_text());
  EXPECT_EQ(again.to_text(), conf.to_text());
}

}  // namespace
}  // namespace vmdns::resolvconf
