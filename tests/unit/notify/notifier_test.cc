// The Notifier over loopback, a UDP socket of the test as the secondary: what a NOTIFY carries,
// that an unanswered one comes again with its ID, that only a matching answer (and, with a key,
// a signed one, to any of the last tries) acknowledges it, and that an exchange never answered is
// counted failed.

#include "notify/notifier.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>

#include <algorithm>
#include <chrono>
#include <ctime>
#include <memory>
#include <thread>

#include "dns/message_view.h"
#include "dns/rdata.h"
#include "dns/writer.h"
#include "testing/eventually.h"
#include "tsig/signer.h"
#include "tsig/verifier.h"
#include "zone/zone_builder.h"

namespace vmdns::notify {
namespace {

using std::chrono::milliseconds;

dns::Name name(const char* text) {
  return *dns::Name::from_text(text);
}

std::shared_ptr<const zone::Snapshot> snapshot(uint32_t serial) {
  zone::ZoneBuilder b(name("example."));
  b.add(name("example."), dns::RrType::SOA, 30,
        dns::rdata::soa(name("ns.example."), name("hostmaster.example."), serial, 7200, 1800, 86400,
                        5));
  std::vector<zone::Zone> zones;
  zones.push_back(std::move(b).finish());
  return std::make_shared<const zone::Snapshot>(std::move(zones), serial);
}

// The SERIAL of an SOA record of a message: its names may be compressed, its five numbers end
// the rdata.
std::optional<uint32_t> serial_of(const dns::MessageView& view) {
  if (view.answer().empty()) {
    return std::nullopt;
  }
  std::span<const uint8_t> rdata = (*view.answer().begin()).rdata;
  if (rdata.size() < 22) {
    return std::nullopt;
  }
  const uint8_t* p = rdata.data() + rdata.size() - 20;
  return (uint32_t{p[0]} << 24) | (uint32_t{p[1]} << 16) | (uint32_t{p[2]} << 8) | p[3];
}

// The secondary: a UDP socket on 127.0.0.1.
struct Secondary {
  net::UniqueFd fd{::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0)};
  net::ListenAddress address;
  sockaddr_storage from{};
  socklen_t from_length = 0;

  Secondary() {
    std::string error;
    address = *net::parse_listen_address("127.0.0.1:0", &error);
    EXPECT_EQ(::bind(fd.get(), reinterpret_cast<const sockaddr*>(&address.storage), address.length),
              0);
    address.length = sizeof(address.storage);
    ::getsockname(fd.get(), reinterpret_cast<sockaddr*>(&address.storage), &address.length);
  }
  // The next message, or empty after 10 s (a bound on a hang, not a wait on time).
  std::vector<uint8_t> receive() {
    pollfd p{fd.get(), POLLIN, 0};
    if (::poll(&p, 1, 10000) != 1) {
      return {};
    }
    std::vector<uint8_t> buffer(4096);
    from_length = sizeof(from);
    ssize_t n = ::recvfrom(fd.get(), buffer.data(), buffer.size(), 0,
                           reinterpret_cast<sockaddr*>(&from), &from_length);
    buffer.resize(n < 0 ? 0 : static_cast<size_t>(n));
    return buffer;
  }
  // Answers the NOTIFY `request` (QR, same ID and question), signed when `signer` is given.
  void answer(const std::vector<uint8_t>& request, uint16_t id_offset = 0,
              tsig::Signer* signer = nullptr) {
    dns::MessageView view(request);
    std::array<uint8_t, 1024> buffer;
    dns::MessageWriter w(buffer, buffer.size());
    w.header().id = static_cast<uint16_t>(view.header().id + id_offset);
    w.header().set_opcode(dns::Opcode::Notify);
    w.header().set(dns::Header::kQr, true);
    w.header().set(dns::Header::kAa, true);
    if (signer != nullptr) {
      w.reserve_tail(signer->space());
    }
    w.write_question(view.question().name, dns::RrType::SOA, 1);
    size_t n = signer != nullptr
                   ? signer->sign(w, buffer, static_cast<uint64_t>(std::time(nullptr)))
                   : w.finish();
    ::sendto(fd.get(), buffer.data(), n, 0, reinterpret_cast<const sockaddr*>(&from), from_length);
  }
};

using testing::eventually;

// Three quick tries, to see an exchange fail.
const ScheduleOptions kFast{milliseconds(50), milliseconds(100), 3};
// A try every 200 ms, never given up: the test answers the try it chooses, however slow the
// machine (a late answer only means more tries).
const ScheduleOptions kSteady{milliseconds(200), milliseconds(200), 1000000};

// The next NOTIFY that tells of `serial`, skipping retries of older ones.
std::vector<uint8_t> receive_serial(Secondary& secondary, uint32_t serial) {
  for (int i = 0; i < 100; ++i) {
    std::vector<uint8_t> m = secondary.receive();
    if (m.empty()) {
      return m;
    }
    dns::MessageView view(m);
    if (serial_of(view) == serial) {
      return m;
    }
  }
  return {};
}

TEST(Notifier, SendsTheSoaAndRetriesUntilAMatchingAnswer) {
  Secondary secondary;
  Notifier notifier({{secondary.address, std::nullopt}}, kSteady);
  ASSERT_TRUE(notifier.ok()) << notifier.error();
  notifier.publish(*snapshot(2026120701));

  std::vector<uint8_t> first = secondary.receive();
  ASSERT_FALSE(first.empty());
  dns::MessageView view(first);
  ASSERT_TRUE(view.ok());
  EXPECT_EQ(view.header().opcode(), dns::Opcode::Notify);
  EXPECT_FALSE(view.header().qr());
  EXPECT_TRUE(view.header().aa());
  ASSERT_TRUE(view.has_question());
  EXPECT_EQ(view.question().name.to_text(), "example.");
  EXPECT_EQ(view.question().type, dns::RrType::SOA);
  ASSERT_EQ(view.answer().size(), 1u);
  EXPECT_EQ(serial_of(view), 2026120701u);

  // Unanswered: the same message again. An answer with another ID ends nothing.
  std::vector<uint8_t> second = secondary.receive();
  ASSERT_FALSE(second.empty());
  EXPECT_EQ(dns::MessageView(second).header().id, view.header().id);
  secondary.answer(second, 1);
  std::vector<uint8_t> third = secondary.receive();
  ASSERT_FALSE(third.empty());
  secondary.answer(third);
  EXPECT_TRUE(eventually([&] { return notifier.counters(0).acknowledged.load() == 1; }));
  EXPECT_GE(notifier.counters(0).sent.load(), 3u);
  EXPECT_EQ(notifier.counters(0).retried.load(), notifier.counters(0).sent.load() - 1);
  EXPECT_EQ(notifier.counters(0).failed.load(), 0u);

  // The same serial published again tells no one; a new one does, in a new exchange.
  notifier.publish(*snapshot(2026120701));
  notifier.publish(*snapshot(2026120702));
  std::vector<uint8_t> next = receive_serial(secondary, 2026120702);
  ASSERT_FALSE(next.empty());
  secondary.answer(next);
  EXPECT_TRUE(eventually([&] { return notifier.counters(0).acknowledged.load() == 2; }));
}

TEST(Notifier, NeverAnsweredIsFailed) {
  Secondary secondary;
  Notifier notifier({{secondary.address, std::nullopt}}, kFast);
  notifier.publish(*snapshot(7));
  EXPECT_TRUE(eventually([&] { return notifier.counters(0).failed.load() == 1; }));
  EXPECT_EQ(notifier.counters(0).sent.load(), 3u);
  EXPECT_EQ(notifier.counters(0).acknowledged.load(), 0u);
}

// A secondary that shares the key "xfr.example" with a Notifier, which has told it of serial 9.
class SignedNotifyTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string error;
    key = *tsig::parse_key_spec("xfr.example:hmac-sha256:c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0LTAx",
                                &error);
    ASSERT_TRUE(ring.add(key, &error)) << error;
    notifier = std::make_unique<Notifier>(std::vector<Peer>{{secondary.address, key}}, kSteady);
    notifier->publish(*snapshot(9));
  }
  tsig::RequestCheck check(const std::vector<uint8_t>& request) {
    return tsig::check_request(request, ring, static_cast<uint64_t>(std::time(nullptr)));
  }

  tsig::Key key;
  tsig::KeyRing ring;
  Secondary secondary;
  std::unique_ptr<Notifier> notifier;
};

