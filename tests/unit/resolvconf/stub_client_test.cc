// The stub client's parsing of untrusted replies and of server addresses, without a network.

#include <gtest/gtest.h>

#include <array>

#include "dns/rdata.h"
#include "dns/writer.h"
#include "resolvconf/stub_client.h"

namespace vmdns::resolvconf {
namespace {

dns::Name name(const char* text) { return *dns::Name::from_text(text); }

std::vector<uint8_t> reply(uint16_t id, const char* qname, dns::Rcode rcode, bool tc) {
  std::array<uint8_t, 512> buffer{};
  dns::MessageWriter w(buffer, buffer.size());
  w.header().id = id;
  w.header().set(dns::Header::kQr, true);
  w.header().set(dns::Header::kTc, tc);
  w.header().set_rcode_low(static_cast<uint16_t>(rcode));
  w.write_question(name(qname), dns::RrType::A, 1);
  if (rcode == dns::Rcode::NoError) {
    w.write_rr(dns::Section::Answer, name(qname), dns::RrType::CNAME, 1, 5,
               dns::rdata::name(name("myvmi.mysubdomain.default.svc.cluster.local")));
    w.write_rr(dns::Section::Answer, name("myvmi.mysubdomain.default.svc.cluster.local"),
               dns::RrType::A, 1, 5, dns::rdata::a({198, 18, 0, 57}));
  }
  size_t n = w.finish();
  return {buffer.begin(), buffer.begin() + static_cast<ptrdiff_t>(n)};
}

TEST(ParseReply, AnswersWithCompressedNamesArePrinted) {
  bool tc = false;
  auto packet = reply(7, "www.default.svc.cluster.local", dns::Rcode::NoError, false);
  StubReply r = parse_reply(packet, 7, name("WWW.default.svc.cluster.local"), dns::RrType::A, &tc);
  ASSERT_TRUE(r.ok()) << r.error;
  ASSERT_EQ(r.answers.size(), 2u);
  EXPECT_EQ(r.answers[0].text,
            "www.default.svc.cluster.local.\t5\tIN\tCNAME\t"
            "myvmi.mysubdomain.default.svc.cluster.local.");
  EXPECT_EQ(r.answers[1].text,
            "myvmi.mysubdomain.default.svc.cluster.local.\t5\tIN\tA\t198.18.0.57");
  EXPECT_FALSE(tc);
}

TEST(ParseReply, MismatchesAndDamageAreRejected) {
  bool tc = false;
  auto packet = reply(7, "a.local", dns::Rcode::NxDomain, true);
  EXPECT_FALSE(parse_reply(packet, 8, name("a.local"), dns::RrType::A, &tc).ok());
  EXPECT_FALSE(parse_reply(packet, 7, name("b.local"), dns::RrType::A, &tc).ok());
  EXPECT_FALSE(parse_reply(packet, 7, name("a.local"), dns::RrType::AAAA, &tc).ok());
  StubReply r = parse_reply(packet, 7, name("a.local"), dns::RrType::A, &tc);
  EXPECT_TRUE(r.ok());
  EXPECT_EQ(r.rcode, dns::Rcode::NxDomain);
  EXPECT_TRUE(tc);
  auto answered = reply(7, "a.local", dns::Rcode::NoError, false);
  for (size_t cut = 0; cut < answered.size(); ++cut) {
    std::span<const uint8_t> prefix(answered.data(), cut);
    EXPECT_FALSE(parse_reply(prefix, 7, name("a.local"), dns::RrType::A, &tc).ok()) << cut;
  }
}

TEST(ServerAddress, Forms) {
  struct Case {
    const char* text;
    const char* parsed;  // nullptr: an error
  };
  const Case kCases[] = {
      {"127.0.0.1:5353", "127.0.0.1:5353"}, {"198.18.0.1", "198.18.0.1:53"},
      {"[::1]:5353", "[::1]:5353"},         {"fd00::10", "[fd00::10]:53"},
      {"localhost:53", nullptr},            {"1.2.3.4:99999", nullptr},
      {"[::1", nullptr},
  };
  for (const Case& c : kCases) {
    std::string error;
    auto address = parse_server_address(c.text, 53, &error);
    if (c.parsed) {
      ASSERT_TRUE(address) << c.text << ": " << error;
      EXPECT_EQ(address->text, c.parsed);
    } else {
      EXPECT_FALSE(address) << c.text;
    }
  }
}

}  // namespace
}  // namespace vmdns::resolvconf
