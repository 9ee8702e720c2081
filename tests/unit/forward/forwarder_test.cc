// The forwarder thread against fake upstreams on loopback (UDP sockets this test reads and
// answers itself), with replies delivered through a ReplyRoute to a client socket.
//
// Behaviour checked: a query goes upstream lowercased with a fresh ID and the client gets the
// answer with its own ID and case; a second identical query is answered from the cache, by the
// worker itself from its own shard (without allocating) when it asks reply_from_cache(), every
// worker's shard holding the answer, while rewritten queries are left to the forwarder thread; an
// upstream with nothing listening (ICMP refused) and one that never answers (timeout) are
// passed over for the next; a datagram lost on the way to the only upstream is sent again while
// the deadline allows, an upstream that only refuses is not; with every upstream dead the
// client gets SERVFAIL; a query that
// carries the ID and question of one we sent upstream, or our loop marker option under another
// ID (our own query come back) gets SERVFAIL;
// past max_in_flight submit() refuses; a datagram with the wrong ID is ignored; a stopped
// forwarder refuses and can be started again; a stub domain's names go to its own upstreams and
// the rest to the default ones, with counters per upstream.

#include "forward/forwarder.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>

#include "forward/alias_reply.h"
#include "net/socket_util.h"
#include "testing/allocation_counter.h"
#include "testing/dns_text.h"
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

// A datagram and its sender, or an empty one after `timeout`.
struct Datagram {
  Bytes bytes;
  sockaddr_storage from{};
  socklen_t from_length = sizeof(sockaddr_storage);
};

Datagram receive(const UniqueFd& fd, std::chrono::milliseconds timeout = 3000ms) {
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
    forwarder_ = std::make_unique<Forwarder>(ForwarderOptions{.upstreams = std::move(upstreams),
                                                              .stub_domains = std::move(stubs),
                                                              .except = std::move(except),
                                                              .timeout = timeout,
                                                              .deadline = deadline_,
                                                              .max_in_flight = max_in_flight,
                                                              .cache_entries = 100,
                                                              .local_answer = local_answer_});
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
                                                               3000ms) {
    Datagram d = receive(client_fd_, timeout);
    if (d.bytes.empty()) {
      return std::nullopt;
    }
    return vmdns::testing::parse_response(d.bytes);
  }

  std::chrono::milliseconds deadline_ = 5000ms;  // ForwarderOptions::deadline for start()
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
  { UniqueFd closed = bound_udp(&dead_address); }  // nothing listens there any more
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
  EXPECT_TRUE(receive(stub_upstream, 50ms).bytes.empty());
  EXPECT_TRUE(receive(default_upstream, 50ms).bytes.empty());
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
  EXPECT_TRUE(receive(upstream, 100ms).bytes.empty());  // the upstream was not asked again
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
  EXPECT_TRUE(receive(upstream, 100ms).bytes.empty());  // the upstream was asked once
}

TEST_F(ForwarderTest, DeadUpstreamsArePassedOver) {
  Upstream refused;  // bound, then closed: nothing listens, the kernel answers ICMP refused
  { UniqueFd gone = bound_udp(&refused); }
  Upstream silent_address;
  UniqueFd silent = bound_udp(&silent_address);  // never answers
  Upstream good_address;
  UniqueFd good = bound_udp(&good_address);
  start({refused, silent_address, good_address}, 16, 300ms);
  auto began = std::chrono::steady_clock::now();
  ASSERT_TRUE(submitter_->submit(client("x.example.test"), route_));
  EXPECT_FALSE(receive(silent).bytes.empty());
  Datagram query = receive(good);
  ASSERT_FALSE(query.bytes.empty());
  EXPECT_GE(std::chrono::steady_clock::now() - began, 250ms);  // the silent one's timeout
  answer(good, query, id_of(query.bytes));
  auto reply = client_reply();
  ASSERT_TRUE(reply);
  EXPECT_EQ(reply->rcode, dns::Rcode::NoError);
}

TEST_F(ForwarderTest, AllUpstreamsDeadGivesServfail) {
  Upstream silent_address;
  UniqueFd silent = bound_udp(&silent_address);
  deadline_ = 500ms;  // tried again at most once more: a round of 200 ms must end by then
  start({silent_address}, 16, 200ms);
  ASSERT_TRUE(submitter_->submit(client("x.example.test", dns::RrType::AAAA, false), route_));
  auto reply = client_reply();
  ASSERT_TRUE(reply);
  EXPECT_EQ(reply->rcode, dns::Rcode::ServFail);
  EXPECT_EQ(reply->id, 0xBEEF);
  EXPECT_EQ(reply->question, "x.example.test. AAAA");
}

