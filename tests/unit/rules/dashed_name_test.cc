// Endpoint and pod labels made from addresses (Kubernetes DNS specification schema 1.1.0,
// sections 2.4.2 and 2.5; CoreDNS plugin/kubernetes endpointHostname).

#include "rules/dashed_name.h"

#include <gtest/gtest.h>

namespace vmdns::rules {
namespace {

struct DashedCase {
  const char* why;
  const char* address;
  const char* label;
};

TEST(DashedNameTest, Table) {
  const DashedCase cases[] = {
      {"IPv4: dots become dashes", "10.244.0.57", "10-244-0-57"},
      {"IPv6: RFC 5952 compressed text, ':' -> '-' (CoreDNS)", "5678:abcd::1", "5678-abcd--1"},
      {"IPv6 ending in '::': a '0' is appended", "fd00::", "fd00--0"},
      {"IPv6 starting with '::': a '0' is prepended", "::1", "0--1"},
      {"the unspecified address: both", "::", "0--0"},
      {"full IPv6, no compression", "fd00:1:2:3:4:5:6:7", "fd00-1-2-3-4-5-6-7"},
      {"upper case input is printed lower case (RFC 5952 section 4.3)", "FD00::AB", "fd00--ab"},
      {"IPv4-mapped IPv6: the dotted quad is dashed too", "::ffff:10.0.0.1", "0--ffff-10-0-0-1"},
  };
  for (const DashedCase& c : cases) {
    SCOPED_TRACE(c.why);
    EXPECT_EQ(dashed_name(*cluster::IpAddress::parse(c.address)), c.label);
  }
}

TEST(EndpointLabelTest, HostnameThenWorkloadNameThenDashedAddress) {
  auto address = *cluster::IpAddress::parse("10.244.0.57");
  struct Row {
    const char* why;
    Endpoint endpoint;
    bool pod_names;
    const char* label;
  } rows[] = {
      {"a hostname always wins", {address, "myvmi", true, "vmi-fedora"}, true, "myvmi"},
      {"no hostname: the dashed address",
       {address, "", true, "vmi-fedora"},
       false,
       "10-244-0-57"},
      {"endpoint_pod_names: the Pod/VMI name",
       {address, "", true, "vmi-fedora"},
       true,
       "vmi-fedora"},
      {"endpoint_pod_names, name not a DNS label: the dashed address",
       {address, "", true, "web.prod"},
       true,
       "10-244-0-57"},
      {"endpoint_pod_names, no workload (a bare EndpointSlice entry): the dashed address",
       {address, "", true, ""},
       true,
       "10-244-0-57"},
  };
  for (const Row& r : rows) {
    SCOPED_TRACE(r.why);
    EXPECT_EQ(endpoint_label(r.endpoint, r.pod_names), r.label);
  }
}

}  // namespace
}  // namespace vmdns::rules
