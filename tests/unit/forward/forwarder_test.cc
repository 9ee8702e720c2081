// The forwarder thread against fake upstreams on loopback (UDP sockets this test reads and
// answers itself), with replies delivered through a ReplyRoute to a client socket. The
// forwarder's timeouts run on a clock only the test moves (ForwarderOptions::clock, then
// Forwarder::tick()), so no assertion depends on how fast the machine is: an upstream is not
// asked again, or the client has no reply yet, is read once the forwarder has run its round at
// the time the test set.
//
// Behaviour checked: a query goes upstream lowercased with a fresh ID and the client gets the
// answer with its own ID and case; a second identical query is answered from the cache, by the
// worker itself from its own shard (without allocating) when it asks reply_from_cache(), every
// worker's shard holding the answer, while rewritten queries are left to the forwarder thread;
// on the moved clock, a table of routes (upstreams that refuse, stay silent, lose a datagram or
// answer) with the timeout and the deadline, and when each upstream is asked (the same ID each
// time) and the client hears: an upstream with nothing listening (ICMP refused) is passed over
// at once, one that never answers at its timeout, not a millisecond before; a round with a
// timeout in it is tried again while an attempt can end by the deadline, an upstream that only
// refuses is not; with every upstream dead the client gets SERVFAIL; a query that carries the ID
// and question of one we sent upstream, or our loop marker option under another ID (our own
// query come back) gets SERVFAIL; past max_in_flight submit() refuses; a datagram with the wrong
// ID is ignored; a stopped forwarder refuses and can be started again, and tick() returns at
// once when it does not run; a stub domain's names go to its own upstreams and the rest to the
// default ones, with counters per upstream.

#include "forward/forwarder.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "forward/alias_reply.h"
#include "net/socket_util.h"
#include "testing/allocation_counter.h"
#include "testing/dns_text.h"
#include "testing/moved_clock.h"
#include "upstream_helpers.h"

