#pragma once
// The forwarder's private state, shared by forwarder.cc (lifecycle, the event loop, answering
// clients), forwarder_client.cc (the workers' side) and upstream_exchange.cc (one query's
// exchange with the upstreams). Not a public header: only the forward module includes it.

#include <sys/epoll.h>

#include <atomic>
#include <chrono>
#include <mutex>
#include <span>
#include <string>
#include <thread>
#include <vector>

#include "forward/cache.h"
#include "forward/forwarder.h"
#include "forward/spsc_ring.h"
#include "net/loop_tick.h"
#include "net/socket_util.h"

namespace vmdns::forward {

using net::UniqueFd;
using Clock = std::chrono::steady_clock;

inline constexpr size_t kMaxMessage = 65535;
inline constexpr int kMaxEvents = 64;
// epoll tags of the three eventfds; every other tag is (generation << 32) | slot.
inline constexpr uint64_t kStopTag = ~uint64_t{0};
inline constexpr uint64_t kWakeTag = ~uint64_t{0} - 1;
inline constexpr uint64_t kTickTag = ~uint64_t{0} - 2;

// A query on its way from a worker to the forwarder thread.
struct Submission {
  ClientQuery query;
  net::ReplyRoute route;
  Clock::time_point received{};  // when the worker submitted it
};

// A worker's copy of the cache. The worker looks its queries up in it (Client::
// reply_from_cache) and the forwarder thread puts every upstream answer into every worker's
// shard: its lock is taken by those two threads only, one lookup or insert at a time, so it is
// almost never contended, and a cached name costs the worker a lock, a hash lookup and a copy.
struct CacheShard {
  CacheShard(size_t entries, CacheCounters& counters) : cache(entries), counters(counters) {}
  std::mutex mutex;
  Cache cache;               // guarded by mutex
  CacheCounters& counters;   // written under mutex
};

struct Forwarder::Client::Ring {
  Ring(size_t capacity, size_t cache_entries, CacheCounters& counters)
      : items(capacity), cache(cache_entries, counters) {}
  SpscRing<Submission> items;
  CacheShard cache;
};

struct Forwarder::Impl {
  // One query on its way to an upstream.
  struct Slot {
    bool used = false;
    uint32_t generation = 0;
    ClientQuery client;
    net::ReplyRoute route;
    Clock::time_point received{};
    Clock::time_point attempt_started{};
    std::string cache_key;
    uint16_t id = 0;
    std::span<const uint16_t> upstreams;  // indices into zones.upstreams(), tried in order
    size_t upstream = 0;                  // the attempt's position in `upstreams`
    Clock::time_point give_up{};          // ForwarderOptions::deadline after the query came
    bool round_timed_out = false;         // an attempt of this round through `upstreams` did
    bool tcp = false;
    UniqueFd fd;
    Clock::time_point deadline{};
    int older = -1;  // the timeout list, oldest deadline first (every attempt has the same
    int newer = -1;  // timeout, so appending keeps it sorted)
    uint8_t query[512];
    size_t query_length = 0;
    std::vector<uint8_t> tcp_buffer;  // TCP: the framed query, then the framed response
    size_t tcp_done = 0;
    bool tcp_sending = false;
  };

  ForwarderOptions options;
  ForwardZones zones;        // built from options; immutable
  std::string zones_error;   // why the options make no ForwardZones; start() fails with it
  ForwardMetrics counters;   // one UpstreamCounters per zones.upstreams()
  std::atomic<bool> running{false};
  std::atomic<size_t> in_flight{0};
  UniqueFd wake_fd;
  UniqueFd stop_fd;
  UniqueFd epoll;
  net::LoopTick tick;  // Forwarder::tick(), for a test that moved options.clock
  std::thread thread;
  std::mutex lifecycle;

  std::mutex rings_mutex;  // guards rings; taken by the forwarder thread and at registration
  std::vector<std::shared_ptr<Client::Ring>> rings;

  // Forwarder thread only.
  std::vector<Slot> slots;
  std::vector<int> free_slots;
  std::vector<int> by_id;  // upstream ID -> slot, -1 when unused
  int oldest = -1;
  int newest = -1;
  std::unique_ptr<uint8_t[]> in = std::make_unique_for_overwrite<uint8_t[]>(kMaxMessage);
  std::unique_ptr<uint8_t[]> out = std::make_unique_for_overwrite<uint8_t[]>(kMaxMessage);
  uint8_t random[256];
  size_t random_used = sizeof(random);
  // This process's token in the kLoopMarkerOption of every query we send; never 0.
  uint64_t loop_marker = 0;

  explicit Impl(ForwarderOptions o)
      : options(std::move(o)), zones(make_zones(options, &zones_error)),
        counters(zones.upstreams().size()) {
    tick.close();  // until start(): Forwarder::tick() returns at once
  }

  static ForwardZones make_zones(const ForwarderOptions& options, std::string* error) {
    auto zones =
        ForwardZones::make(options.upstreams, options.stub_domains, options.except, error);
    return zones ? std::move(*zones) : ForwardZones{};
  }
  Clock::time_point now() const { return options.clock ? options.clock() : Clock::now(); }
  // The upstream of the slot's current attempt, and its counters.
  const Upstream& upstream_of(const Slot& slot) const {
    return zones.upstreams()[slot.upstreams[slot.upstream]];
  }
  UpstreamCounters& counters_of(const Slot& slot) {
    return counters.upstreams[slot.upstreams[slot.upstream]];
  }

  void run();
  void drain_submissions(Clock::time_point now);
  void take(const Submission& submission, const std::shared_ptr<Client::Ring>& ring,
            Clock::time_point now);
  void start_attempt(int index, bool tcp, Clock::time_point now);
  // The attempt failed, by its timeout or by an error: the next upstream, round the route again
  // when the deadline allows, or SERVFAIL.
  void next_upstream(int index, Clock::time_point now, bool timed_out = false);
  void on_event(int index, uint32_t events, Clock::time_point now);
  void on_udp(int index, Clock::time_point now);
  void on_tcp(int index, uint32_t events, Clock::time_point now);
  void finish(int index, std::span<uint8_t> response, Clock::time_point now);
  void fail(int index);
  // The client's reply to `response` (cached `elapsed` seconds ago), into `out`, following the
  // query's Rewrite; SERVFAIL when it cannot be written.
  size_t client_reply(std::span<const uint8_t> response, const ClientQuery& client,
                      uint32_t elapsed);
  // Our own answer for a query with a Rewrite (LocalAnswer), into `out`; SERVFAIL without one.
  size_t local_reply(const ClientQuery& client);
  void release(int index);
  // Sends `reply` to the client and counts it.
  void reply_to(const ClientQuery& client, const net::ReplyRoute& route, Clock::time_point received,
                std::span<const uint8_t> reply, metrics::Responder responder,
                Clock::time_point now);
  void link(int index);
  void unlink(int index);
  int next_timeout_ms(Clock::time_point now) const;
  uint16_t random_id();
  std::span<uint8_t> out_span() { return {out.get(), kMaxMessage}; }
};

}  // namespace vmdns::forward
