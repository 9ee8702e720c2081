// Which upstreams a name goes to: --stub-domain ZONE=ADDR,... and --forward-except ZONE.
//
// Behaviour checked: a stub domain's text is ZONE=ADDR[:PORT][,...] with IPv6 in brackets and
// port 53 by default; a missing '=', an empty zone or address, a bad address and the root zone
// are errors; a name at or under a stub zone (any case) goes to its upstreams, the most specific
// zone winning whatever the order given; a name under an except zone is not forwarded unless a
// stub domain inside it takes it; other names take the defaults; an address in two lists is one
// upstream; no default upstream leaves only the stub domains forwarded; a zone given twice is an
// error; route() does not allocate.

#include "forward/forward_zones.h"

#include <gtest/gtest.h>

#include "testing/allocation_counter.h"

namespace vmdns::forward {
namespace {

Upstream up(const char* text) {
  std::string error;
  auto upstream = parse_upstream(text, &error);
  EXPECT_TRUE(upstream) << error;
  return *upstream;
}

StubDomain stub(const char* text) {
  std::string error;
  auto parsed = parse_stub_domain(text, &error);
  EXPECT_TRUE(parsed) << text << ": " << error;
  return parsed ? *parsed : StubDomain{};
}

dns::Name name(const char* text) {
  return *dns::Name::from_text(text);
}

// The upstreams route() gives `qname`, as text.
std::vector<std::string> routed(const ForwardZones& zones, const char* qname) {
  std::vector<std::string> out;
  for (uint16_t index : zones.route(name(qname))) {
    out.push_back(zones.upstreams()[index].to_string());
  }
  return out;
}

TEST(ParseStubDomain, Forms) {
  struct Case {
    const char* text;
    const char* zone;
    std::vector<std::string> upstreams;
  };
  const Case cases[] = {
      {"example.com=10.0.0.1", "example.com.", {"10.0.0.1:53"}},
      {"Example.COM.=10.0.0.1:5353", "example.com.", {"10.0.0.1:5353"}},
      {"corp=10.0.0.1,10.0.0.2:54", "corp.", {"10.0.0.1:53", "10.0.0.2:54"}},
      {"v6.test=[fd00::1]:5353,fd00::2", "v6.test.", {"[fd00::1]:5353", "[fd00::2]:53"}},
      {"10.in-addr.arpa=127.0.0.1:5300", "10.in-addr.arpa.", {"127.0.0.1:5300"}},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.text);
    StubDomain parsed = stub(c.text);
    EXPECT_EQ(parsed.zone.to_text(), c.zone);
    std::vector<std::string> texts;
    for (const Upstream& u : parsed.upstreams) {
      texts.push_back(u.to_string());
    }
    EXPECT_EQ(texts, c.upstreams);
  }
}

TEST(ParseStubDomain, Errors) {
  struct Case {
    const char* text;
    const char* error_has;
  };
  const Case cases[] = {
      {"example.com", "is not ZONE=ADDR"},
      {"=10.0.0.1", "is not a zone name"},
      {".=10.0.0.1", "--upstream"},
      {"example.com=", "an empty upstream address"},
      {"example.com=10.0.0.1,", "an empty upstream address"},
      {"example.com=10.0.0.300", "is not ADDR[:PORT]"},
      {"example.com=10.0.0.1:0", "port 0"},
      {"exa..mple.com=10.0.0.1", "is not a zone name"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.text);
    std::string error;
    EXPECT_FALSE(parse_stub_domain(c.text, &error));
    EXPECT_NE(error.find(c.error_has), std::string::npos) << error;
  }
}

TEST(ForwardZones, Routes) {
  std::string error;
  auto zones = ForwardZones::make(
      {up("10.0.0.53"), up("10.0.0.54")},
      {stub("a.example.com=10.1.0.1"), stub("example.com=10.2.0.1,10.0.0.54"),
       stub("b.internal.corp=10.3.0.1")},
      {name("internal.corp"), name("Blocked.Test")}, &error);
  ASSERT_TRUE(zones) << error;
  struct Case {
    const char* qname;
    std::vector<std::string> upstreams;
  };
  const Case cases[] = {
      {"www.google.test", {"10.0.0.53:53", "10.0.0.54:53"}},
      {"example.com", {"10.2.0.1:53", "10.0.0.54:53"}},
      {"WWW.Example.Com", {"10.2.0.1:53", "10.0.0.54:53"}},
      {"a.example.com", {"10.1.0.1:53"}},
      {"x.y.A.example.com", {"10.1.0.1:53"}},
      {"aa.example.com", {"10.2.0.1:53", "10.0.0.54:53"}},  // a label boundary, not a suffix
      {"notexample.com", {"10.0.0.53:53", "10.0.0.54:53"}},
      {"com", {"10.0.0.53:53", "10.0.0.54:53"}},
      {"internal.corp", {}},
      {"db.INTERNAL.corp", {}},
      {"b.internal.corp", {"10.3.0.1:53"}},  // a stub domain inside an except zone
      {"x.b.internal.corp", {"10.3.0.1:53"}},
      {"blocked.test", {}},
      {"corp", {"10.0.0.53:53", "10.0.0.54:53"}},
      {".", {"10.0.0.53:53", "10.0.0.54:53"}},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.qname);
    EXPECT_EQ(routed(*zones, c.qname), c.upstreams);
  }
  // 10.0.0.54 is both a default and a stub upstream: one upstream, one set of counters.
  EXPECT_EQ(zones->upstreams().size(), 5u);
  EXPECT_FALSE(zones->routes_every_name());
}

