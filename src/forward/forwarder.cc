#include "forward/forwarder.h"

#include <pthread.h>
#include <spdlog/spdlog.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <climits>

#include "dns/header.h"
#include "forward/alias_reply.h"
#include "forward/forwarder_impl.h"
#include "forward/response.h"

namespace vmdns::forward {

// --- Forwarder -------------------------------------------------------------------------------

Forwarder::Forwarder(ForwarderOptions options)
    : impl_(std::make_unique<Impl>(std::move(options))) {}

Forwarder::~Forwarder() {
  stop();
}

void Forwarder::tick() {
  impl_->tick.tick();
}

const ForwardMetrics& Forwarder::metrics() const {
  return impl_->counters;
}

const std::vector<Upstream>& Forwarder::upstreams() const {
  return impl_->zones.upstreams();
}

std::unique_ptr<Forwarder::Client> Forwarder::make_client() {
  auto ring = std::make_shared<Client::Ring>(impl_->options.max_in_flight,
                                             impl_->options.cache_entries,
                                             impl_->counters.add_cache_shard());
  {
    std::lock_guard lock(impl_->rings_mutex);
    impl_->rings.push_back(ring);
  }
  metrics::QueryCounters* replies = impl_->options.worker_reply_metrics != nullptr
                                        ? &impl_->options.worker_reply_metrics->add_thread()
                                        : nullptr;
  return std::unique_ptr<Client>(new Client(impl_.get(), std::move(ring), replies));
}

bool Forwarder::start(std::string* error) {
  std::lock_guard lock(impl_->lifecycle);
  Impl& f = *impl_;
  if (f.thread.joinable()) {
    *error = "the forwarder is already running";
    return false;
  }
  if (!f.zones_error.empty()) {
    *error = f.zones_error;
    return false;
  }
  if (f.zones.empty()) {
    *error = "no upstream to forward to";
    return false;
  }
  f.wake_fd.reset(eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC));
  f.stop_fd.reset(eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC));
  f.epoll.reset(epoll_create1(EPOLL_CLOEXEC));
  if (!f.wake_fd.valid() || !f.stop_fd.valid() || !f.epoll.valid() || !f.tick.valid()) {
    *error = "eventfd/epoll: " + net::errno_text(errno);
    return false;
  }
  for (auto [fd, tag] : {std::pair{f.stop_fd.get(), kStopTag}, {f.wake_fd.get(), kWakeTag},
                         {f.tick.fd(), kTickTag}}) {
    epoll_event event{};
    event.events = EPOLLIN;
    event.data.u64 = tag;
    if (epoll_ctl(f.epoll.get(), EPOLL_CTL_ADD, fd, &event) != 0) {
      *error = "epoll_ctl: " + net::errno_text(errno);
      return false;
    }
  }
  size_t capacity = std::max<size_t>(f.options.max_in_flight, 1);
  f.slots = std::vector<Impl::Slot>(capacity);
  f.free_slots.clear();
  for (size_t i = capacity; i > 0; --i) {
    f.free_slots.push_back(static_cast<int>(i - 1));
  }
  f.by_id.assign(65536, -1);
  f.in_flight.store(0);
  while (f.loop_marker == 0) {
    for (int i = 0; i < 4; ++i) {
      f.loop_marker = (f.loop_marker << 16) | f.random_id();
    }
  }
  f.tick.open();
  f.running.store(true, std::memory_order_release);
  f.thread = std::thread([&f] {
    pthread_setname_np(pthread_self(), "vmdns-forward");
    f.run();
    f.tick.close();
  });
  return true;
}

void Forwarder::stop() {
  std::lock_guard lock(impl_->lifecycle);
  Impl& f = *impl_;
  if (!f.thread.joinable()) {
    return;
  }
  f.running.store(false, std::memory_order_release);
  uint64_t one = 1;
  while (write(f.stop_fd.get(), &one, sizeof(one)) < 0 && errno == EINTR) {
  }
  f.thread.join();
  // Sockets to upstreams close with their slots. Submissions still queued are dropped, so that
  // a later start() never answers through routes of a server that has gone.
  f.slots.clear();
  f.oldest = f.newest = -1;
  std::lock_guard rings_lock(f.rings_mutex);
  Submission dropped;
  for (const auto& ring : f.rings) {
    while (ring->items.pop(&dropped)) {
    }
  }
}

// --- the forwarder thread --------------------------------------------------------------------