namespace vmdns::forward {
namespace {

using namespace testing;
using namespace std::chrono_literals;
using net::UniqueFd;

UniqueFd bound_udp(net::ListenAddress* address) {
  UniqueFd fd(socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0));
  sockaddr_in in{};
  in.sin_family = AF_INET;
  in.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  EXPECT_EQ(bind(fd.get(), reinterpret_cast<sockaddr*>(&in), sizeof(in)), 0);
  address->length = sizeof(sockaddr_in);
  getsockname(fd.get(), reinterpret_cast<sockaddr*>(&address->storage), &address->length);
  return fd;
}

// An upstream address where nothing listens, whose port no other socket can take meanwhile (a
// test running beside this one binding it would turn a refusal into silence): a socket bound to
// it and connected to itself, which the kernel gives no datagram from anywhere else, answering
// ICMP port unreachable instead.
UniqueFd refusing_udp(net::ListenAddress* address) {
  UniqueFd fd = bound_udp(address);
  EXPECT_EQ(connect(fd.get(), reinterpret_cast<const sockaddr*>(&address->storage),
                    address->length),
            0);
  return fd;
}

// A datagram and its sender, or an empty one after `timeout` (which only ends a hang: a test
// expecting nothing asks with 0ms, once the forwarder's round is known to be over).
struct Datagram {
  Bytes bytes;
  sockaddr_storage from{};
  socklen_t from_length = sizeof(sockaddr_storage);
};

Datagram receive(const UniqueFd& fd, std::chrono::milliseconds timeout = 20000ms) {
  Datagram d;
  pollfd p{fd.get(), POLLIN, 0};
  if (poll(&p, 1, static_cast<int>(timeout.count())) != 1) {
    return d;
  }
  d.bytes.resize(65535);
  ssize_t n = recvfrom(fd.get(), d.bytes.data(), d.bytes.size(), 0,
                       reinterpret_cast<sockaddr*>(&d.from), &d.from_length);
  d.bytes.resize(n > 0 ? static_cast<size_t>(n) : 0);
  return d;
}

uint16_t id_of(const Bytes& message) {
  return static_cast<uint16_t>((message[0] << 8) | message[1]);
}

// Answers `query` (as a fake upstream) with one A record, with ID `id`.
void answer(const UniqueFd& upstream, const Datagram& query, uint16_t id) {
  auto text = vmdns::testing::parse_response(query.bytes);
  ASSERT_TRUE(text);
  std::string qname = text->question.substr(0, text->question.find(' '));
  Bytes reply = response(id, qname.c_str(), dns::RrType::A, dns::Rcode::NoError,
                         {{dns::Section::Answer, qname.c_str(), dns::RrType::A, 300, a_rdata(99)}});
  sendto(upstream.get(), reply.data(), reply.size(), 0,
         reinterpret_cast<const sockaddr*>(&query.from), query.from_length);
}

class ForwarderTest : public ::testing::Test {
 protected:
  void SetUp() override {
    server_fd_ = bound_udp(&server_address_);
    client_fd_ = bound_udp(&client_address_);
    route_.transport = net::Transport::Udp;
    route_.udp_fd = server_fd_.get();
    route_.peer = client_address_.storage;
    route_.peer_length = client_address_.length;
  }
  void start(std::vector<Upstream> upstreams, size_t max_in_flight = 16,
             std::chrono::milliseconds timeout = 300ms, std::vector<StubDomain> stubs = {},
             std::vector<dns::Name> except = {}) {
    submitter_.reset();  // a client must not outlive its forwarder
    forwarder_ = std::make_unique<Forwarder>(ForwarderOptions{.upstreams = std::move(upstreams),
                                                              .stub_domains = std::move(stubs),
                                                              .except = std::move(except),
                                                              .timeout = timeout,
                                                              .deadline = deadline_,
                                                              .max_in_flight = max_in_flight,
                                                              .cache_entries = 100,
                                                              .local_answer = local_answer_,
                                                              .clock = clock_.source()});
    std::string error;
    ASSERT_TRUE(forwarder_->start(&error)) << error;
    submitter_ = forwarder_->make_client();
  }
  void TearDown() override {
    if (forwarder_) {
      forwarder_->stop();
    }
    submitter_.reset();
  }
  // The next reply the client gets, parsed.
  std::optional<vmdns::testing::ResponseText> client_reply(std::chrono::milliseconds timeout =
                                                               20000ms) {
    Datagram d = receive(client_fd_, timeout);
    if (d.bytes.empty()) {
      return std::nullopt;
    }
    return vmdns::testing::parse_response(d.bytes);
  }

