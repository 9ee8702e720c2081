// Our signer against our verifier: requests, answers, streams and the error answers of RFC 8945
// section 5, each case a change to a signed message and the status it must get.
#include <gtest/gtest.h>

#include <array>
#include <functional>
#include <vector>

#include "dns/header.h"
#include "dns/message_view.h"
#include "tsig/signer.h"
#include "tsig/verifier.h"

namespace vmdns::tsig {
namespace {

constexpr uint64_t kNow = 1'800'000'000;

Key key(const char* spec) {
  std::string error;
  return *parse_key_spec(spec, &error);
}

const Key kXfr = key("xfr.example:hmac-sha256:c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0LTAx");
const Key kBig = key("big.example:hmac-sha512:MTIzNDU2Nzg5MDEyMzQ1Njc4OTAxMjM0NTY3ODkwMTIzNDU2");

std::vector<uint8_t> finish(dns::MessageWriter& w, std::array<uint8_t, 4096>& buf, size_t n) {
  (void)w;
  return {buf.begin(), buf.begin() + static_cast<long>(n)};
}

// A NOTIFY for `zone`, signed by `signer` at `time` (or unsigned when signer is null).
std::vector<uint8_t> request(Signer* signer, uint64_t time, const char* zone = "cluster.local.") {
  std::array<uint8_t, 4096> buf;
  dns::MessageWriter w(buf, buf.size());
  w.header().id = 0x1234;
  w.header().set_opcode(dns::Opcode::Notify);
  w.header().set(dns::Header::kAa, true);
  if (signer != nullptr) {
    w.reserve_tail(signer->space());
  }
  w.write_question(*dns::Name::from_text(zone), dns::RrType::SOA, 1);
  size_t n = signer != nullptr ? signer->sign(w, buf, time) : w.finish();
  return finish(w, buf, n);
}

// The answer to `request` (its question echoed), with `records` A records, signed by `signer`.
std::vector<uint8_t> answer(Signer& signer, uint64_t time, int records = 1) {
  std::array<uint8_t, 4096> buf;
  dns::MessageWriter w(buf, buf.size());
  w.header().id = 0x1234;
  w.header().set(dns::Header::kQr, true);
  w.reserve_tail(signer.space());
  dns::Name owner = *dns::Name::from_text("vm.cluster.local.");
  w.write_question(owner, dns::RrType::A, 1);
  for (int i = 0; i < records; ++i) {
    uint8_t a[4] = {192, 0, 2, static_cast<uint8_t>(i)};
    w.write_rr(dns::Section::Answer, owner, dns::RrType::A, 1, 5, a);
  }
  return finish(w, buf, signer.sign(w, buf, time));
}

struct RequestCase {
  const char* label;
  std::function<std::vector<uint8_t>()> make;
  uint64_t now;
  Status status;
};

TEST(CheckRequest, Table) {
  KeyRing ring;
  std::string error;
  ring.add(kXfr, &error);
  ring.add(kBig, &error);
  Key stranger = key("other.example:hmac-sha256:c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0LTAx");
  Key wrong_secret = key("xfr.example:hmac-sha256:d3Jvbmc=");
  Key wrong_algorithm = key("xfr.example:hmac-sha512:c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0LTAx");
  auto signed_by = [](const Key& k) {
    return [&k] {
      Signer s(k);
      return request(&s, kNow);
    };
  };
  const RequestCase cases[] = {
      {"8945 5.2: signed, hmac-sha256", signed_by(kXfr), kNow, Status::Ok},
      {"8945 5.2: signed, hmac-sha512", signed_by(kBig), kNow, Status::Ok},
      {"unsigned", [] { return request(nullptr, 0); }, kNow, Status::Unsigned},
      {"8945 5.2.3: fudge's far edge", signed_by(kXfr), kNow + kDefaultFudge, Status::Ok},
      {"8945 5.2.3: fudge's near edge", signed_by(kXfr), kNow - kDefaultFudge, Status::Ok},
      {"8945 5.2.3: one second late", signed_by(kXfr), kNow + kDefaultFudge + 1, Status::BadTime},
      {"8945 5.2.3: one second early", signed_by(kXfr), kNow - kDefaultFudge - 1, Status::BadTime},
      {"8945 5.2.1: unknown key", signed_by(stranger), kNow, Status::BadKey},
      {"8945 5.2.1: known name, other algorithm", signed_by(wrong_algorithm), kNow, Status::BadKey},
      {"8945 5.2.2: other secret", signed_by(wrong_secret), kNow, Status::BadSig},
      {"8945 5.2.2: a question octet changed",
       [&] {
         auto m = signed_by(kXfr)();
         m[dns::kHeaderSize + 1] ^= 0x20;  // 'c' -> 'C': the MAC covers the octets as sent
         return m;
       },
       kNow, Status::BadSig},
      {"8945 5.2.2: the ID changed (not the original ID)",
       [&] {
         auto m = signed_by(kXfr)();
         m[1] ^= 1;  // forwarders may change the ID: the MAC covers the original ID
         return m;
       },
       kNow, Status::Ok},
      {"8945 5.1: a second record after the TSIG",
       [&] {
         auto m = signed_by(kXfr)();
         uint8_t opt[] = {0, 0, 41, 4, 208, 0, 0, 0, 0, 0, 0};
         m.insert(m.end(), std::begin(opt), std::end(opt));
         m[11] += 1;
         return m;
       },
       kNow, Status::FormErr},
      {"8945 5.1: the TSIG's rdata cut short",
       [&] {
         auto m = signed_by(kXfr)();
         m.pop_back();
         return m;
       },
       kNow, Status::FormErr},
  };
  for (const RequestCase& c : cases) {
    SCOPED_TRACE(c.label);
    std::vector<uint8_t> m = c.make();
    RequestCheck check = check_request(m, ring, c.now);
    EXPECT_EQ(status_text(check.status), std::string(status_text(c.status)));
  }
}

// A request whose MAC is cut to `length` octets (RFC 8945 section 5.2.2.1), signed by hand
// with the library's digest parts.
std::vector<uint8_t> truncated_request(const Key& k, size_t length) {
  std::array<uint8_t, 4096> buf;
  dns::MessageWriter w(buf, buf.size());
  w.header().id = 7;
  w.write_question(*dns::Name::from_text("cluster.local."), dns::RrType::AXFR, 1);
  size_t n = w.finish();
  Hmac hmac(k.algorithm, k.secret);
  digest_message(hmac, {buf.data(), n}, 7, 0);
  Variables v{&k.name, &algorithm_name(k.algorithm), kNow, kDefaultFudge, 0, {}};
  digest_variables(hmac, v, false);
  std::array<uint8_t, kMaxMacSize> mac{};
  hmac.finish(mac);
  std::array<uint8_t, kMaxTsigRdata> rdata;
  size_t rdata_size = write_tsig_rdata(rdata, algorithm_name(k.algorithm), kNow, kDefaultFudge,
                                       {mac.data(), length}, 7, 0, {});
  w.write_rr(dns::Section::Additional, k.name, kTsigType, kClassAny, 0,
             {rdata.data(), rdata_size});
  n = w.finish();
  return {buf.begin(), buf.begin() + static_cast<long>(n)};
}

TEST(CheckRequest, TruncatedMacs) {
  KeyRing ring;
  std::string error;
  ring.add(kXfr, &error);
  ring.add(kBig, &error);
  struct Case {
    const Key* key;
    size_t length;
    size_t policy;
    Status status;
  } cases[] = {
      {&kXfr, 32, 0, Status::Ok},         // whole
      {&kXfr, 16, 0, Status::Ok},         // half of SHA-256's: the least the RFC allows
      {&kXfr, 15, 0, Status::FormErr},    // below max(10, 32/2)
      {&kXfr, 16, 20, Status::BadTrunc},  // allowed, but shorter than the local policy
      {&kXfr, 20, 20, Status::Ok},
      {&kBig, 32, 0, Status::Ok},
      {&kBig, 31, 0, Status::FormErr},
      {&kBig, 64, 0, Status::Ok},
      {&kXfr, 40, 0, Status::FormErr},  // longer than the algorithm's MAC
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.length);
    RequestCheck check = check_request(truncated_request(*c.key, c.length), ring, kNow, c.policy);
    EXPECT_STREQ(status_text(check.status), status_text(c.status));
  }
}

TEST(ResponseVerifier, AnswerAndStreamCoverThePriorMac) {
  KeyRing ring;
  std::string error;
  ring.add(kXfr, &error);
  Signer client(kXfr);
  std::vector<uint8_t> q = request(&client, kNow);
  RequestCheck check = check_request(q, ring, kNow);
  ASSERT_EQ(check.status, Status::Ok);
  ASSERT_EQ(check.mac().size(), 32u);
  EXPECT_TRUE(std::equal(check.mac().begin(), check.mac().end(), client.mac().begin()));

  Signer server(kXfr, check.mac());
  std::vector<std::vector<uint8_t>> stream;
  for (int i = 0; i < 4; ++i) {
    stream.push_back(answer(server, kNow + i, i + 1));
  }
  {
    ResponseVerifier verifier(kXfr, client.mac());
    for (const auto& m : stream) {
      EXPECT_EQ(verifier.verify(m, kNow + 2), Status::Ok);
    }
  }
  {
    // 8945 5.3.1: a message left out breaks the chain.
    ResponseVerifier verifier(kXfr, client.mac());
    EXPECT_EQ(verifier.verify(stream[0], kNow), Status::Ok);
    EXPECT_EQ(verifier.verify(stream[2], kNow), Status::BadSig);
  }
  {
    // Another request's MAC: the answer is not to ours.
    Signer other(kXfr);
    request(&other, kNow + 1);
    ResponseVerifier verifier(kXfr, other.mac());
    EXPECT_EQ(verifier.verify(stream[0], kNow), Status::BadSig);
  }
  {
    ResponseVerifier verifier(kXfr, client.mac());
    EXPECT_EQ(verifier.verify(stream[0], kNow + 1000), Status::BadTime);
  }
  {
    Key big = kBig;
    ResponseVerifier verifier(big, client.mac());
    EXPECT_EQ(verifier.verify(stream[0], kNow), Status::BadKey);
  }
}

TEST(AnswerError, EachErrorAsTheRfcSays) {
  KeyRing ring;
  std::string error;
  ring.add(kXfr, &error);
  Key stranger = key("other.example:hmac-sha256:c2VjcmV0");
  Key wrong_secret = key("xfr.example:hmac-sha256:d3Jvbmc=");
  struct Case {
    const char* label;
    const Key* signer_key;
    uint64_t now;
    Status status;
    bool signed_answer;
  } cases[] = {
      {"8945 5.3.2: BADKEY unsigned", &stranger, kNow, Status::BadKey, false},
      {"8945 5.3.2: BADSIG unsigned", &wrong_secret, kNow, Status::BadSig, false},
      {"8945 5.2.3: BADTIME signed, our time in Other Data", &kXfr, kNow + 3600, Status::BadTime,
       true},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.label);
    Signer client(*c.signer_key);
    std::vector<uint8_t> q = request(&client, kNow);
    RequestCheck check = check_request(q, ring, c.now);
    ASSERT_EQ(check.status, c.status);
    std::array<uint8_t, 4096> buf;
    dns::MessageWriter w(buf, buf.size());
    w.header().id = 0x1234;
    w.header().set(dns::Header::kQr, true);
    w.header().set_opcode(dns::Opcode::Notify);
    w.write_question(*dns::Name::from_text("cluster.local."), dns::RrType::SOA, 1);
    size_t n = answer_error(check, w, buf, c.now);
    ASSERT_GT(n, 0u);
    std::vector<uint8_t> reply(buf.begin(), buf.begin() + static_cast<long>(n));
    dns::MessageView view(reply);
    EXPECT_EQ(view.rcode(), static_cast<uint16_t>(dns::Rcode::NotAuth));
    TsigRecord record;
    ASSERT_EQ(find_tsig(view, record), TsigPresence::Present);
    EXPECT_EQ(record.error, static_cast<uint16_t>(tsig_error(c.status)));
    EXPECT_EQ(record.key_name, c.signer_key->name);
    EXPECT_EQ(record.mac.empty(), !c.signed_answer);
    if (c.status == Status::BadTime) {
      EXPECT_EQ(record.time_signed, kNow);  // the request's
      ASSERT_EQ(record.other.size(), 6u);
      auto ours = time48(c.now);
      EXPECT_TRUE(std::equal(ours.begin(), ours.end(), record.other.begin()));
    }
    ResponseVerifier verifier(*c.signer_key, client.mac());
    EXPECT_EQ(verifier.verify(reply, c.now), c.status);
  }
}

TEST(Signer, RefusesWhatDoesNotFitAndKeepsTheReserve) {
  Signer signer(kBig);
  std::array<uint8_t, 4096> buf;
  dns::MessageWriter w(buf, 160);  // room for the question and the TSIG only
  w.reserve_tail(signer.space());
  dns::Name owner = *dns::Name::from_text("vm.cluster.local.");
  ASSERT_TRUE(w.write_question(owner, dns::RrType::A, 1));
  uint8_t a[4] = {192, 0, 2, 1};
  EXPECT_FALSE(w.write_rr(dns::Section::Answer, owner, dns::RrType::A, 1, 5, a));
  size_t n = signer.sign(w, buf, kNow);
  ASSERT_GT(n, 0u);
  EXPECT_LE(n, 160u);
  KeyRing ring;
  std::string error;
  ring.add(kBig, &error);
  EXPECT_EQ(check_request({buf.data(), n}, ring, kNow).status, Status::Ok);
}

}  // namespace
}  // namespace vmdns::tsig
