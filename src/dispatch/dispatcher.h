#pragma once
// The one query pipeline of a worker: a query's bytes are parsed once, and that parsed form goes
// through the snapshot's answer, the hosts entries, server-side search, forwarding and response
// rate limiting; what came of it (a Dispatched) is what the coredns_dns_* counters and the query
// log read, so nothing parses the query or the reply again.
//
//   dispatch::Dispatcher dispatcher(holder, {.forwarder = forwarder.get(),
//                                            .counters = &metrics.queries().add_thread()});
//   dispatcher.begin_batch(std::chrono::steady_clock::now());   // once per recvmmsg batch
//   Dispatched d = dispatcher.dispatch(query, out, route);       // per query, no allocation
//   if (d.length != 0 && !d.deferred()) send(out.first(d.length));
//   dispatcher.end_batch(std::chrono::steady_clock::now());     // before the batch's replies go
//
// One Dispatcher per worker thread (each UDP worker, the TCP loop): it keeps its own snapshot
// and hosts pointers (refreshed once per batch), its own forwarder client and counters, so the
// query path takes no lock. The clock is read by the caller once per batch: the rate limiter's
// second and the duration of every reply of the batch (from its receipt to the end of the batch)
// come from those two readings. Outside a batch (a direct call) the dispatcher reads the clock
// around the query itself.
//
// The order of the steps, and why, is in README.md ("The pipeline").

#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>

#include "dispatch/dispatched.h"
#include "dispatch/metering.h"
#include "dns/message_view.h"
#include "forward/client_query.h"
#include "forward/forwarder.h"
#include "hosts/hosts_holder.h"
#include "net/client_networks.h"
#include "net/reply_route.h"
#include "net/response_rate_limiter.h"
#include "query/answer.h"
#include "server/query_handler.h"
#include "xfr/transfers.h"
#include "zone/snapshot_holder.h"

namespace vmdns::dispatch {

struct SearchOptions {
  bool autopath = false;            // --autopath
  bool expand_short_names = false;  // --expand-short-names
  uint32_t cname_ttl = 5;           // of the CNAMEs made up for a client (--ttl)
  bool enabled() const { return autopath || expand_short_names; }
};

struct DispatcherOptions {
  // Null: names outside our zones are REFUSED (our NXDOMAIN for a --fallthrough name).
  forward::Forwarder* forwarder = nullptr;
  SearchOptions search = {};
  // --allow-forward: the clients forwarded for; null forwards for everyone.
  std::shared_ptr<const net::ClientNetworks> allow_forward = nullptr;
  const hosts::HostsHolder* hosts = nullptr;  // null: no hosts entries
  bool loadbalance = false;                   // --loadbalance
  // --rrl: one limiter shared by every UDP worker; null: no limit.
  std::shared_ptr<net::ResponseRateLimiter> limiter = nullptr;
  metrics::QueryCounters* counters = nullptr;      // this worker's; null: not counted
  const std::atomic<bool>* log_queries = nullptr;  // --log-queries, flipped by a reload
  // Zone transfers (AXFR, IXFR); null: REFUSED, as every zone transfer without
  // --allow-transfer.
  xfr::Transfers* transfers = nullptr;
};

class Dispatcher : public server::QueryHandler {
 public:
  using Clock = std::chrono::steady_clock;

  explicit Dispatcher(const zone::SnapshotHolder& holder, DispatcherOptions options = {});

  // Answers, defers or drops one query; see Dispatched. No heap allocation (unless the query
  // log is on), no lock.
  Dispatched dispatch(std::span<const uint8_t> query, std::span<uint8_t> out,
                      const net::ReplyRoute& route);