void Forwarder::Impl::run() {
  epoll_event events[kMaxEvents];
  for (;;) {
    int ready = epoll_wait(epoll.get(), events, kMaxEvents, next_timeout_ms(now()));
    if (ready < 0) {
      if (errno == EINTR) {
        continue;
      }
      spdlog::critical("forward: epoll_wait: {}", net::errno_text(errno));
      std::abort();
    }
    // A tick is taken before the clock is read, so that the time a test set before
    // Forwarder::tick() is the time this round expires by.
    uint64_t ticket = 0;
    for (int i = 0; i < ready; ++i) {
      if (events[i].data.u64 == kTickTag) {
        ticket = tick.take();
      }
    }
    Clock::time_point now = this->now();
    bool wake = false;
    for (int i = 0; i < ready; ++i) {
      uint64_t tag = events[i].data.u64;
      if (tag == kStopTag) {
        return;
      }
      if (tag == kWakeTag) {
        wake = true;
        continue;
      }
      if (tag == kTickTag) {
        continue;
      }
      int index = static_cast<int>(tag & 0xffffffff);
      uint32_t generation = static_cast<uint32_t>(tag >> 32);
      // An event from an attempt that has since ended (in this same batch) is stale.
      if (index < static_cast<int>(slots.size()) && slots[index].used &&
          slots[index].generation == generation) {
        on_event(index, events[i].events, now);
      }
    }
    if (wake) {
      uint64_t drained = 0;
      while (read(wake_fd.get(), &drained, sizeof(drained)) < 0 && errno == EINTR) {
      }
      drain_submissions(now);
    }
    // Timeouts: the next upstream, or SERVFAIL.
    while (oldest >= 0 && slots[oldest].deadline <= now) {
      int index = oldest;
      spdlog::debug("forward: {} timed out after {} ms", upstream_of(slots[index]).to_string(),
                    options.timeout.count());
      next_upstream(index, now, true);
    }
    tick.served(ticket);
  }
}

void Forwarder::Impl::drain_submissions(Clock::time_point now) {
  std::lock_guard lock(rings_mutex);
  Submission submission;
  for (const auto& ring : rings) {
    while (ring->items.pop(&submission)) {
      take(submission, ring, now);
    }
  }
}

void Forwarder::Impl::take(const Submission& submission, const std::shared_ptr<Client::Ring>& ring,
                          Clock::time_point now) {
  const ClientQuery& client = submission.query;
  // Loop protection: a query that carries our marker option, or the ID and question of one we
  // sent upstream and have not had an answer to, is our own query come back (we are, directly
  // or through other forwarders, our own upstream).
  int sent = by_id[client.id];
  bool ours = client.loop_marker == loop_marker ||
              (sent >= 0 && slots[sent].client.question.name == client.question.name &&
               slots[sent].client.question.type == client.question.type &&
               slots[sent].client.question.qclass == client.question.qclass);
  if (ours) {
    spdlog::warn("forward: {} came back to us: a forwarding loop; answering SERVFAIL",
                 client.question.name.to_text());
    size_t length = servfail_reply(client, out_span());
    reply_to(client, submission.route, submission.received, {out.get(), length},
             metrics::Responder::Forward, now);
    in_flight.fetch_sub(1, std::memory_order_acq_rel);
    return;
  }
  // Queries the worker could not answer from its shard itself (a server-side search rewrite,
  // an ExternalName's target) are looked up here, in the same shard.
  std::string key = Cache::key_of(client);
  size_t cached_length = 0;
  {
    CacheShard& shard = ring->cache;
    std::lock_guard lock(shard.mutex);
    if (options.cache_entries > 0) {
      shard.counters.requests.add();
    }
    if (auto hit = shard.cache.find(key, now)) {
      cached_length = client_reply(hit->response, client, hit->age_seconds);
      (is_denial_reply({out.get(), cached_length}) ? shard.counters.hits_denial
                                                   : shard.counters.hits_success)
          .add();
    } else if (options.cache_entries > 0) {
      shard.counters.misses.add();
    }
    shard.counters.entries.set(static_cast<int64_t>(shard.cache.size()));
  }
  if (cached_length != 0) {
    reply_to(client, submission.route, submission.received, {out.get(), cached_length},
             metrics::Responder::Cache, now);
    in_flight.fetch_sub(1, std::memory_order_acq_rel);
    return;
  }
  // in_flight never exceeds the number of slots, so one is free.
  int index = free_slots.back();
  free_slots.pop_back();
  Slot& slot = slots[index];
  slot.used = true;
  slot.client = client;
  slot.route = submission.route;
  slot.received = submission.received;
  slot.cache_key = std::move(key);
  // The question asked upstream (an alias's target, autopath's next name) picks the upstreams;
  // the workers submit only names that have some (Client::forwards), and none left is SERVFAIL.
  slot.upstreams = zones.route(client.question.name);
  slot.upstream = 0;
  slot.give_up = now + options.deadline;
  slot.round_timed_out = false;
  do {
    slot.id = random_id();
  } while (by_id[slot.id] >= 0);
  by_id[slot.id] = index;
  slot.query_length =
      build_upstream_query(client, slot.id, loop_marker, {slot.query, sizeof(slot.query)});
  if (slot.query_length == 0) {
    fail(index);
    return;
  }
  start_attempt(index, false, now);
}

