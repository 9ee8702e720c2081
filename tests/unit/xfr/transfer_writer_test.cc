// The messages of a transfer (RFC 5936 section 2.2): a large zone split into many messages of
// at most 65535 octets, no record split, the question in the first only, the SOA first and
// last, the records between in canonical order, names compressed.

#include "xfr/transfer_writer.h"

#include <gtest/gtest.h>

#include "dns/message_view.h"
#include "testing/dns_text.h"
#include "xfr_fixture.h"

namespace vmdns::xfr {
namespace {

struct Sent {
  std::vector<std::vector<uint8_t>> messages;
  std::vector<std::string> records;  // "owner TYPE", every message's answers in order
};

Sent transfer(const zone::Zone& z, bool edns) {
  TransferRequest request;
  request.id = 77;
  request.zone = z.apex();
  request.type = dns::RrType::AXFR;
  request.edns = edns;
  RecordSequence records;
  std::span<const uint8_t> soa = z.soa().data().subspan(2);
  records.add_soa(z.apex_wire(), soa, z.soa().ttl());
  records.add_zone(z);
  records.add_soa(z.apex_wire(), soa, z.soa().ttl());
  TransferWriter writer(request, nullptr);
  Sent sent;
  std::vector<uint8_t> buffer(65535);
  while (size_t n = writer.next(records, buffer)) {
    sent.messages.emplace_back(buffer.begin(), buffer.begin() + static_cast<long>(n));
    dns::MessageView m(sent.messages.back());
    EXPECT_TRUE(m.ok());
    for (const dns::RecordView& rr : m.answer()) {
      dns::Name owner;
      rr.read_owner(owner);
      sent.records.push_back(owner.to_text() + " " + dns::rr_type_name(rr.type));
    }
  }
  EXPECT_EQ(writer.messages(), sent.messages.size());
  return sent;
}

TEST(TransferWriter, SplitsALargeZoneIntoMessages) {
  struct Case {
    const char* what;
    size_t vms;
    bool edns;
    size_t min_messages;
  } cases[] = {
      {"a small zone: one message", 3, false, 1},
      {"3,000 names: several messages", 3000, false, 2},
      {"3,000 names with EDNS: an OPT in each", 3000, true, 2},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.what);
    std::vector<std::string> lines;
    for (size_t i = 0; i < c.vms; ++i) {
      lines.push_back("vm-" + std::to_string(i) + ".default.vms.example. A 10.0." +
                      std::to_string(i / 250) + "." + std::to_string(i % 250));
    }
    zone::Zone z = testing::make_zone("example.", 42, lines);
    Sent sent = transfer(z, c.edns);
    ASSERT_GE(sent.messages.size(), c.min_messages);
    ASSERT_EQ(sent.records.size(), c.vms + 2);
    EXPECT_EQ(sent.records.front(), "example. SOA");
    EXPECT_EQ(sent.records.back(), "example. SOA");
    for (size_t i = 0; i < sent.messages.size(); ++i) {
      const auto& m = sent.messages[i];
      dns::MessageView view(m);
      EXPECT_LE(m.size(), 65535u);
      EXPECT_EQ(view.header().id, 77);
      EXPECT_TRUE(view.header().qr());
      EXPECT_TRUE(view.header().aa());
      EXPECT_EQ(view.has_question(), i == 0) << "message " << i;
      EXPECT_EQ(view.edns().present, c.edns);
      if (i + 1 < sent.messages.size()) {
        EXPECT_GT(m.size(), 60000u) << "messages are filled before the next is begun";
      }
    }
    // Canonical order: vm-0, vm-1, vm-10, vm-100, ...
    std::vector<std::string> owners(sent.records.begin() + 1, sent.records.end() - 1);
    std::vector<std::string> expected = owners;
    std::sort(expected.begin(), expected.end(), [](const std::string& a, const std::string& b) {
      return dns::canonical_compare(testing::name(a.substr(0, a.find(' '))),
                                    testing::name(b.substr(0, b.find(' ')))) < 0;
    });
    EXPECT_EQ(owners, expected);
    if (c.vms == 3000) {
      // Compressed: an uncompressed A record under this apex takes ~50 octets.
      size_t total = 0;
      for (const auto& m : sent.messages) {
        total += m.size();
      }
      EXPECT_LT(total, c.vms * 30);
    }
  }
}

TEST(TransferWriter, OneMessageReplies) {
  TransferRequest request;
  request.id = 9;
  request.zone = testing::name("example.");
  request.type = dns::RrType::IXFR;
  std::vector<uint8_t> buffer(65535);
  TransferWriter writer(request, nullptr);
  size_t n = writer.single(dns::Rcode::Refused, nullptr, buffer);
  buffer.resize(n);
  auto text = vmdns::testing::parse_response(buffer);
  ASSERT_TRUE(text);
  EXPECT_EQ(text->rcode, dns::Rcode::Refused);
  EXPECT_EQ(text->question, "example. IXFR");
  EXPECT_FALSE(text->aa);
  EXPECT_TRUE(text->answer.empty());
}

}  // namespace
}  // namespace vmdns::xfr
