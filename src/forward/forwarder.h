#pragma once
// Sends queries for names outside our zones to upstream resolvers, in one thread of its own, and
// answers the clients through their net::ReplyRoute when the upstream replies.
//
//   Forwarder forwarder({.upstreams = {*parse_upstream("10.0.0.10", &err)}});
//   if (!forwarder.start(&err)) die(err);
//   auto client = forwarder.make_client();        // one per worker thread
//   if (client->reply_from_cache(query, route, out)) return QueryHandler::kDeferred;  // sent
//   if (client->submit(query, route)) return QueryHandler::kDeferred;
//   ... reply SERVFAIL: too many queries in flight ...
//   forwarder.stop();                             // before the server whose routes it holds
//
// A name goes to the upstreams ForwardZones routes it to (a stub domain's, or the defaults).
// Workers never block on an upstream: submit() copies the query into the worker's own
// single-producer ring and writes an eventfd. The forwarder thread (epoll, non-blocking sockets)
// looks the question up in the worker's cache shard, or sends it over UDP from a new connect()ed
// socket (a random source port from the kernel) with a random ID, to the first upstream; on TC it
// asks the same upstream over TCP; on a timeout or an error it moves to the next upstream; when
// none is left after a timeout it goes round them again while an attempt can still end within
// `deadline` (a lost datagram is retried, as CoreDNS's forward does), else the client gets
// SERVFAIL. Responses are matched by source (the connected socket), ID
// and question. See README.md for the loop protection.

#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "forward/client_query.h"
#include "forward/forward_metrics.h"
#include "forward/forward_zones.h"
#include "forward/response.h"
#include "forward/upstream.h"
#include "metrics/query_counters.h"
#include "net/reply_route.h"

namespace vmdns::forward {

// Answers `query` (a client's query rebuilt by build_client_query) from our own zones, for the
// server-side search modes of ClientQuery::Rewrite; called in the forwarder's thread. Returns
// the reply's length in `out`, 0 to answer SERVFAIL.
using LocalAnswer = std::function<size_t(std::span<const uint8_t> query, const ClientQuery& client,
                                         std::span<uint8_t> out)>;

struct ForwarderOptions {
  std::vector<Upstream> upstreams;  // the default upstreams, tried in order
  // Names at or under these zones go to their own upstreams (the most specific zone wins)...
  std::vector<StubDomain> stub_domains = {};
  // ... and names at or under these, when no stub domain takes them, are not forwarded.
  std::vector<dns::Name> except = {};
  std::chrono::milliseconds timeout{1500};  // per attempt
  // How long a query is tried at most, from its arrival here. When every upstream of its route
  // has failed and one of them by a timeout, the route is tried again in order, each attempt
  // started only when it can end by then. CoreDNS's forward keeps trying for 5 s too; without
  // it, one datagram lost on the way to a single upstream is a SERVFAIL. An upstream that only
  // refuses (ICMP, a reset) is not tried again: nothing listens there.
  std::chrono::milliseconds deadline{5000};
  size_t max_in_flight = 1024;      // queries submitted and not yet answered
  size_t cache_entries = 10000;     // 0: no cache (and upstream TTLs passed on as they are)
  CacheTtls cache_ttls = {};          // how long answers are cached and the TTLs they are served with
  LocalAnswer local_answer = {};    // may be empty when no query carries a Rewrite
  // Where the replies sent to clients are counted (coredns_dns_responses_total and the
  // duration and size histograms), by the forwarder thread; null: not counted.
  metrics::QueryCounters* reply_counters = nullptr;
  // Where each Client gets the counters of the replies its worker sends from its cache shard
  // (Client::reply_from_cache); null: not counted.
  metrics::QueryMetrics* worker_reply_metrics = nullptr;
  // The clock the timeouts, the deadline, the cache's TTLs and the reply durations are timed by;
  // empty: std::chrono::steady_clock. A test passes its own and calls Forwarder::tick() after
  // moving it, so that an upstream's timeout expires at the step the test chose.
  std::function<std::chrono::steady_clock::time_point()> clock = nullptr;
};

class Forwarder {
 public:
  class Client;

  explicit Forwarder(ForwarderOptions options);
  ~Forwarder();  // stops
  Forwarder(const Forwarder&) = delete;
  Forwarder& operator=(const Forwarder&) = delete;

  bool start(std::string* error);
  // Joins the thread. Queries in flight or still queued get no reply. Idempotent; start() may
  // be called again.
  void stop();

  // A submitter for one worker thread. Must not outlive the Forwarder.
  std::unique_ptr<Client> make_client();

  // Any other thread: returns once the forwarder thread has run a round with its clock's time
  // read after the call, so that whatever a moved ForwarderOptions::clock expires (an attempt's
  // timeout, the deadline) has been acted on: the next upstream asked, or SERVFAIL sent. At once
  // when the thread does not run.
  void tick();

  // Upstream and cache counters, readable from any thread at any time.
  const ForwardMetrics& metrics() const;
  // Every upstream once, in the order of metrics().upstreams (ForwardZones::upstreams).
  const std::vector<Upstream>& upstreams() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

class Forwarder::Client {
 public:
  ~Client();
  Client(const Client&) = delete;
  Client& operator=(const Client&) = delete;

  // From the owning worker thread only. True when the forwarder took the query and will send
  // the reply through `route`; false when max_in_flight queries are in flight or the forwarder
  // is not running, and the caller should answer SERVFAIL itself. No lock, no allocation.
  bool submit(const ClientQuery& query, const net::ReplyRoute& route);

  // From the owning worker thread only, before submit(). When this worker's cache shard holds
  // the answer to `query`, writes the client's reply into `out`, sends it through `route`,
  // counts it (Responder::Cache) and returns true; false otherwise, and nothing is sent. A
  // query with a server-side search rewrite or an alias prefix is left to the forwarder thread,
  // whose reply may need our zones. No allocation; the shard's lock is shared only with the
  // forwarder thread, one lookup or insert at a time.
  bool reply_from_cache(const ClientQuery& query, const net::ReplyRoute& route,
                        std::span<uint8_t> out);

  // True when `name` has upstreams to go to: a stub domain's, or the defaults' when it is in no
  // except zone. A query for any other name is not submitted; the caller answers it as it
  // answers a name it does not forward. Any thread; no lock, no allocation.
  bool forwards(const dns::Name& name) const;
  // True when forwards() holds for every name (no stub domain, no except zone), so that the
  // caller need not parse a name to ask.
  bool forwards_every_name() const;

 private:
  friend class Forwarder;
  struct Ring;
  Client(Forwarder::Impl* forwarder, std::shared_ptr<Ring> ring,
         metrics::QueryCounters* reply_counters);
  Forwarder::Impl* forwarder_;
  std::shared_ptr<Ring> ring_;
  metrics::QueryCounters* reply_counters_;  // this worker's, for replies from the cache
};

}  // namespace vmdns::forward