TEST(ForwardZones, DefaultsOnly) {
  std::string error;
  auto zones = ForwardZones::make({up("10.0.0.53")}, {}, {}, &error);
  ASSERT_TRUE(zones);
  EXPECT_TRUE(zones->routes_every_name());
  EXPECT_EQ(routed(*zones, "anything.test"), std::vector<std::string>{"10.0.0.53:53"});
}

TEST(ForwardZones, NoDefaultUpstreams) {
  std::string error;
  auto zones = ForwardZones::make({}, {stub("example.com=10.2.0.1")}, {}, &error);
  ASSERT_TRUE(zones);
  EXPECT_FALSE(zones->empty());
  EXPECT_FALSE(zones->routes_every_name());
  EXPECT_EQ(routed(*zones, "www.example.com"), std::vector<std::string>{"10.2.0.1:53"});
  EXPECT_TRUE(routed(*zones, "www.other.test").empty());
  auto none = ForwardZones::make({}, {}, {name("x.test")}, &error);
  ASSERT_TRUE(none);
  EXPECT_TRUE(none->empty());
}

TEST(ForwardZones, ZoneGivenTwice) {
  std::string error;
  EXPECT_FALSE(ForwardZones::make({}, {stub("example.com=10.0.0.1"), stub("EXAMPLE.com.=10.0.0.2")},
                                  {}, &error));
  EXPECT_NE(error.find("example.com. is given twice"), std::string::npos) << error;
}

TEST(ForwardZones, RouteDoesNotAllocate) {
  std::string error;
  auto zones = ForwardZones::make({up("10.0.0.53")}, {stub("example.com=10.2.0.1")},
                                  {name("internal.corp")}, &error);
  ASSERT_TRUE(zones);
  dns::Name a = name("www.example.com");
  dns::Name b = name("db.internal.corp");
  dns::Name c = name("www.other.test");
  size_t before = vmdns::testing::allocations_on_this_thread();
  size_t total = zones->route(a).size() + zones->route(b).size() + zones->route(c).size();
  EXPECT_EQ(vmdns::testing::allocations_on_this_thread() - before, 0u);
  EXPECT_EQ(total, 2u);
}

}  // namespace
}  // namespace vmdns::forward