  std::chrono::milliseconds deadline_ = 5000ms;  // ForwarderOptions::deadline for start()
  vmdns::testing::MovedClock clock_;  // the forwarder's: declared before it, destroyed after
  UniqueFd server_fd_, client_fd_;
  net::ListenAddress server_address_, client_address_;
  net::ReplyRoute route_;
  std::unique_ptr<Forwarder> forwarder_;
  std::unique_ptr<Forwarder::Client> submitter_;
  // Our own answer for a query given back (server-side search): the query echoed as an
  // NXDOMAIN response, so the test sees which name it was asked for.
  LocalAnswer local_answer_ = [](std::span<const uint8_t> query, const ClientQuery&,
                                 std::span<uint8_t> out) {
    std::copy(query.begin(), query.end(), out.begin());
    out[2] |= 0x80;
    out[3] = static_cast<uint8_t>((out[3] & 0xF0) | 3);
    return query.size();
  };
};

// Upstream answers `query` with `rcode` and, for NOERROR, one A record.
void answer_with(const UniqueFd& upstream, const Datagram& query, dns::Rcode rcode) {
  auto text = vmdns::testing::parse_response(query.bytes);
  ASSERT_TRUE(text);
  std::string qname = text->question.substr(0, text->question.find(' '));
  std::vector<Rr> records;
  if (rcode == dns::Rcode::NoError) {
    records.push_back({dns::Section::Answer, qname.c_str(), dns::RrType::A, 300, a_rdata(7)});
  }
  Bytes reply = response(id_of(query.bytes), qname.c_str(), dns::RrType::A, rcode, records);
  sendto(upstream.get(), reply.data(), reply.size(), 0,
         reinterpret_cast<const sockaddr*>(&query.from), query.from_length);
}

TEST_F(ForwarderTest, StubDomainsGoToTheirOwnUpstreams) {
  Upstream default_address, stub_address, dead_address;
  UniqueFd default_upstream = bound_udp(&default_address);
  UniqueFd stub_upstream = bound_udp(&stub_address);
  UniqueFd dead = refusing_udp(&dead_address);
  start({default_address}, 16, 300ms,
        {StubDomain{.zone = name("corp.test"), .upstreams = {dead_address, stub_address}}},
        {name("private.test")});
  EXPECT_TRUE(submitter_->forwards(name("www.corp.test")));
  EXPECT_FALSE(submitter_->forwards(name("db.private.test")));
  EXPECT_TRUE(submitter_->forwards(name("www.example.test")));
  EXPECT_FALSE(submitter_->forwards_every_name());
  ASSERT_EQ(forwarder_->upstreams().size(), 3u);

  // A stub domain's name: its dead first upstream is passed over for the second; the default
  // upstream hears nothing.
  ASSERT_TRUE(submitter_->submit(client("WWW.Corp.Test"), route_));
  Datagram query = receive(stub_upstream);
  ASSERT_FALSE(query.bytes.empty());
  answer(stub_upstream, query, id_of(query.bytes));
  auto reply = client_reply();
  ASSERT_TRUE(reply);
  EXPECT_EQ(reply->answer, std::vector<std::string>{"WWW.Corp.Test.\t300\tIN\tA\t192.0.2.99"});
  // Any other name: the default upstream.
  ASSERT_TRUE(submitter_->submit(client("www.example.test"), route_));
  query = receive(default_upstream);
  ASSERT_FALSE(query.bytes.empty());
  answer(default_upstream, query, id_of(query.bytes));
  ASSERT_TRUE(client_reply());
  // The client has its reply: the forwarder asked whom it was going to.
  EXPECT_TRUE(receive(stub_upstream, 0ms).bytes.empty());
  EXPECT_TRUE(receive(default_upstream, 0ms).bytes.empty());
  // Counters per upstream, in upstreams() order: the default, the dead one, the stub's.
  const ForwardMetrics& m = forwarder_->metrics();
  EXPECT_EQ(m.upstreams[0].requests.value(), 1u);
  EXPECT_EQ(m.upstreams[1].requests.value(), 1u);
  EXPECT_EQ(m.upstreams[2].requests.value(), 1u);
  EXPECT_EQ(m.upstreams[0].responses[0].value(), 1u);
  EXPECT_EQ(m.upstreams[1].responses[0].value(), 0u);
  EXPECT_EQ(m.upstreams[2].responses[0].value(), 1u);
}

TEST_F(ForwarderTest, ServerSideSearchRewritesOrAnswersLocally) {
  Upstream upstream_address;
  UniqueFd upstream = bound_udp(&upstream_address);
  start({upstream_address});
  const char* asked = "www.example.test.mysubdomain.default.svc.cluster.local";
  ClientQuery autopath = client("www.example.test");
  autopath.rewrite = ClientQuery::Rewrite::Autopath;
  autopath.alias = search_alias(name(asked), autopath.question.name, 5);

  // Autopath, upstream NOERROR: the CNAME from the asked name, then the upstream's answer.
  ASSERT_TRUE(submitter_->submit(autopath, route_));
  Datagram query = receive(upstream);
  ASSERT_FALSE(query.bytes.empty());
  EXPECT_EQ(vmdns::testing::parse_response(query.bytes)->question, "www.example.test. A");
  answer_with(upstream, query, dns::Rcode::NoError);
  auto reply = client_reply();
  ASSERT_TRUE(reply);
  EXPECT_EQ(reply->question, std::string(asked) + ". A");
  EXPECT_EQ(reply->answer,
            (std::vector<std::string>{std::string(asked) + ".\t5\tIN\tCNAME\twww.example.test.",
                                      "www.example.test.\t300\tIN\tA\t192.0.2.7"}));

  // Autopath, upstream NXDOMAIN: our own answer to the asked name.
  autopath.question.name = name("nothere.example.test");
  autopath.alias = search_alias(name("nothere.example.test.mysubdomain.default.svc.cluster.local"),
                                autopath.question.name, 5);
  ASSERT_TRUE(submitter_->submit(autopath, route_));
  query = receive(upstream);
  ASSERT_FALSE(query.bytes.empty());
  answer_with(upstream, query, dns::Rcode::NxDomain);
  reply = client_reply();
  ASSERT_TRUE(reply);
  EXPECT_EQ(reply->question, "nothere.example.test.mysubdomain.default.svc.cluster.local. A");
  EXPECT_EQ(reply->rcode, dns::Rcode::NxDomain);

  // Short name, upstream NXDOMAIN: our own answer to the name as asked; NOERROR passes.
  ClientQuery short_name = client("myvmi.mysubdomain");
  short_name.rewrite = ClientQuery::Rewrite::ShortName;
  short_name.expansion = name("myvmi.mysubdomain.default.svc.cluster.local");
  ASSERT_TRUE(submitter_->submit(short_name, route_));
  query = receive(upstream);
  ASSERT_FALSE(query.bytes.empty());
  answer_with(upstream, query, dns::Rcode::NxDomain);
  reply = client_reply();
  ASSERT_TRUE(reply);
  EXPECT_EQ(reply->question, "myvmi.mysubdomain. A");
  EXPECT_TRUE(reply->answer.empty());
  EXPECT_FALSE(reply->ra);  // the echo, not the upstream's reply (which has RA)

  short_name.question.name = name("real.example");
  ASSERT_TRUE(submitter_->submit(short_name, route_));
  query = receive(upstream);
  ASSERT_FALSE(query.bytes.empty());
  answer_with(upstream, query, dns::Rcode::NoError);
  reply = client_reply();
  ASSERT_TRUE(reply);
  EXPECT_EQ(reply->answer, std::vector<std::string>{"real.example.\t300\tIN\tA\t192.0.2.7"});
}

TEST_F(ForwarderTest, ForwardsRestoresIdAndCaseThenAnswersFromCache) {
  Upstream upstream_address;
  UniqueFd upstream = bound_udp(&upstream_address);
  start({upstream_address});
  ASSERT_TRUE(submitter_->submit(client("WWW.Example.Test"), route_));
  Datagram query = receive(upstream);
  ASSERT_FALSE(query.bytes.empty());
  auto sent = vmdns::testing::parse_response(query.bytes);
  ASSERT_TRUE(sent);
  EXPECT_EQ(sent->question, "www.example.test. A");
  EXPECT_TRUE(sent->rd);
  // A datagram with another ID is not the answer and is ignored.
  answer(upstream, query, static_cast<uint16_t>(id_of(query.bytes) + 1));
  answer(upstream, query, id_of(query.bytes));
  auto reply = client_reply();
  ASSERT_TRUE(reply);
  EXPECT_EQ(reply->id, 0xBEEF);
  EXPECT_EQ(reply->question, "WWW.Example.Test. A");
  ASSERT_EQ(reply->answer.size(), 1u);
  EXPECT_NE(reply->answer[0].find("192.0.2.99"), std::string::npos);

  ClientQuery again = client("www.example.test");
  again.id = 0x0102;
  ASSERT_TRUE(submitter_->submit(again, route_));
  auto cached = client_reply();
  ASSERT_TRUE(cached);
  EXPECT_EQ(cached->id, 0x0102);
  EXPECT_EQ(cached->answer.size(), 1u);
  EXPECT_TRUE(receive(upstream, 0ms).bytes.empty());  // the cache answered: not asked again
  EXPECT_EQ(forwarder_->metrics().upstreams[0].requests.value(), 1u);
}

TEST_F(ForwarderTest, WorkersAnswerCachedNamesFromTheirOwnShard) {
  Upstream upstream_address;
  UniqueFd upstream = bound_udp(&upstream_address);
  start({upstream_address});
  auto other = forwarder_->make_client();  // another worker
  Bytes out(65535);
  ClientQuery first = client("www.example.test");
  EXPECT_FALSE(submitter_->reply_from_cache(first, route_, out));  // nothing cached yet
  ASSERT_TRUE(submitter_->submit(first, route_));
  Datagram query = receive(upstream);
  ASSERT_FALSE(query.bytes.empty());
  answer(upstream, query, id_of(query.bytes));
  ASSERT_TRUE(client_reply());

  // The same worker: answered at once, in this thread, with no allocation.
  ClientQuery again = client("WWW.example.test");
  again.id = 0x0102;
  size_t before = vmdns::testing::allocations_on_this_thread();
  bool answered = submitter_->reply_from_cache(again, route_, out);
  EXPECT_EQ(vmdns::testing::allocations_on_this_thread() - before, 0u);
  ASSERT_TRUE(answered);
  auto cached = client_reply();
  ASSERT_TRUE(cached);
  EXPECT_EQ(cached->id, 0x0102);
  EXPECT_EQ(cached->question, "WWW.example.test. A");
  ASSERT_EQ(cached->answer.size(), 1u);
  EXPECT_NE(cached->answer[0].find("192.0.2.99"), std::string::npos);

  // A rewritten query may need our zones: the forwarder thread answers it.
  ClientQuery rewritten = client("www.example.test");
  rewritten.rewrite = ClientQuery::Rewrite::ShortName;
  rewritten.expansion = name("www.example.test.default.svc.cluster.local");
  EXPECT_FALSE(submitter_->reply_from_cache(rewritten, route_, out));

  // Every worker's shard got the answer: the next query may reach any of them.
  ASSERT_TRUE(other->reply_from_cache(again, route_, out));
  EXPECT_TRUE(client_reply());
  EXPECT_TRUE(receive(upstream, 0ms).bytes.empty());  // the upstream was asked once
  EXPECT_EQ(forwarder_->metrics().upstreams[0].requests.value(), 1u);
}

// How an upstream of a route behaves in a TimeoutCase.
enum class Peer {
  Refuses,  // nothing listens (refusing_udp): the kernel answers ICMP port unreachable
  Silent,   // receives and never answers
  Lossy,    // never answers its first query (lost on the way), answers the ones after
  Answers,  // answers every query
};

// One step of a TimeoutCase: the clock moved to `at` (from the query's arrival), the forwarder's
// round at that time, and what is seen then.
struct TimeoutStep {
  std::chrono::milliseconds at;
  int asked;  // the upstream (its index in the route) a query reaches now; -1: none
  std::optional<dns::Rcode> reply = std::nullopt;  // the client's reply now, or none yet
};

struct TimeoutCase {
  const char* name;
  std::vector<Peer> route;
  std::chrono::milliseconds timeout;
  std::chrono::milliseconds deadline;
  std::vector<TimeoutStep> steps;
};

TEST_F(ForwarderTest, TimeoutsAndRetriesOnTheForwardersClock) {
  const TimeoutCase cases[] = {
      {"a refusing upstream is passed over at once, a silent one at its timeout",
       {Peer::Refuses, Peer::Silent, Peer::Answers},
       300ms,
       5000ms,
       {{0ms, 1}, {299ms, -1}, {300ms, 2, dns::Rcode::NoError}}},
      {"a datagram lost on the way to the only upstream is sent again at the timeout",
       {Peer::Lossy},
       200ms,
       5000ms,
       {{0ms, 0}, {199ms, -1}, {200ms, 0, dns::Rcode::NoError}}},
      {"a silent upstream is asked again while an attempt can end by the deadline",
       {Peer::Silent},
       200ms,
       500ms,
       {{0ms, 0}, {200ms, 0}, {399ms, -1}, {400ms, -1, dns::Rcode::ServFail}}},
      {"an attempt that would end exactly at the deadline is made",
       {Peer::Silent},
       200ms,
       400ms,
       {{0ms, 0}, {200ms, 0}, {400ms, -1, dns::Rcode::ServFail}}},
      {"one that would end a millisecond after it is not",
       {Peer::Silent},
       200ms,
       399ms,
       {{0ms, 0}, {200ms, -1, dns::Rcode::ServFail}}},
      {"the defaults: rounds of two silent upstreams, a round once begun is finished",
       {Peer::Silent, Peer::Silent},
       1500ms,
       5000ms,
       {{0ms, 0},
        {1499ms, -1},
        {1500ms, 1},
        {3000ms, 0},
        {4500ms, 1},
        {5999ms, -1},
        {6000ms, -1, dns::Rcode::ServFail}}},
      {"an upstream that only refuses is not asked again, whatever the deadline",
       {Peer::Refuses},
       200ms,
       60000ms,
       {{0ms, -1, dns::Rcode::ServFail}}},
      {"a refusing upstream among silent ones is passed over in every round",
       {Peer::Silent, Peer::Refuses},
       200ms,
       400ms,
       {{0ms, 0}, {200ms, 0}, {400ms, -1, dns::Rcode::ServFail}}},
  };
  for (const TimeoutCase& c : cases) {
    SCOPED_TRACE(c.name);
    std::vector<Upstream> addresses(c.route.size());
    std::vector<UniqueFd> peers;
    std::vector<int> heard(c.route.size(), 0);
    for (size_t i = 0; i < c.route.size(); ++i) {
      peers.push_back(c.route[i] == Peer::Refuses ? refusing_udp(&addresses[i])
                                                  : bound_udp(&addresses[i]));
    }
    // What a round at the new time sends is in the sockets when tick() returns, unless it
    // follows an ICMP error the forwarder reads later, or an answer the test sent: only then is
    // it waited for.
    bool synchronous = std::none_of(c.route.begin(), c.route.end(),
                                    [](Peer p) { return p == Peer::Refuses; });
    auto wait = [&](bool answered) { return synchronous && !answered ? 0ms : 20000ms; };
    deadline_ = c.deadline;
    start(addresses, 16, c.timeout);
    auto began = clock_.elapsed();
    ASSERT_TRUE(submitter_->submit(client("x.example.test"), route_));
    std::optional<uint16_t> id;
    for (const TimeoutStep& step : c.steps) {
      SCOPED_TRACE("at " + std::to_string(step.at.count()) + " ms");
      clock_.advance(began + step.at - clock_.elapsed());
      forwarder_->tick();
      bool answered = false;
      if (step.asked >= 0) {
        Datagram query = receive(peers[step.asked], wait(false));
        ASSERT_FALSE(query.bytes.empty());
        if (!id) {
          id = id_of(query.bytes);
        }
        EXPECT_EQ(id_of(query.bytes), *id);  // every attempt under the same ID
        Peer peer = c.route[step.asked];
        if (peer == Peer::Answers || (peer == Peer::Lossy && heard[step.asked] > 0)) {
          answer(peers[step.asked], query, id_of(query.bytes));
          answered = true;
        }
        ++heard[step.asked];
      }
      if (step.reply) {
        auto reply = client_reply(wait(answered));
        ASSERT_TRUE(reply);
        EXPECT_EQ(reply->rcode, *step.reply);
        EXPECT_EQ(reply->id, 0xBEEF);
        EXPECT_EQ(reply->question, "x.example.test. A");
      } else {
        EXPECT_FALSE(client_reply(0ms)) << "a reply before its time";
      }
      // No other upstream asked: the forwarder's round at this time is over (after the reply,
      // when there is one, the query is over).
      for (size_t i = 0; i < peers.size(); ++i) {
        EXPECT_TRUE(receive(peers[i], 0ms).bytes.empty()) << "upstream " << i << " asked";
      }
    }
    forwarder_->stop();
  }
}

TEST_F(ForwarderTest, OurOwnQueryComingBackIsALoop) {
  Upstream upstream_address;
  UniqueFd upstream = bound_udp(&upstream_address);
  start({upstream_address});
  ASSERT_TRUE(submitter_->submit(client("loop.example.test"), route_));
  Datagram query = receive(upstream);
  ASSERT_FALSE(query.bytes.empty());
  ClientQuery looped = client("loop.example.test");
  looped.id = id_of(query.bytes);
  ASSERT_TRUE(submitter_->submit(looped, route_));
  auto reply = client_reply();
  ASSERT_TRUE(reply);
  EXPECT_EQ(reply->rcode, dns::Rcode::ServFail);
  EXPECT_EQ(reply->id, looped.id);
  // The SERVFAIL came from the forwarder thread, which forwards nothing else meanwhile.
  EXPECT_TRUE(receive(upstream, 0ms).bytes.empty());  // not forwarded again
  EXPECT_EQ(forwarder_->metrics().upstreams[0].requests.value(), 1u);
}

TEST_F(ForwarderTest, OurMarkerComingBackUnderAnotherIdIsALoop) {
  // As through a forwarder that gives the query a new ID but passes EDNS options on.
  Upstream upstream_address;
  UniqueFd upstream = bound_udp(&upstream_address);
  start({upstream_address});
  ASSERT_TRUE(submitter_->submit(client("loop.example.test"), route_));
  Datagram query = receive(upstream);
  ASSERT_FALSE(query.bytes.empty());
  ClientQuery looped;
  ASSERT_TRUE(parse_client_query(query.bytes, net::Transport::Udp, &looped));
  EXPECT_NE(looped.loop_marker, 0u);
  looped.id = static_cast<uint16_t>(id_of(query.bytes) ^ 0x5555);
  ASSERT_TRUE(submitter_->submit(looped, route_));
  auto reply = client_reply();
  ASSERT_TRUE(reply);
  EXPECT_EQ(reply->rcode, dns::Rcode::ServFail);
  EXPECT_EQ(reply->id, looped.id);
  EXPECT_TRUE(receive(upstream, 0ms).bytes.empty());
  EXPECT_EQ(forwarder_->metrics().upstreams[0].requests.value(), 1u);
}

TEST_F(ForwarderTest, MaxInFlightRefusesMore) {
  Upstream silent_address;
  UniqueFd silent = bound_udp(&silent_address);
  start({silent_address}, 1);
  EXPECT_TRUE(submitter_->submit(client("one.example.test"), route_));
  EXPECT_FALSE(submitter_->submit(client("two.example.test"), route_));
}

TEST_F(ForwarderTest, StartsAgainAfterStop) {
  Upstream upstream_address;
  UniqueFd upstream = bound_udp(&upstream_address);
  start({upstream_address});
  forwarder_->stop();
  std::string error;
  ASSERT_TRUE(forwarder_->start(&error)) << error;
  ASSERT_TRUE(submitter_->submit(client("again.example.test"), route_));
  Datagram query = receive(upstream);
  ASSERT_FALSE(query.bytes.empty());
  answer(upstream, query, id_of(query.bytes));
  auto reply = client_reply();
  ASSERT_TRUE(reply);
  EXPECT_EQ(reply->answer.size(), 1u);
}

TEST_F(ForwarderTest, StoppedForwarderRefuses) {
  Upstream silent_address;
  UniqueFd silent = bound_udp(&silent_address);
  start({silent_address});
  forwarder_->stop();
  EXPECT_FALSE(submitter_->submit(client("one.example.test"), route_));
  forwarder_->tick();  // returns at once: the thread does not run
}

}  // namespace
}  // namespace vmdns::forward