  // server::QueryHandler
  size_t handle(std::span<const uint8_t> query, std::span<uint8_t> out,
                net::Transport transport) override;
  size_t handle_deferrable(std::span<const uint8_t> query, std::span<uint8_t> out,
                           const net::ReplyRoute& route) override {
    return dispatch(query, out, route).length;
  }
  // Parses the query (kept for dispatch(), which then does not parse it again) and starts
  // loading what its answer will read.
  void prefetch(std::span<const uint8_t> query) override;
  // The zone transfer just answered QueryHandler::kStream.
  std::unique_ptr<server::ReplyStream> take_stream() override { return std::move(stream_); }
  void begin_batch(Clock::time_point now) override;
  void end_batch(Clock::time_point now) override;
  // Drops the snapshot and hosts table references; the next batch takes the newest.
  void idle() override;

  // What the forwarder calls (forward::LocalAnswer) for a query it gives back: autopath gave up
  // (the client's own NXDOMAIN), or a short name the upstream does not have.
  static size_t answer_locally(const zone::Snapshot* snapshot, std::span<const uint8_t> query,
                               const forward::ClientQuery& client, std::span<uint8_t> out);

 private:
  // A query as parsed once: what every step of the pipeline reads.
  struct Parsed {
    std::span<const uint8_t> wire;
    dns::ParseStatus status = dns::ParseStatus::Drop;
    dns::ParsedQuery query;
    dns::Name lowercased;         // the question's name, for the lookup's prefetch
    zone::LookupPrefetch lookup;  // level 0 when there is nothing (more) to load
  };
  // prefetch() parses a UDP batch's queries in order; dispatch() takes them in the same order.
  static constexpr size_t kParsedSlots = 32;

  const Parsed& parse(std::span<const uint8_t> query);
  // The prefetch levels after the first, across every query prefetch() parsed this batch.
  void prefetch_batch();
  size_t resolve(const Parsed& q, std::span<uint8_t> out, const net::ReplyRoute& route,
                 Dispatched& d);
  size_t limit_rate(const Parsed& q, size_t length, std::span<uint8_t> out,
                    const net::ReplyRoute& route, Dispatched& d);

  // The forwarding steps (pipeline_forward.cc).
  size_t forward_alias(const Parsed& q, std::span<uint8_t> out, size_t length,
                       const net::ReplyRoute& route);
  size_t search(const zone::Snapshot& snapshot, const zone::ClientSearch& client, const Parsed& q,
                const query::Result& result, std::span<uint8_t> out, const net::ReplyRoute& route);
  size_t forward_or_keep(const Parsed& q, const query::Result& result, std::span<uint8_t> out,
                         const net::ReplyRoute& route);
  bool takes(const dns::Name& name) const;
  size_t submit(const forward::ClientQuery& client, const net::ReplyRoute& route,
                std::span<uint8_t> out);
  uint32_t next_rotation();

  zone::LocalSnapshot local_;
  const zone::Snapshot* snapshot_ = nullptr;  // local_'s, refreshed once per batch
  std::unique_ptr<forward::Forwarder::Client> forwarder_client_;
  // The forwarder for the query being answered: forwarder_client_ when the client may use it.
  forward::Forwarder::Client* forward_ = nullptr;
  SearchOptions search_;
  std::shared_ptr<const net::ClientNetworks> allow_forward_;
  std::unique_ptr<hosts::LocalHosts> hosts_;
  const hosts::HostsTable* hosts_table_ = nullptr;  // hosts_'s, refreshed once per batch
  bool loadbalance_ = false;
  uint32_t rotation_ = 0;
  std::shared_ptr<net::ResponseRateLimiter> limiter_;
  Metering metering_;

  bool in_batch_ = false;
  uint64_t batch_second_ = 0;  // the batch's monotonic second, for the rate limiter
  std::array<Parsed, kParsedSlots> parsed_;
  size_t prefetched_ = 0;           // parsed_[0, prefetched_) filled by prefetch() this batch
  size_t taken_ = 0;                // of those, the ones dispatch() has used
  bool prefetched_levels_ = false;  // prefetch_batch() ran for this batch
  Parsed scratch_;                  // a query prefetch() did not see
  xfr::Transfers* transfers_ = nullptr;
  std::unique_ptr<server::ReplyStream> stream_;  // of the last query answered kStream
};

}  // namespace vmdns::dispatch
