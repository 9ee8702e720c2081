#include "dispatch/dispatcher.h"

#include <netinet/in.h>

#include "dns/edns.h"
#include "dns/header.h"
#include "hosts/hosts_answer.h"
#include "query/server_search.h"
#include "query/truncated_reply.h"
#include "xfr/signed_query.h"

namespace vmdns::dispatch {
namespace {

const zone::ClientSearch* client_of(const zone::Snapshot& snapshot, const net::ReplyRoute& route) {
  if (route.peer.ss_family == AF_INET) {
    const auto& v4 = reinterpret_cast<const sockaddr_in&>(route.peer);
    return snapshot.clients().find(
        {reinterpret_cast<const uint8_t*>(&v4.sin_addr), sizeof(v4.sin_addr)});
  }
  if (route.peer.ss_family == AF_INET6) {
    const auto& v6 = reinterpret_cast<const sockaddr_in6&>(route.peer);
    return snapshot.clients().find(
        {reinterpret_cast<const uint8_t*>(&v6.sin6_addr), sizeof(v6.sin6_addr)});
  }
  return nullptr;
}

}  // namespace

Dispatcher::Dispatcher(const zone::SnapshotHolder& holder, DispatcherOptions options)
    : local_(holder),
      forwarder_client_(options.forwarder != nullptr ? options.forwarder->make_client() : nullptr),
      search_(options.search),
      allow_forward_(std::move(options.allow_forward)),
      hosts_(options.hosts != nullptr ? std::make_unique<hosts::LocalHosts>(*options.hosts)
                                      : nullptr),
      loadbalance_(options.loadbalance),
      limiter_(std::move(options.limiter)),
      metering_(options.counters, options.log_queries),
      transfers_(options.transfers) {}

void Dispatcher::begin_batch(Clock::time_point now) {
  in_batch_ = true;
  // The published snapshot and hosts table are looked at once per batch: a query answered a
  // few microseconds after a publish is answered from the one before, as it would have been had
  // it arrived a little earlier.
  snapshot_ = local_.get();
  hosts_table_ = hosts_ ? hosts_->get() : nullptr;
  batch_second_ = static_cast<uint64_t>(
      std::chrono::duration_cast<std::chrono::seconds>(now.time_since_epoch()).count());
  prefetched_ = 0;
  taken_ = 0;
  prefetched_levels_ = false;
  metering_.begin_batch(now);
}

void Dispatcher::end_batch(Clock::time_point now) {
  metering_.end_batch(now);
  in_batch_ = false;
  prefetched_ = 0;
  taken_ = 0;
}

void Dispatcher::idle() {
  snapshot_ = nullptr;
  hosts_table_ = nullptr;
  local_.release();
  if (hosts_) {
    hosts_->release();
  }
}

void Dispatcher::prefetch(std::span<const uint8_t> query) {
  if (!in_batch_ || prefetched_ == kParsedSlots) {
    return;
  }
  Parsed& p = parsed_[prefetched_++];
  p.wire = query;
  p.status = dns::parse_query(query, p.query);
  p.lookup.level = 0;
  if (snapshot_ != nullptr && p.status != dns::ParseStatus::Drop && p.query.has_question) {
    p.lowercased = p.query.question.name.lowercased();
    if (const zone::Zone* zone = snapshot_->find_zone(p.lowercased)) {
      zone->prefetch_first(p.lowercased.wire_view(), p.lookup);
    }
  }
}

// Each level of every query's lookup before the next level of any: the batch's misses at one
// level overlap, and a level reads only lines the one before started loading (while the other
// queries of the batch were stepped through it).
void Dispatcher::prefetch_batch() {
  prefetched_levels_ = true;
  for (bool more = true; more;) {
    more = false;
    for (size_t i = 0; i < prefetched_; ++i) {
      if (parsed_[i].lookup.level != 0) {
        more = zone::Zone::prefetch_next(parsed_[i].lookup) || more;
      }
    }
  }
}

const Dispatcher::Parsed& Dispatcher::parse(std::span<const uint8_t> query) {
  if (!prefetched_levels_ && prefetched_ > 0) {
    prefetch_batch();
  }
  if (taken_ < prefetched_ && parsed_[taken_].wire.data() == query.data() &&
      parsed_[taken_].wire.size() == query.size()) {
    return parsed_[taken_++];
  }
  scratch_.wire = query;
  scratch_.status = dns::parse_query(query, scratch_.query);
  return scratch_;
}

size_t Dispatcher::handle(std::span<const uint8_t> query, std::span<uint8_t> out,
                          net::Transport transport) {
  net::ReplyRoute route;
  route.transport = transport;
  return dispatch(query, out, route).length;
}

Dispatched Dispatcher::dispatch(std::span<const uint8_t> query, std::span<uint8_t> out,
                                const net::ReplyRoute& route) {
  bool own_batch = !in_batch_;
  if (own_batch) {
    begin_batch(Clock::now());
  }
  const Parsed& q = parse(query);
  Dispatched d;
  d.proto = route.transport == net::Transport::Tcp ? metrics::Proto::Tcp : metrics::Proto::Udp;
  d.family = route.peer.ss_family == AF_INET6 ? metrics::Family::Ipv6 : metrics::Family::Ipv4;
  // A query whose parse stopped before its question is still counted by the type it names.
  d.qtype =
      q.query.has_question ? static_cast<uint16_t>(q.query.question.type) : question_type(query);
  metering_.request(d, query.size());

  size_t length = q.status == dns::ParseStatus::Drop ? 0 : resolve(q, out, route, d);
  if (limiter_ && route.transport == net::Transport::Udp && length != 0) {
    length = limit_rate(q, length, out, route, d);
  }
  d.length = length;
  if (length == 0) {
    d.outcome = Outcome::Dropped;
  } else if (d.deferred()) {
    d.outcome = Outcome::Forwarded;
  } else if (d.streamed()) {
    d.outcome = Outcome::Answered;
  } else {
    d.rcode = dns::rcode_low(out);
  }
  metering_.reply(d);
  if (metering_.logging()) {
    metering_.log(
        route, q.status, q.query, query,
        d.replied() ? std::span<const uint8_t>(out.first(length)) : std::span<const uint8_t>());
  }
  if (own_batch) {
    end_batch(Clock::now());
  }
  return d;
}

// --rrl: a reply is counted once written, so queries that get no reply cost their claimed
// sender nothing; a forwarded query is counted when it goes upstream and its reply is never
// held back (only --allow-forward clients are forwarded to). TCP is never limited: its source
// address cannot be spoofed.
size_t Dispatcher::limit_rate(const Parsed& q, size_t length, std::span<uint8_t> out,
                              const net::ReplyRoute& route, Dispatched& d) {
  if (length == Dispatched::kDeferred) {
    limiter_->check(route.peer, batch_second_);
    return length;
  }
  switch (limiter_->check(route.peer, batch_second_)) {
    case net::RateVerdict::Send:
      return length;
    case net::RateVerdict::Slip:
      d.outcome = Outcome::Slipped;
      metering_.rate_limited(true);
      return query::truncated_reply(q.status, q.query, out);
    case net::RateVerdict::Drop:
      metering_.rate_limited(false);
      break;
  }
  return 0;
}

// The pipeline: our zones answer first, so a query for a cluster name costs nothing else. Hosts
// entries answer names our zones do not have (outside them, or NXDOMAIN in them) before any
// search or forwarding. Server-side search is one step around the answer path, taken only for
// a client whose address the snapshot knows. A name outside our zones, an ExternalName leading
// out of them, or a --fallthrough NXDOMAIN goes to the forwarder, for a client it forwards for.
size_t Dispatcher::resolve(const Parsed& q, std::span<uint8_t> out, const net::ReplyRoute& route,
                           Dispatched& d) {
  const zone::Snapshot* snapshot = snapshot_;
  net::Transport transport = route.transport;
  if (transfers_ != nullptr && q.status == dns::ParseStatus::Ok && q.query.has_question &&
      (q.query.question.type == dns::RrType::AXFR || q.query.question.type == dns::RrType::IXFR) &&
      q.query.header.opcode() == dns::Opcode::Query && q.query.question.qclass == 1 &&
      !(q.query.edns.present && q.query.edns.version != 0)) {
    // Zone transfers may allocate and take a lock: they are not the query path.
    xfr::Transfers::Answer answer = transfers_->answer(q.wire, route, out);
    d.outcome = Outcome::Answered;
    if (answer.stream) {
      stream_ = std::move(answer.stream);
      return Dispatched::kStream;
    }
    return answer.length;
  }
  // A query with more than an OPT in its additional section may be signed (TSIG): a
  // secondary's SOA query, whose answer must be signed too. Only our zones answer it.
  if (q.query.header.arcount > (q.query.edns.present ? 1 : 0) && transfers_ != nullptr &&
      transfers_->auth() != nullptr && q.status == dns::ParseStatus::Ok) {
    xfr::SignedQuery signed_query(*transfers_->auth(), q.query, q.wire, route.peer);
    if (signed_query.is_signed()) {
      d.outcome = Outcome::Answered;
      if (!signed_query.accepted()) {
        return signed_query.refuse(out);
      }
      size_t limit = transport == net::Transport::Tcp ? dns::kMaxMessageSize
                                                      : dns::udp_reply_limit(q.query.edns);
      query::Result result =
          query::answer(snapshot, q.status, q.query, signed_query.room(out, limit), transport, 0);
      return signed_query.sign(out, result.length);
    }
  }
  forward_ = forwarder_client_ && (!allow_forward_ || allow_forward_->contains(route.peer))
                 ? forwarder_client_.get()
                 : nullptr;
  query::Result result =
      query::answer(snapshot, q.status, q.query, out, transport, next_rotation());
  d.outcome = Outcome::Answered;
  if (hosts_table_ != nullptr && q.status == dns::ParseStatus::Ok &&
      (result.outcome == query::Outcome::OutOfZone || result.rcode == dns::Rcode::NxDomain)) {
    // A reply that fit `out` leaves room for its question: hosts::answer writes nothing
    // unless it answers.
    size_t length =
        hosts::answer(*hosts_table_, q.query, out, route.transport == net::Transport::Tcp);
    if (length != 0) {
      d.outcome = Outcome::Hosts;
      return length;
    }
  }
  // A name no upstream takes (--forward-except, or no default upstream outside the stub
  // domains) is answered as for a client we do not forward for.
  if (result.outcome == query::Outcome::OutOfZone && forward_ && !forward_->forwards_every_name() &&
      !(forward::forwardable(q.query) && forward_->forwards(q.query.question.name))) {
    forward_ = nullptr;
  }
  if (result.outcome == query::Outcome::AliasOutOfZone && forward_) {
    return forward_alias(q, out, result.length, route);
  }
  if (search_.enabled() && snapshot != nullptr &&
      (result.rcode == dns::Rcode::NxDomain || result.outcome == query::Outcome::OutOfZone)) {
    if (const zone::ClientSearch* client = client_of(*snapshot, route)) {
      return search(*snapshot, *client, q, result, out, route);
    }
  }
  if ((result.outcome != query::Outcome::OutOfZone &&
       result.outcome != query::Outcome::Fallthrough) ||
      !forward_) {
    return result.length;
  }
  return forward_or_keep(q, result, out, route);
}

size_t Dispatcher::answer_locally(const zone::Snapshot* snapshot, std::span<const uint8_t> query,
                                  const forward::ClientQuery& client, std::span<uint8_t> out) {
  net::Transport transport = client.transport;
  if (client.rewrite == forward::ClientQuery::Rewrite::ShortName) {
    return query::answer_alias(snapshot, query, out, transport,
                               {client.expansion, client.expansion_ttl})
        .length;
  }
  return query::answer(snapshot, query, out, transport).length;
}

// --loadbalance: each reply of this worker starts its address sets one record further on
// (query::answer's rotation); 0, the stored order, without it.
uint32_t Dispatcher::next_rotation() {
  if (!loadbalance_) {
    return 0;
  }
  rotation_ = rotation_ == UINT32_MAX ? 1 : rotation_ + 1;
  return rotation_;
}

}  // namespace vmdns::dispatch
