// One forwarded query's exchange with the upstreams: a UDP attempt per upstream in order (and
// round again after a timeout while the deadline allows), a TCP retry when the answer is
// truncated, the timeout list, and the random IDs.

#include <spdlog/spdlog.h>
#include <sys/epoll.h>
#include <sys/random.h>
#include <sys/socket.h>

#include <cerrno>
#include <climits>
#include <cstring>

#include "forward/forwarder_impl.h"
#include "forward/response.h"

namespace vmdns::forward {

void Forwarder::Impl::start_attempt(int index, bool tcp, Clock::time_point now) {
  Slot& slot = slots[index];
  unlink(index);
  while (slot.upstream < slot.upstreams.size()) {
    const Upstream& upstream = upstream_of(slot);
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
      counters_of(slot).requests.add();
      slot.attempt_started = now;
      slot.deadline = now + options.timeout;
      link(index);
      return;
    }
    spdlog::debug("forward: {} over {}: {}", upstream.to_string(), tcp ? "tcp" : "udp",
                  net::errno_text(errno));
    ++slot.upstream;
    tcp = false;
  }
  fail(index);
}

void Forwarder::Impl::next_upstream(int index, Clock::time_point now, bool timed_out) {
  Slot& slot = slots[index];
  slot.round_timed_out = slot.round_timed_out || timed_out;
  ++slot.upstream;
  // A round that ended with a timeout in it may have lost a datagram: another round, when its
  // first attempt can still end in time. A round of errors alone would only fail again at once.
  if (slot.upstream == slot.upstreams.size() && slot.round_timed_out &&
      now + options.timeout <= slot.give_up) {
    spdlog::debug("forward: {} again: every upstream failed, one by a timeout",
                  slot.client.question.name.to_text());
    slot.upstream = 0;
    slot.round_timed_out = false;
  }
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
      spdlog::debug("forward: {}: {}", upstream_of(slot).to_string(), net::errno_text(errno));
      next_upstream(index, now);
      return;
    }
    std::span<uint8_t> response(in.get(), static_cast<size_t>(received));
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
  std::span<uint8_t> response(slot.tcp_buffer.data() + 2, total - 2);
  if (!answers_query(response, slot.id, slot.client.question)) {
    next_upstream(index, now);
    return;
  }
  finish(index, response, now);
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
        spdlog::critical("forward: getrandom: {}", net::errno_text(errno));
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
