// Forwarder::Client: the worker threads' side of the forwarder. A worker answers from its own
// cache shard or hands the query to the forwarder thread; the forwarder thread never runs this.

#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <mutex>
#include <string_view>

#include "dns/header.h"
#include "forward/forwarder.h"
#include "forward/forwarder_impl.h"
#include "forward/response.h"

namespace vmdns::forward {

Forwarder::Client::Client(Forwarder::Impl* forwarder, std::shared_ptr<Ring> ring,
                          metrics::QueryCounters* reply_counters)
    : forwarder_(forwarder), ring_(std::move(ring)), reply_counters_(reply_counters) {}

Forwarder::Client::~Client() {
  std::lock_guard lock(forwarder_->rings_mutex);
  std::erase(forwarder_->rings, ring_);
}

bool Forwarder::Client::submit(const ClientQuery& query, const net::ReplyRoute& route) {
  Impl* f = forwarder_;
  if (!f->running.load(std::memory_order_acquire)) {
    return false;
  }
  if (f->in_flight.fetch_add(1, std::memory_order_acq_rel) >= f->options.max_in_flight) {
    f->in_flight.fetch_sub(1, std::memory_order_acq_rel);
    f->counters.max_concurrent_rejects.add();
    return false;
  }
  if (!ring_->items.push(Submission{query, route, f->now()})) {
    f->in_flight.fetch_sub(1, std::memory_order_acq_rel);
    f->counters.max_concurrent_rejects.add();
    return false;
  }
  uint64_t one = 1;
  while (write(f->wake_fd.get(), &one, sizeof(one)) < 0 && errno == EINTR) {
  }
  return true;
}

bool Forwarder::Client::forwards(const dns::Name& name) const {
  return !forwarder_->zones.route(name).empty();
}

bool Forwarder::Client::forwards_every_name() const {
  return forwarder_->zones.routes_every_name();
}

bool Forwarder::Client::reply_from_cache(const ClientQuery& query, const net::ReplyRoute& route,
                                         std::span<uint8_t> out) {
  Impl* f = forwarder_;
  if (f->options.cache_entries == 0 || query.rewrite != ClientQuery::Rewrite::None ||
      query.alias || !f->running.load(std::memory_order_acquire)) {
    return false;
  }
  Clock::time_point now = f->now();
  Cache::KeyBuffer buffer;
  std::string_view key = Cache::key_of(query, buffer);
  size_t length = 0;
  {
    CacheShard& shard = ring_->cache;
    std::lock_guard lock(shard.mutex);
    auto hit = shard.cache.find(key, now);
    if (hit) {
      length = rewrite_reply(hit->response, query, hit->age_seconds, out);
    }
    if (length == 0) {
      return false;  // the forwarder thread counts the request and the miss
    }
    shard.counters.requests.add();
    (is_denial_reply(out.first(length)) ? shard.counters.hits_denial : shard.counters.hits_success)
        .add();
  }
  if (reply_counters_ != nullptr) {
    auto elapsed = std::chrono::duration_cast<std::chrono::nanoseconds>(f->now() - now);
    reply_counters_->count_response(
        metrics::Responder::Cache, dns::rcode_low(out), static_cast<uint16_t>(query.question.type),
        static_cast<uint64_t>(elapsed.count()),
        query.transport == net::Transport::Tcp ? metrics::Proto::Tcp : metrics::Proto::Udp, length);
  }
  net::send_reply(route, out.first(length));
  return true;
}

}  // namespace vmdns::forward
