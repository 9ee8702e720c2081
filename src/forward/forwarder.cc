#include "forward/forwarder.h"

#include <pthread.h>
#include <spdlog/spdlog.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <climits>
#include <cstring>
#include <mutex>
#include <thread>

#include "forward/cache.h"
#include "forward/response.h"
#include "forward/spsc_ring.h"
#include "server/socket_util.h"

namespace vmdns::forward {

using server::UniqueFd;
using Clock = std::chrono::steady_clock;

namespace {

constexpr size_t kMaxMessage = 65535;
constexpr int kMaxEvents = 64;
constexpr uint64_t kStopTag = ~uint64_t{0};
constexpr uint64_t kWakeTag = ~uint64_t{0} - 1;

struct Submission {
  ClientQuery query;
  server::ReplyRoute route;
};

}  // namespace

struct Forwarder::Client::Ring {
  explicit Ring(size_t capacity) : items(capacity) {}
  SpscRing<Submission> items;
};

struct Forwarder::Impl {
  // One query on its way to an upstream.
  struct Slot {
    bool used = false;
    uint32_t generation = 0;
    ClientQuery client;
    server::ReplyRoute route;
    std::string cache_key;
    uint16_t id = 0;
    size_t upstream = 0;
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
  Cache cache;
  std::atomic<bool> running{false};
  std::atomic<size_t> in_flight{0};
  UniqueFd wake_fd;
  UniqueFd stop_fd;
  UniqueFd epoll;
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

  explicit Impl(ForwarderOptions o) : options(std::move(o)), cache(options.cache_entries) {}

