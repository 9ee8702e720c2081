// The endpoints the builder keeps between snapshots (rules/kept_endpoints.h): each read back with
// its address, readiness and the label endpoint_label() gives, in one block of the exact size.

#include "rules/kept_endpoints.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "rules/dashed_name.h"

namespace vmdns::rules {
namespace {

cluster::IpAddress ip(const char* text) { return *cluster::IpAddress::parse(text); }

// An IPv4 address with octets past the fourth set, which parse() never makes: kept as it is.
cluster::IpAddress odd_v4() {
  cluster::IpAddress address = ip("10.0.0.9");
  address.bytes[7] = 1;
  return address;
}

struct KeptCase {
  const char* why;
  std::vector<Endpoint> endpoints;
  bool pod_names;
  std::vector<std::string> labels;  // as read back, in order
  size_t bytes;                     // the block: 8 octets of counts, then the entries
};

TEST(KeptEndpointsTest, ReadsBackAddressReadinessAndLabel) {
  const std::string long_name(300, 'h');
  const KeptCase cases[] = {
      {"none: no block", {}, false, {}, 0},
      {"a VMI's hostname: flags, 4 octets, length, text",
       {{ip("10.244.0.5"), "myvmi", true, "vmi-a"}}, false, {"myvmi"}, 8 + 1 + 4 + 1 + 5},
      {"no hostname: the dashed address, made again, not stored",
       {{ip("10.244.0.5"), "", false, "vmi-a"}}, false, {"10-244-0-5"}, 8 + 1 + 4},
      {"endpoint_pod_names: the workload's name",
       {{ip("10.244.0.5"), "", true, "vmi-a"}}, true, {"vmi-a"}, 8 + 1 + 4 + 1 + 5},
      {"endpoint_pod_names, a name that is not a DNS label: the dashed address",
       {{ip("10.244.0.5"), "", true, "web.prod"}}, true, {"10-244-0-5"}, 8 + 1 + 4},
      {"IPv6: 16 octets", {{ip("fd00::5"), "", true, ""}}, false, {"fd00--5"}, 8 + 1 + 16},
      {"IPv4 with octets past the fourth: 16 octets, as they were",
       {{odd_v4(), "x", true, ""}}, false, {"x"}, 8 + 1 + 16 + 1 + 1},
      {"a hostname of 300 characters: a long length, the whole text",
       {{ip("10.0.0.1"), long_name, true, ""}}, false, {long_name}, 8 + 1 + 4 + 1 + 4 + 300},
      {"several, in their order",
       {{ip("10.0.0.2"), "b", true, "p-b"},
        {ip("fd00::1"), "", false, "p-a"},
        {ip("10.0.0.1"), "", true, "p.c"}},
       true,
       {"b", "p-a", "10-0-0-1"},
       8 + (1 + 4 + 1 + 1) + (1 + 16 + 1 + 3) + (1 + 4)},
      {"dual-stack: the second address's label is the first's, not repeated",
       {{ip("10.244.0.5"), "myvmi", true, "vmi-a"}, {ip("fd10::5"), "myvmi", true, "vmi-a"}},
       false,
       {"myvmi", "myvmi"},
       8 + (1 + 4 + 1 + 5) + (1 + 16)},
      {"the same label again after another, and dashed addresses between",
       {{ip("10.0.0.1"), "a", true, ""},
        {ip("10.0.0.2"), "b", true, ""},
        {ip("10.0.0.3"), "a", true, ""},
        {ip("10.0.0.4"), "", true, ""},
        {ip("10.0.0.5"), "", true, ""},
        {ip("10.0.0.6"), "a", true, ""},
        {ip("10.0.0.7"), "a", false, ""}},
       false,
       {"a", "b", "a", "10-0-0-4", "10-0-0-5", "a", "a"},
       8 + 3 * (1 + 4 + 1 + 1) + 2 * (1 + 4) + (1 + 4 + 1 + 1) + (1 + 4)},
  };
  for (const KeptCase& c : cases) {
    SCOPED_TRACE(c.why);
    KeptEndpoints kept(c.endpoints, c.pod_names);
    EXPECT_EQ(kept.size(), c.endpoints.size());
    EXPECT_EQ(kept.empty(), c.endpoints.empty());
    EXPECT_EQ(kept.allocated_bytes(), c.bytes);
    size_t i = 0;
    for (const KeptEndpoint& e : kept) {
      ASSERT_LT(i, c.endpoints.size());
      EXPECT_EQ(e.address, c.endpoints[i].address);
      EXPECT_EQ(e.ready, c.endpoints[i].ready);
      EXPECT_EQ(e.label(), c.labels[i]);
      EXPECT_EQ(e.label(), endpoint_label(c.endpoints[i], c.pod_names));
      ++i;
    }
    EXPECT_EQ(i, c.endpoints.size());
  }
}

TEST(KeptEndpointsTest, MovesItsBlock) {
  KeptEndpoints kept({{ip("10.0.0.1"), "a", true, ""}}, false);
  KeptEndpoints moved = std::move(kept);
  EXPECT_EQ(moved.size(), 1u);
  EXPECT_EQ((*moved.begin()).label(), "a");
  KeptEndpoints none;
  EXPECT_EQ(none.begin(), none.end());
  EXPECT_FALSE(has_published(cluster::Service(), none));
  EXPECT_TRUE(has_published(cluster::Service(), moved));
}

}  // namespace
}  // namespace vmdns::rules
