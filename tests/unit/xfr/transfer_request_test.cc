// Transfer requests read from the wire (RFC 5936 section 2.1, RFC 1995 section 3): labelled
// byte arrays built from a query and an authority SOA.

#include "xfr/transfer_request.h"

#include <gtest/gtest.h>

#include "testing/dns_text.h"
#include "xfr_fixture.h"

namespace vmdns::xfr {
namespace {

using Bytes = std::vector<uint8_t>;

void put16(Bytes& b, uint16_t v) {
  b.push_back(static_cast<uint8_t>(v >> 8));
  b.push_back(static_cast<uint8_t>(v));
}

// An IXFR query with `owner`'s SOA of `serial` in the authority section.
Bytes ixfr(const std::string& zone, const std::string& owner, uint32_t serial,
           dns::RrType type = dns::RrType::SOA) {
  Bytes q = vmdns::testing::make_query({.name = zone, .type = dns::RrType::IXFR});
  q[9] = 1;  // NSCOUNT
  dns::Name owner_name = testing::name(owner);
  auto o = owner_name.wire();
  q.insert(q.end(), o.begin(), o.end());
  put16(q, static_cast<uint16_t>(type));
  put16(q, 1);
  put16(q, 0);
  put16(q, 0);
  auto soa = dns::rdata::soa(testing::name("ns." + zone), testing::name("h." + zone), serial, 1,
                             2, 3, 4);
  put16(q, static_cast<uint16_t>(soa.size()));
  q.insert(q.end(), soa.begin(), soa.end());
  return q;
}

TEST(TransferRequest, ReadsWhatTheRfcsSay) {
  Bytes response = vmdns::testing::make_query({.name = "example.", .type = dns::RrType::AXFR});
  response[2] |= 0x80;  // QR
  Bytes truncated = ixfr("example.", "example.", 7);
  truncated.resize(truncated.size() - 3);
  Bytes no_soa = vmdns::testing::make_query({.name = "example.", .type = dns::RrType::IXFR});
  struct Case {
    const char* what;
    Bytes wire;
    RequestStatus status;
    std::optional<uint32_t> serial;
  } cases[] = {
      {"5936 2.1 AXFR", vmdns::testing::make_query({.name = "example.", .type = dns::RrType::AXFR}),
       RequestStatus::Ok, std::nullopt},
      {"5936 AXFR with EDNS",
       vmdns::testing::make_query({.name = "example.", .type = dns::RrType::AXFR, .edns = true}),
       RequestStatus::Ok, std::nullopt},
      {"1995 3 IXFR with the client's SOA", ixfr("example.", "example.", 7), RequestStatus::Ok, 7},
      {"1995 3 IXFR, owner in another case", ixfr("example.", "EXAMPLE.", 4294967295u),
       RequestStatus::Ok, 4294967295u},
      {"1995 3 IXFR without its SOA", no_soa, RequestStatus::FormErr, std::nullopt},
      {"1995 3 IXFR, the SOA of another name", ixfr("example.", "other.", 7),
       RequestStatus::FormErr, std::nullopt},
      {"1995 3 IXFR, not an SOA", ixfr("example.", "example.", 7, dns::RrType::A),
       RequestStatus::FormErr, std::nullopt},
      {"IXFR cut short", truncated, RequestStatus::FormErr, std::nullopt},
      {"1035 a response is never answered", response, RequestStatus::NotTransfer, std::nullopt},
      {"an A query", vmdns::testing::make_query({.name = "example."}), RequestStatus::NotTransfer,
       std::nullopt},
      {"class CH AXFR",
       vmdns::testing::make_query({.name = "example.", .type = dns::RrType::AXFR, .qclass = 3}),
       RequestStatus::NotTransfer, std::nullopt},
      {"a runt", Bytes{1, 2, 3}, RequestStatus::NotTransfer, std::nullopt},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.what);
    TransferRequest r;
    EXPECT_EQ(read_transfer_request(c.wire, r), c.status);
    if (c.status == RequestStatus::Ok) {
      EXPECT_EQ(r.id, 0x1234);
      EXPECT_EQ(r.client_serial, c.serial);
      EXPECT_TRUE(r.zone == testing::name("example."));
    }
  }
}

}  // namespace
}  // namespace vmdns::xfr
