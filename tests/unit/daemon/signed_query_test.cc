// Queries signed with TSIG that are not zone transfers: a secondary's SOA query before an IXFR
// (BIND signs it with the key its primaries name, and drops an unsigned answer). Through the
// dispatcher, with the transfers' TsigTransferAuth, as `serve` wires them.
//
// Behaviour checked, one table row each, over UDP and TCP, with and without EDNS:
//   - signed with our key: answered as unsigned, and signed with the key (the answer verifies
//     against the request's MAC, RFC 8945 section 5.3);
//   - signed with another secret: NOTAUTH and BADSIG, unsigned; an unknown key: BADKEY;
//   - a signed name outside our zones: REFUSED, signed;
//   - unsigned: the plain answer, with no TSIG.
// Without a key configured, a signed query gets the plain answer (the TSIG is not looked at).

#include <gtest/gtest.h>

#include <array>
#include <string>
#include <vector>

#include "builder/build.h"
#include "daemon/transfer_tsig.h"
#include "dispatch/dispatcher.h"
#include "dns/header.h"
#include "sources/manifest_loader.h"
#include "testing/dns_text.h"
#include "tsig/signer.h"
#include "tsig/verifier.h"

namespace vmdns::daemon {
namespace {

constexpr uint64_t kNow = 1700000000;
constexpr const char* kOurs = "xfr.example:hmac-sha256:c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0LTAx";
constexpr const char* kOtherSecret =
    "xfr.example:hmac-sha256:bm90LXRoZS1zZWNyZXQtb2YteGZyLmV4YW1wbGUtMA==";
constexpr const char* kUnknown =
    "other.example:hmac-sha256:c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0LTAx";

tsig::Key key(const char* spec) {
  std::string error;
  auto k = tsig::parse_key_spec(spec, &error);
  EXPECT_TRUE(k) << error;
  return *k;
}

struct Case {
  const char* name;
  const char* signed_with;  // a key spec; null: unsigned
  const char* qname;
  dns::Rcode rcode;
  tsig::Status answer;  // what the client's check of the answer says
};

// gtest prints a case by its name: ctest lists it by that, not by a dump of its bytes.
void PrintTo(const Case& c, std::ostream* out) { *out << c.name; }

const Case kCases[] = {
    {"our_key", kOurs, "cluster.local", dns::Rcode::NoError, tsig::Status::Ok},
    {"other_secret", kOtherSecret, "cluster.local", dns::Rcode::NotAuth, tsig::Status::BadSig},
    {"unknown_key", kUnknown, "cluster.local", dns::Rcode::NotAuth, tsig::Status::BadKey},
    {"outside_our_zones", kOurs, "example.org", dns::Rcode::Refused, tsig::Status::Ok},
    {"unsigned", nullptr, "cluster.local", dns::Rcode::NoError, tsig::Status::Unsigned},
};

class SignedQueryTest : public ::testing::TestWithParam<Case> {
 protected:
  static void SetUpTestSuite() {
    auto loaded = sources::load_manifest_text("", "empty.yaml");
    rules::ZoneConfig config;
    config.zones = {*dns::Name::from_text("cluster.local")};
    holder_ = new zone::SnapshotHolder;
    holder_->publish(builder::build(loaded.state, config));
  }
  static void TearDownTestSuite() { delete holder_; }

  static xfr::Transfers transfers(bool with_key) {
    xfr::TransferOptions options;
    if (with_key) {
      tsig::KeyRing keys;
      std::string error;
      keys.add(key(kOurs), &error);
      options.auth = std::make_shared<TsigTransferAuth>(std::move(keys), [] { return kNow; });
    }
    return xfr::Transfers(std::move(options));
  }

  // The SOA query for `qname`, signed with `spec` when given; the request's MAC in `mac`.
  static std::vector<uint8_t> query(const char* qname, const char* spec, bool edns,
                                    std::vector<uint8_t>& mac) {
    std::vector<uint8_t> q =
        vmdns::testing::make_query({.name = qname, .type = dns::RrType::SOA, .edns = edns});
    if (spec != nullptr) {
      tsig::Key k = key(spec);
      tsig::Signer signer(k);
      size_t length = q.size();
      q.resize(length + signer.space());
      q.resize(signer.sign(q, length, kNow));
      mac.assign(signer.mac().begin(), signer.mac().end());
    }
    return q;
  }

  static zone::SnapshotHolder* holder_;
  std::array<uint8_t, 65535> out_{};
};

zone::SnapshotHolder* SignedQueryTest::holder_ = nullptr;

TEST_P(SignedQueryTest, AnswersAsTheTableSays) {
  const Case& c = GetParam();
  xfr::Transfers with_key = transfers(true);
  dispatch::Dispatcher dispatcher(*holder_, {.transfers = &with_key});
  for (auto transport : {net::Transport::Udp, net::Transport::Tcp}) {
    for (bool edns : {false, true}) {
      SCOPED_TRACE(std::string(transport == net::Transport::Tcp ? "tcp" : "udp") +
                   (edns ? " edns" : ""));
      std::vector<uint8_t> mac;
      std::vector<uint8_t> q = query(c.qname, c.signed_with, edns, mac);
      size_t length = dispatcher.handle(q, out_, transport);
      ASSERT_GT(length, dns::kHeaderSize);
      std::span<const uint8_t> reply(out_.data(), length);
      EXPECT_EQ(dns::rcode_low(reply), static_cast<uint8_t>(c.rcode));
      if (c.signed_with == nullptr) {
        auto r = vmdns::testing::parse_response({reply.begin(), reply.end()});
        ASSERT_TRUE(r);
        EXPECT_EQ(r->answer.size(), 1u);
        continue;
      }
      tsig::Key k = key(c.signed_with);
      tsig::ResponseVerifier verifier(k, mac);
      EXPECT_EQ(verifier.verify(reply, kNow), c.answer);
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Table, SignedQueryTest, ::testing::ValuesIn(kCases));

TEST_F(SignedQueryTest, WithoutAKeyTheTsigIsNotLookedAt) {
  xfr::Transfers without = transfers(false);
  dispatch::Dispatcher dispatcher(*holder_, {.transfers = &without});
  std::vector<uint8_t> mac;
  std::vector<uint8_t> q = query("cluster.local", kOurs, false, mac);
  size_t length = dispatcher.handle(q, out_, net::Transport::Udp);
  ASSERT_GT(length, dns::kHeaderSize);
  std::span<const uint8_t> reply(out_.data(), length);
  EXPECT_EQ(dns::rcode_low(reply), 0);
  tsig::Key k = key(kOurs);
  tsig::ResponseVerifier verifier(k, mac);
  EXPECT_NE(verifier.verify(reply, kNow), tsig::Status::Ok);
}

}  // namespace
}  // namespace vmdns::daemon
