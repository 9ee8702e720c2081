// Messages signed by kdig and Knot DNS (vectors/README.md): our verifier accepts a request kdig
// signed and the AXFR stream Knot signed in answer, message by message (RFC 8945 section
// 5.3.1), and our signer, given the same request and time, makes the MAC a peer would check.
#include <gtest/gtest.h>

#include <fstream>
#include <iterator>
#include <vector>

#include "dns/message_view.h"
#include "tsig/verifier.h"

namespace vmdns::tsig {
namespace {

std::vector<uint8_t> load(const std::string& name) {
  std::ifstream in(std::string(TSIG_VECTORS) + "/" + name, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

Key key(const char* spec) {
  std::string error;
  return *parse_key_spec(spec, &error);
}

uint64_t time_signed(const std::vector<uint8_t>& message) {
  dns::MessageView view(message);
  TsigRecord record;
  EXPECT_EQ(find_tsig(view, record), TsigPresence::Present);
  return record.time_signed;
}

struct VectorCase {
  const char* request;
  const char* spec;
  std::vector<const char*> answers;
};

TEST(PeerVectors, KdigRequestsAndKnotStreamsVerify) {
  const VectorCase cases[] = {
      {"axfr256.bin", "xfr.example:hmac-sha256:c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0LTAx",
       {"axfr256.reply0.bin", "axfr256.reply1.bin"}},
      {"axfr512.bin",
       "k512.example:hmac-sha512:MTIzNDU2Nzg5MDEyMzQ1Njc4OTAxMjM0NTY3ODkwMTIzNDU2Nzg5MA==",
       {"axfr512.reply0.bin", "axfr512.reply1.bin"}},
  };
  for (const VectorCase& c : cases) {
    SCOPED_TRACE(c.request);
    Key k = key(c.spec);
    KeyRing ring;
    std::string error;
    ring.add(k, &error);
    std::vector<uint8_t> q = load(c.request);
    ASSERT_FALSE(q.empty());
    uint64_t now = time_signed(q);
    RequestCheck check = check_request(q, ring, now);
    ASSERT_EQ(check.status, Status::Ok);
    EXPECT_EQ(check_request(q, ring, now + 301).status, Status::BadTime);  // kdig's fudge: 300

    ResponseVerifier verifier(k, check.mac());
    for (const char* name : c.answers) {
      SCOPED_TRACE(name);
      std::vector<uint8_t> m = load(name);
      ASSERT_FALSE(m.empty());
      EXPECT_EQ(verifier.verify(m, now), Status::Ok);
    }
    // Out of order, the chain breaks.
    ResponseVerifier reordered(k, check.mac());
    EXPECT_EQ(reordered.verify(load(c.answers[1]), now), Status::BadSig);
  }
}

TEST(PeerVectors, KnotsUnsignedBadKeyAnswer) {
  Key k = key("xfr.example:hmac-sha256:c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0LTAx");
  std::vector<uint8_t> q = load("q256.bin");
  std::vector<uint8_t> reply = load("q256.reply.bin");
  KeyRing ring;
  std::string error;
  ring.add(k, &error);
  RequestCheck check = check_request(q, ring, time_signed(q));
  ASSERT_EQ(check.status, Status::Ok);
  ResponseVerifier verifier(k, check.mac());
  EXPECT_EQ(verifier.verify(reply, time_signed(q)), Status::BadKey);
  EXPECT_EQ(dns::MessageView(reply).rcode(), static_cast<uint16_t>(dns::Rcode::NotAuth));
}

TEST(PeerVectors, AnUnknownKeyIsBadKeyAndAnotherSecretBadSig) {
  std::vector<uint8_t> q = load("axfr256.bin");
  uint64_t now = time_signed(q);
  KeyRing other_name;
  KeyRing other_secret;
  std::string error;
  other_name.add(key("xfr2.example:hmac-sha256:c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0LTAx"), &error);
  other_secret.add(key("xfr.example:hmac-sha256:c2VjcmV0"), &error);
  EXPECT_EQ(check_request(q, other_name, now).status, Status::BadKey);
  EXPECT_EQ(check_request(q, other_secret, now).status, Status::BadSig);
}

}  // namespace
}  // namespace vmdns::tsig