  void run();
  void drain_submissions(Clock::time_point now);
  void take(const Submission& submission, Clock::time_point now);
  void start_attempt(int index, bool tcp, Clock::time_point now);
  void next_upstream(int index, Clock::time_point now);
  void on_event(int index, uint32_t events, Clock::time_point now);
  void on_udp(int index, Clock::time_point now);
  void on_tcp(int index, uint32_t events, Clock::time_point now);
  void finish(int index, std::span<const uint8_t> response, Clock::time_point now);
  void fail(int index);
  void release(int index);
  void link(int index);
  void unlink(int index);
  int next_timeout_ms(Clock::time_point now) const;
  uint16_t random_id();
  std::span<uint8_t> out_span() { return {out.get(), kMaxMessage}; }
};

// --- Client ----------------------------------------------------------------------------------

Forwarder::Client::Client(Forwarder::Impl* forwarder, std::shared_ptr<Ring> ring)
    : forwarder_(forwarder), ring_(std::move(ring)) {}

Forwarder::Client::~Client() {
  std::lock_guard lock(forwarder_->rings_mutex);
  std::erase(forwarder_->rings, ring_);
}

bool Forwarder::Client::submit(const ClientQuery& query, const server::ReplyRoute& route) {
  Impl* f = forwarder_;
  if (!f->running.load(std::memory_order_acquire)) {
    return false;
  }
  if (f->in_flight.fetch_add(1, std::memory_order_acq_rel) >= f->options.max_in_flight) {
    f->in_flight.fetch_sub(1, std::memory_order_acq_rel);
    return false;
  }
  if (!ring_->items.push(Submission{query, route})) {
    f->in_flight.fetch_sub(1, std::memory_order_acq_rel);
    return false;
  }
  uint64_t one = 1;
  while (write(f->wake_fd.get(), &one, sizeof(one)) < 0 && errno == EINTR) {
  }
  return true;
}

// --- Forwarder -------------------------------------------------------------------------------

Forwarder::Forwarder(ForwarderOptions options)
    : impl_(std::make_unique<Impl>(std::move(options))) {}

Forwarder::~Forwarder() {
  stop();
}

std::unique_ptr<Forwarder::Client> Forwarder::make_client() {
  auto ring = std::make_shared<Client::Ring>(impl_->options.max_in_flight);
  {
    std::lock_guard lock(impl_->rings_mutex);
    impl_->rings.push_back(ring);
  }
  return std::unique_ptr<Client>(new Client(impl_.get(), std::move(ring)));
}

bool Forwarder::start(std::string* error) {
  std::lock_guard lock(impl_->lifecycle);
  Impl& f = *impl_;
  if (f.thread.joinable()) {
    *error = "the forwarder is already running";
    return false;
  }
  if (f.options.upstreams.empty()) {
    *error = "no upstream to forward to";
    return false;
  }
  f.wake_fd.reset(eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC));
  f.stop_fd.reset(eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC));
  f.epoll.reset(epoll_create1(EPOLL_CLOEXEC));
  if (!f.wake_fd.valid() || !f.stop_fd.valid() || !f.epoll.valid()) {
    *error = "eventfd/epoll: " + server::errno_text(errno);
    return false;
  }
  for (auto [fd, tag] : {std::pair{f.stop_fd.get(), kStopTag}, {f.wake_fd.get(), kWakeTag}}) {
    epoll_event event{};
    event.events = EPOLLIN;
    event.data.u64 = tag;
    if (epoll_ctl(f.epoll.get(), EPOLL_CTL_ADD, fd, &event) != 0) {
      *error = "epoll_ctl: " + server::errno_text(errno);
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
  f.running.store(true, std::memory_order_release);
  f.thread = std::thread([&f] {
    pthread_setname_np(pthread_self(), "vmdns-forward");
    f.run();
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
  // Sockets to upstreams close with their slots.
  f.slots.clear();
  f.oldest = f.newest = -1;
}

// --- the forwarder thread --------------------------------------------------------------------

void Forwarder::Impl::run() {
  epoll_event events[kMaxEvents];
  for (;;) {
    int ready = epoll_wait(epoll.get(), events, kMaxEvents, next_timeout_ms(Clock::now()));
    if (ready < 0) {
      if (errno == EINTR) {
        continue;
      }
      spdlog::critical("forward: epoll_wait: {}", server::errno_text(errno));
      std::abort();
    }
    Clock::time_point now = Clock::now();
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
      spdlog::debug("forward: {} timed out after {} ms",
                    options.upstreams[slots[index].upstream].to_string(),
                    options.timeout.count());
      next_upstream(index, now);
    }
  }
}

void Forwarder::Impl::drain_submissions(Clock::time_point now) {
  std::lock_guard lock(rings_mutex);
  Submission submission;
  for (const auto& ring : rings) {
    while (ring->items.pop(&submission)) {
      take(submission, now);
    }
  }
}

void Forwarder::Impl::take(const Submission& submission, Clock::time_point now) {
  const ClientQuery& client = submission.query;
  // Loop protection: a query with the ID and question of one we sent upstream and have not had
  // an answer to is our own query come back (we are, directly or not, our own upstream).
  int sent = by_id[client.id];
  if (sent >= 0 && slots[sent].client.question.name == client.question.name &&
      slots[sent].client.question.type == client.question.type &&
      slots[sent].client.question.qclass == client.question.qclass) {
    spdlog::warn("forward: {} came back to us: a forwarding loop; answering SERVFAIL",
                 client.question.name.to_text());
    size_t length = servfail_reply(client, out_span());
    server::send_reply(submission.route, {out.get(), length});
    in_flight.fetch_sub(1, std::memory_order_acq_rel);
    return;
  }
  std::string key = Cache::key_of(client);
  if (auto hit = cache.find(key, now)) {
    size_t length = rewrite_reply(hit->response, client, hit->age_seconds, out_span());
    if (length == 0) {
      length = servfail_reply(client, out_span());
    }
    server::send_reply(submission.route, {out.get(), length});
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
  slot.cache_key = std::move(key);
  slot.upstream = 0;
  do {
    slot.id = random_id();
  } while (by_id[slot.id] >= 0);
  by_id[slot.id] = index;
  slot.query_length = build_upstream_query(client, slot.id, {slot.query, sizeof(slot.query)});
  if (slot.query_length == 0) {
    fail(index);
    return;
  }
  start_attempt(index, false, now);
}

void Forwarder::Impl::start_attempt(int index, bool tcp, Clock::time_point now) {
  Slot& slot = slots[index];
  unlink(index);
  while (slot.upstream < options.upstreams.size()) {
    const Upstream& upstream = options.upstreams[slot.upstream];
    ++slot.generation;
    slot.tcp = tcp;
    slot.fd.reset(socket(upstream.family(),
                         (tcp ? SOCK_STREAM : SOCK_DGRAM) | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
    bool ok = slot.fd.valid();
    // connect() on UDP fixes the peer (so only its datagrams are received) and picks a random
    // ephemeral source port; on TCP it starts the handshake.
    if (ok && connect(slot.fd.get(), reinterpret_cast<const sockaddr*>(&upstream.storage),
                      upstream.length) != 0) {
      ok = tcp && errno == EINPROGRESS;
    }
    if (ok && !tcp) {
      ok = send(slot.fd.get(), slot.query, slot.query_length, MSG_NOSIGNAL) ==
           static_cast<ssize_t>(slot.query_length);
    }
    if (ok && tcp) {
      slot.tcp_buffer.resize(2 + slot.query_length);
      slot.tcp_buffer[0] = static_cast<uint8_t>(slot.query_length >> 8);
      slot.tcp_buffer[1] = static_cast<uint8_t>(slot.query_length & 0xff);
      std::memcpy(slot.tcp_buffer.data() + 2, slot.query, slot.query_length);
      slot.tcp_done = 0;
      slot.tcp_sending = true;
    }
    if (ok) {
      epoll_event event{};
      event.events = tcp ? EPOLLOUT : EPOLLIN;
      event.data.u64 = (uint64_t{slot.generation} << 32) | static_cast<uint32_t>(index);
      ok = epoll_ctl(epoll.get(), EPOLL_CTL_ADD, slot.fd.get(), &event) == 0;
    }
    if (ok) {
      slot.deadline = now + options.timeout;
      link(index);
      return;
    }
    spdlog::debug("forward: {} over {}: {}", upstream.to_string(), tcp ? "tcp" : "udp",
                  server::errno_text(errno));
    ++slot.upstream;
    tcp = false;
  }
  fail(index);
}

void Forwarder::Impl::next_upstream(int index, Clock::time_point now) {
  ++slots[index].upstream;
  start_attempt(index, false, now);
}

void Forwarder::Impl::on_event(int index, uint32_t events, Clock::time_point now) {
  if (slots[index].tcp) {
    on_tcp(index, events, now);
  } else {
    on_udp(index, now);
  }
}

void Forwarder::Impl::on_udp(int index, Clock::time_point now) {
  Slot& slot = slots[index];
  for (;;) {
    ssize_t received = recv(slot.fd.get(), in.get(), kMaxMessage, 0);
    if (received < 0) {
      if (errno == EINTR) {
        continue;
      }
      if (errno == EAGAIN || errno == EWOULDBLOCK) {
        return;
      }
      // ECONNREFUSED: an ICMP port unreachable, nothing listens there.
      spdlog::debug("forward: {}: {}", options.upstreams[slot.upstream].to_string(),
                    server::errno_text(errno));
      next_upstream(index, now);
      return;
    }
    std::span<const uint8_t> response(in.get(), static_cast<size_t>(received));
    if (!answers_query(response, slot.id, slot.client.question)) {
      continue;  // not the answer to our question: ignored, we keep waiting
    }
    if (is_truncated(response)) {
      start_attempt(index, true, now);  // RFC 7766 section 5: retry over TCP
      return;
    }
    finish(index, response, now);
    return;
  }
}

void Forwarder::Impl::on_tcp(int index, uint32_t events, Clock::time_point now) {
  Slot& slot = slots[index];
  if (slot.tcp_sending) {
    int error = 0;
    socklen_t length = sizeof(error);
    if ((events & (EPOLLERR | EPOLLHUP)) != 0 ||
        getsockopt(slot.fd.get(), SOL_SOCKET, SO_ERROR, &error, &length) != 0 || error != 0) {
      next_upstream(index, now);
      return;
    }
    ssize_t sent = send(slot.fd.get(), slot.tcp_buffer.data() + slot.tcp_done,
                        slot.tcp_buffer.size() - slot.tcp_done, MSG_NOSIGNAL);
    if (sent < 0) {
      if (errno != EAGAIN && errno != EINTR) {
        next_upstream(index, now);
      }
      return;
    }
    slot.tcp_done += static_cast<size_t>(sent);
    if (slot.tcp_done < slot.tcp_buffer.size()) {
      return;
    }
    slot.tcp_sending = false;
    slot.tcp_done = 0;
    slot.tcp_buffer.resize(2 + kMaxMessage);
    epoll_event event{};
    event.events = EPOLLIN;
    event.data.u64 = (uint64_t{slot.generation} << 32) | static_cast<uint32_t>(index);
    if (epoll_ctl(epoll.get(), EPOLL_CTL_MOD, slot.fd.get(), &event) != 0) {
      next_upstream(index, now);
    }
    return;
  }
  size_t wanted = slot.tcp_done < 2 ? 2
                                    : 2 + ((size_t{slot.tcp_buffer[0]} << 8) | slot.tcp_buffer[1]);
  ssize_t received = recv(slot.fd.get(), slot.tcp_buffer.data() + slot.tcp_done,
                          wanted - slot.tcp_done, 0);
  if (received < 0 && (errno == EAGAIN || errno == EINTR)) {
    return;
  }
  if (received <= 0) {
    next_upstream(index, now);  // reset, or closed before the whole response
    return;
  }
  slot.tcp_done += static_cast<size_t>(received);
  if (slot.tcp_done < 2) {
    return;
  }
  size_t total = 2 + ((size_t{slot.tcp_buffer[0]} << 8) | slot.tcp_buffer[1]);
  if (slot.tcp_done < total) {
    return;
  }
  std::span<const uint8_t> response(slot.tcp_buffer.data() + 2, total - 2);
  if (!answers_query(response, slot.id, slot.client.question)) {
    next_upstream(index, now);
    return;
  }
  finish(index, response, now);
}

void Forwarder::Impl::finish(int index, std::span<const uint8_t> response, Clock::time_point now) {
  Slot& slot = slots[index];
  if (auto ttl = cache_ttl(response)) {
    cache.insert(slot.cache_key, response, *ttl, now);
  }
  size_t length = rewrite_reply(response, slot.client, 0, out_span());
  if (length == 0) {
    length = servfail_reply(slot.client, out_span());
  }
  server::send_reply(slot.route, {out.get(), length});
  release(index);
}

void Forwarder::Impl::fail(int index) {
  Slot& slot = slots[index];
  spdlog::debug("forward: no upstream answered {}", slot.client.question.name.to_text());
  size_t length = servfail_reply(slot.client, out_span());
  server::send_reply(slot.route, {out.get(), length});
  release(index);
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

void Forwarder::Impl::link(int index) {
  Slot& slot = slots[index];
  slot.older = newest;
  slot.newer = -1;
  if (newest >= 0) {
    slots[newest].newer = index;
  } else {
    oldest = index;
  }
  newest = index;
}

void Forwarder::Impl::unlink(int index) {
  Slot& slot = slots[index];
  bool linked = slot.older >= 0 || slot.newer >= 0 || oldest == index;
  if (!linked) {
    return;
  }
  if (slot.older >= 0) {
    slots[slot.older].newer = slot.newer;
  } else {
    oldest = slot.newer;
  }
  if (slot.newer >= 0) {
    slots[slot.newer].older = slot.older;
  } else {
    newest = slot.older;
  }
  slot.older = slot.newer = -1;
}

int Forwarder::Impl::next_timeout_ms(Clock::time_point now) const {
  if (oldest < 0) {
    return -1;
  }
  Clock::time_point deadline = slots[oldest].deadline;
  if (deadline <= now) {
    return 0;
  }
  auto wait = std::chrono::ceil<std::chrono::milliseconds>(deadline - now).count();
  return wait > INT_MAX ? INT_MAX : static_cast<int>(wait);
}

// IDs from the kernel's CSPRNG (getrandom), fetched 256 octets at a time: with the random
// source port of each new socket, about 32 bits an off-path attacker must guess (RFC 5452).
uint16_t Forwarder::Impl::random_id() {
  if (random_used + 2 > sizeof(random)) {
    size_t filled = 0;
    while (filled < sizeof(random)) {
      ssize_t n = getrandom(random + filled, sizeof(random) - filled, 0);
      if (n < 0 && errno == EINTR) {
        continue;
      }
      if (n < 0) {
        spdlog::critical("forward: getrandom: {}", server::errno_text(errno));
        std::abort();
      }
      filled += static_cast<size_t>(n);
    }
    random_used = 0;
  }
  uint16_t id = static_cast<uint16_t>((random[random_used] << 8) | random[random_used + 1]);
  random_used += 2;
  return id;
}

}  // namespace vmdns::forward