void Forwarder::Impl::finish(int index, std::span<uint8_t> response, Clock::time_point now) {
  Slot& slot = slots[index];
  UpstreamCounters& upstream = counters_of(slot);
  upstream.responses[response.size() > 3 ? dns::rcode_low(response) : 0].add();
  upstream.duration.observe(static_cast<uint64_t>(
      std::chrono::duration_cast<std::chrono::nanoseconds>(now - slot.attempt_started).count()));
  auto ttl = options.cache_entries > 0 ? cache_ttl(response, options.cache_ttls) : std::nullopt;
  // As CoreDNS's cache does: every record gets the TTL the answer is cached for, in this reply
  // and, counting down, in every reply from the cache, so that no client keeps it longer than
  // the caps allow (and none sees 1799 from upstream, then 8 from the cache).
  if (ttl && set_ttls(response, *ttl)) {
    // Into every worker's shard: a client's next query may reach any worker (SO_REUSEPORT
    // spreads them by source port), and each looks up only its own shard.
    std::lock_guard rings_lock(rings_mutex);
    for (const auto& ring : rings) {
      CacheShard& shard = ring->cache;
      std::lock_guard lock(shard.mutex);
      shard.cache.insert(slot.cache_key, response, *ttl, now);
      shard.counters.entries.set(static_cast<int64_t>(shard.cache.size()));
    }
  }
  size_t length = client_reply(response, slot.client, 0);
  reply_to(slot.client, slot.route, slot.received, {out.get(), length}, metrics::Responder::Forward,
           now);
  release(index);
}

void Forwarder::Impl::fail(int index) {
  Slot& slot = slots[index];
  spdlog::debug("forward: no upstream answered {}", slot.client.question.name.to_text());
  // Server-side search gives up as CoreDNS's autopath does: the client gets the NXDOMAIN it
  // asked for and walks its search list itself.
  size_t length = slot.client.rewrite == ClientQuery::Rewrite::Autopath
                      ? local_reply(slot.client)
                      : servfail_reply(slot.client, out_span());
  reply_to(slot.client, slot.route, slot.received, {out.get(), length}, metrics::Responder::Forward,
           now());
  release(index);
}

size_t Forwarder::Impl::client_reply(std::span<const uint8_t> response, const ClientQuery& client,
                                     uint32_t elapsed) {
  size_t length = 0;
  int rcode = response.size() >= dns::kHeaderSize ? response[3] & 0xF : -1;
  switch (client.rewrite) {
    case ClientQuery::Rewrite::None:
      length = rewrite_reply(response, client, elapsed, out_span());
      break;
    case ClientQuery::Rewrite::Autopath:
      if (rcode == static_cast<int>(dns::Rcode::NoError)) {
        length = rewrite_reply(response, client, elapsed, out_span());
      }
      if (length == 0) {
        return local_reply(client);
      }
      break;
    case ClientQuery::Rewrite::ShortName:
      if (rcode == static_cast<int>(dns::Rcode::NxDomain)) {
        return local_reply(client);
      }
      length = rewrite_reply(response, client, elapsed, out_span());
      break;
  }
  return length != 0 ? length : servfail_reply(client, out_span());
}

size_t Forwarder::Impl::local_reply(const ClientQuery& client) {
  const dns::Name& asked = client.alias ? client.alias->client_name : client.question.name;
  // A header, a question of at most 259 octets and an OPT: the response in `in` may still be
  // in use, so the query gets its own buffer.
  std::array<uint8_t, 512> query;
  size_t query_length = build_client_query(client, asked, query);
  size_t length = 0;
  if (query_length != 0 && options.local_answer) {
    length = options.local_answer({query.data(), query_length}, client, out_span());
  }
  return length != 0 ? length : servfail_reply(client, out_span());
}

void Forwarder::Impl::reply_to(const ClientQuery& client, const net::ReplyRoute& route,
                               Clock::time_point received, std::span<const uint8_t> reply,
                               metrics::Responder responder, Clock::time_point now) {
  if (options.reply_counters != nullptr && reply.size() > 3) {
    auto elapsed = std::chrono::duration_cast<std::chrono::nanoseconds>(now - received).count();
    options.reply_counters->count_response(
        responder, dns::rcode_low(reply), static_cast<uint16_t>(client.question.type),
        elapsed > 0 ? static_cast<uint64_t>(elapsed) : 0,
        client.transport == net::Transport::Tcp ? metrics::Proto::Tcp : metrics::Proto::Udp,
        reply.size());
  }
  net::send_reply(route, reply);
}

void Forwarder::Impl::release(int index) {
  Slot& slot = slots[index];
  unlink(index);
  slot.fd.reset();  // closing also takes it out of epoll
  if (by_id[slot.id] == index) {
    by_id[slot.id] = -1;
  }
  ++slot.generation;
  slot.used = false;
  slot.tcp_buffer.clear();
  free_slots.push_back(index);
  in_flight.fetch_sub(1, std::memory_order_acq_rel);
}

}  // namespace vmdns::forward