// A single upstream that lost the first datagram (a timeout) is asked again, under the same ID
// from a new socket, and its answer reaches the client: CoreDNS's forward retries so too.
TEST_F(ForwarderTest, ALostDatagramIsSentAgainWithinTheDeadline) {
  Upstream lossy_address;
  UniqueFd lossy = bound_udp(&lossy_address);
  start({lossy_address}, 16, 200ms);
  ASSERT_TRUE(submitter_->submit(client("x.example.test"), route_));
  Datagram lost = receive(lossy);
  ASSERT_FALSE(lost.bytes.empty());
  Datagram again = receive(lossy);
  ASSERT_FALSE(again.bytes.empty());
  EXPECT_EQ(id_of(again.bytes), id_of(lost.bytes));
  answer(lossy, again, id_of(again.bytes));
  auto reply = client_reply();
  ASSERT_TRUE(reply);
  EXPECT_EQ(reply->rcode, dns::Rcode::NoError);
  EXPECT_EQ(reply->id, 0xBEEF);
}

// Nothing listens (ICMP refused, no timeout in the round): SERVFAIL at once, not after the
// 5 s deadline of asking the same closed port again and again.
TEST_F(ForwarderTest, AnUpstreamThatOnlyRefusesIsNotAskedAgain) {
  Upstream refused;
  { UniqueFd gone = bound_udp(&refused); }
  deadline_ = 60000ms;  // a retry would keep the client past client_reply()'s 3 s
  start({refused}, 16, 200ms);
  ASSERT_TRUE(submitter_->submit(client("x.example.test"), route_));
  auto reply = client_reply();
  ASSERT_TRUE(reply);
  EXPECT_EQ(reply->rcode, dns::Rcode::ServFail);
}

TEST_F(ForwarderTest, OurOwnQueryComingBackIsALoop) {
  Upstream upstream_address;
  UniqueFd upstream = bound_udp(&upstream_address);
  start({upstream_address}, 16, 2000ms);
  ASSERT_TRUE(submitter_->submit(client("loop.example.test"), route_));
  Datagram query = receive(upstream);
  ASSERT_FALSE(query.bytes.empty());
  ClientQuery looped = client("loop.example.test");
  looped.id = id_of(query.bytes);
  ASSERT_TRUE(submitter_->submit(looped, route_));
  auto reply = client_reply(1000ms);
  ASSERT_TRUE(reply);
  EXPECT_EQ(reply->rcode, dns::Rcode::ServFail);
  EXPECT_EQ(reply->id, looped.id);
  EXPECT_TRUE(receive(upstream, 100ms).bytes.empty());  // not forwarded again
}

TEST_F(ForwarderTest, OurMarkerComingBackUnderAnotherIdIsALoop) {
  // As through a forwarder that gives the query a new ID but passes EDNS options on.
  Upstream upstream_address;
  UniqueFd upstream = bound_udp(&upstream_address);
  start({upstream_address}, 16, 2000ms);
  ASSERT_TRUE(submitter_->submit(client("loop.example.test"), route_));
  Datagram query = receive(upstream);
  ASSERT_FALSE(query.bytes.empty());
  ClientQuery looped;
  ASSERT_TRUE(parse_client_query(query.bytes, net::Transport::Udp, &looped));
  EXPECT_NE(looped.loop_marker, 0u);
  looped.id = static_cast<uint16_t>(id_of(query.bytes) ^ 0x5555);
  ASSERT_TRUE(submitter_->submit(looped, route_));
  auto reply = client_reply(1000ms);
  ASSERT_TRUE(reply);
  EXPECT_EQ(reply->rcode, dns::Rcode::ServFail);
  EXPECT_EQ(reply->id, looped.id);
  EXPECT_TRUE(receive(upstream, 100ms).bytes.empty());
}

TEST_F(ForwarderTest, MaxInFlightRefusesMore) {
  Upstream silent_address;
  UniqueFd silent = bound_udp(&silent_address);
  start({silent_address}, 1, 2000ms);
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
}

}  // namespace
}  // namespace vmdns::forward