TEST_F(SignedNotifyTest, SignedWithTheKeyAndOnlyASignedAnswerCounts) {
  std::vector<uint8_t> first = secondary.receive();
  ASSERT_EQ(check(first).status, tsig::Status::Ok);
  secondary.answer(first);  // unsigned: not trusted, the retries go on
  std::vector<uint8_t> second = secondary.receive();
  ASSERT_FALSE(second.empty());
  tsig::RequestCheck verdict = check(second);
  ASSERT_EQ(verdict.status, tsig::Status::Ok);
  tsig::Signer signer(key, verdict.mac());
  secondary.answer(second, 0, &signer);
  EXPECT_TRUE(eventually([&] { return notifier->counters(0).acknowledged.load() == 1; }));
  EXPECT_EQ(notifier->counters(0).failed.load(), 0u);
}

// A secondary's answer to a try that a later try, signed in a later second (another MAC), has
// crossed: still the answer to this exchange.
TEST_F(SignedNotifyTest, AnAnswerToAnEarlierTrySignedAnotherSecondCounts) {
  std::vector<uint8_t> first = secondary.receive();
  tsig::RequestCheck first_check = check(first);
  ASSERT_EQ(first_check.status, tsig::Status::Ok);
  std::vector<uint8_t> first_mac(first_check.mac().begin(), first_check.mac().end());
  sockaddr_storage first_from = secondary.from;
  socklen_t first_from_length = secondary.from_length;
  // Tries every 200 ms until one is signed in a later second.
  for (;;) {
    std::vector<uint8_t> later = secondary.receive();
    ASSERT_FALSE(later.empty());
    tsig::RequestCheck verdict = check(later);
    ASSERT_EQ(verdict.status, tsig::Status::Ok);
    if (!std::ranges::equal(verdict.mac(), first_mac)) {
      break;
    }
  }
  secondary.from = first_from;
  secondary.from_length = first_from_length;
  tsig::Signer signer(key, first_mac);
  secondary.answer(first, 0, &signer);
  EXPECT_TRUE(eventually([&] { return notifier->counters(0).acknowledged.load() == 1; }));
  EXPECT_EQ(notifier->counters(0).failed.load(), 0u);
}

}  // namespace
}  // namespace vmdns::notify
