#include "notify/notifier.h"

#include <poll.h>
#include <spdlog/spdlog.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <ctime>

#include "dns/message_view.h"
#include "dns/types.h"
#include "dns/writer.h"
#include "tsig/signer.h"
#include "tsig/verifier.h"
#include "xfr/serial.h"

namespace vmdns::notify {
namespace {

uint64_t wall_seconds() {
  return static_cast<uint64_t>(std::time(nullptr));
}

bool same_address(const sockaddr_storage& from, const net::ListenAddress& peer) {
  net::ListenAddress a;
  a.storage = from;
  a.length = from.ss_family == AF_INET6 ? sizeof(sockaddr_in6) : sizeof(sockaddr_in);
  return a.to_string() == peer.to_string();
}

void wake(const net::UniqueFd& fd) {
  uint64_t one = 1;
  if (fd.valid()) {
    (void)!::write(fd.get(), &one, sizeof(one));
  }
}

}  // namespace

Notifier::Notifier(std::vector<Peer> peers, ScheduleOptions options)
    : peers_(std::move(peers)),
      counters_(std::make_unique<NotifyCounters[]>(peers_.size())),
      schedule_(peers_.size(), options) {
  for (const Peer& peer : peers_) {
    net::UniqueFd& fd = peer.address.family() == AF_INET6 ? socket6_ : socket4_;
    if (!fd.valid()) {
      fd = net::UniqueFd(
          ::socket(peer.address.family(), SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
      if (!fd.valid()) {
        error_ = "cannot open a UDP socket for NOTIFY: " + net::errno_text(errno);
        return;
      }
    }
  }
  wake_ = net::UniqueFd(::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC));
  if (!wake_.valid()) {
    error_ = "cannot make an eventfd for NOTIFY: " + net::errno_text(errno);
    return;
  }
  thread_ = std::thread([this] { run(); });
}

Notifier::~Notifier() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake(wake_);
  if (thread_.joinable()) {
    thread_.join();
  }
}

void Notifier::publish(const zone::Snapshot& snapshot) {
  std::vector<Pending> pending;
  for (const zone::Zone& z : snapshot.zones()) {
    std::span<const uint8_t> rdata = z.soa().first();
    std::vector<uint8_t> soa(rdata.begin(), rdata.end());
    std::optional<uint32_t> serial = xfr::soa_serial(soa);
    if (!serial) {
      continue;
    }
    auto [it, added] = published_.try_emplace(std::string(z.apex_wire()), *serial);
    if (!added && it->second == *serial) {
      continue;  // this zone did not change
    }
    it->second = *serial;
    pending.push_back({z.apex().lowercased(), *serial, z.soa().ttl(), std::move(soa)});
  }
  if (pending.empty()) {
    return;
  }
  {
    std::lock_guard lock(mutex_);
    for (Pending& p : pending) {
      inbox_.push_back(std::move(p));
    }
  }
  wake(wake_);
}

void Notifier::run() {
  while (true) {
    std::vector<Pending> arrived;
    {
      std::lock_guard lock(mutex_);
      if (stopping_) {
        return;
      }
      arrived.swap(inbox_);
    }
    Clock::time_point now = Clock::now();
    for (Pending& p : arrived) {
      size_t zone = schedule_.serial(p.zone, p.serial);
      if (zone >= latest_.size()) {
        latest_.resize(zone + 1);
      }
      latest_[zone] = std::move(p);
    }
    in_flight_.resize(schedule_.zones().size() * peers_.size());
    for (const NotifySend& s : schedule_.due(now)) {
      if (s.kind == NotifySend::Kind::Failed) {
        counters_[s.target].failed.fetch_add(1, std::memory_order_relaxed);
        spdlog::warn("NOTIFY {} serial {} to {}: no answer after {} tries, given up",
                     schedule_.zones()[s.zone].to_text(), s.serial,
                     peers_[s.target].address.to_string(), s.attempt);
      } else {
        send(s);
      }
    }
    int timeout = -1;
    if (std::optional<Clock::time_point> next = schedule_.next_deadline()) {
      auto wait = std::chrono::ceil<std::chrono::milliseconds>(*next - Clock::now()).count();
      timeout = static_cast<int>(std::clamp<int64_t>(wait, 0, 60000));
    }
    std::array<pollfd, 3> fds{{{wake_.get(), POLLIN, 0},
                               {socket4_.valid() ? socket4_.get() : -1, POLLIN, 0},
                               {socket6_.valid() ? socket6_.get() : -1, POLLIN, 0}}};
    if (::poll(fds.data(), fds.size(), timeout) < 0) {
      continue;  // EINTR
    }
    if (fds[0].revents & POLLIN) {
      uint64_t count;
      (void)!::read(wake_.get(), &count, sizeof(count));
    }
    for (size_t i = 1; i < fds.size(); ++i) {
      if (fds[i].revents & POLLIN) {
        receive(fds[i].fd, Clock::now());
      }
    }
  }
}

void Notifier::send(const NotifySend& s) {
  const Peer& peer = peers_[s.target];
  const dns::Name& zone = schedule_.zones()[s.zone];
  std::array<uint8_t, 2048> buffer;
  dns::MessageWriter w(buffer, buffer.size());
  w.header().id = s.id;
  w.header().set_opcode(dns::Opcode::Notify);
  w.header().set(dns::Header::kAa, true);  // RFC 1996 section 3.7
  std::optional<tsig::Signer> signer;
  if (peer.key) {
    signer.emplace(*peer.key);
    w.reserve_tail(signer->space());
  }
  w.write_question(zone, dns::RrType::SOA, 1);
  // The new SOA in the answer section (RFC 1996 section 3.7): a hint that spares the secondary
  // an SOA query when it already has that serial. Only when it is the serial this try tells of.
  const Pending& latest = latest_[s.zone];
  if (latest.serial == s.serial && !latest.soa.empty()) {
    w.write_rr(dns::Section::Answer, zone, dns::RrType::SOA, 1, latest.ttl, latest.soa);
  }
  size_t length = signer ? signer->sign(w, buffer, wall_seconds()) : w.finish();
  InFlight& flight = in_flight_[s.zone * peers_.size() + s.target];
  if (flight.id != s.id || s.kind != NotifySend::Kind::Retry) {
    flight.request_macs.clear();  // a new exchange: answers to the old one's tries are late
  }
  flight.id = s.id;
  // Tries signed in the same second carry the same MAC: kept once.
  if (signer && (flight.request_macs.empty() ||
                 !std::ranges::equal(flight.request_macs.back(), signer->mac()))) {
    if (flight.request_macs.size() == kTriesVerified) {
      flight.request_macs.erase(flight.request_macs.begin());
    }
    flight.request_macs.emplace_back(signer->mac().begin(), signer->mac().end());
  }
  if (length == 0) {
    spdlog::warn("NOTIFY {} to {}: cannot sign the message", zone.to_text(),
                 peer.address.to_string());
    return;
  }
  int fd = peer.address.family() == AF_INET6 ? socket6_.get() : socket4_.get();
  ssize_t sent =
      ::sendto(fd, buffer.data(), length, 0,
               reinterpret_cast<const sockaddr*>(&peer.address.storage), peer.address.length);
  NotifyCounters& counters = counters_[s.target];
  counters.sent.fetch_add(1, std::memory_order_relaxed);
  if (s.kind == NotifySend::Kind::Retry) {
    counters.retried.fetch_add(1, std::memory_order_relaxed);
  }
  if (sent < 0) {
    spdlog::debug("NOTIFY {} to {}: {}", zone.to_text(), peer.address.to_string(),
                  net::errno_text(errno));
  } else {
    spdlog::debug("NOTIFY {} serial {} to {} (try {})", zone.to_text(), s.serial,
                  peer.address.to_string(), s.attempt);
  }
}

void Notifier::receive(int fd, Clock::time_point now) {
  std::array<uint8_t, 4096> buffer;
  while (true) {
    sockaddr_storage from{};
    socklen_t from_length = sizeof(from);
    ssize_t n = ::recvfrom(fd, buffer.data(), buffer.size(), 0, reinterpret_cast<sockaddr*>(&from),
                           &from_length);
    if (n < 0) {
      return;  // EAGAIN: all read
    }
    std::span<const uint8_t> message(buffer.data(), static_cast<size_t>(n));
    dns::MessageView view(message);
    if (!view.has_question() || !view.header().qr() ||
        view.header().opcode() != dns::Opcode::Notify) {
      continue;
    }
    const dns::Name zone = view.question().name.lowercased();
    auto zone_it = std::find(schedule_.zones().begin(), schedule_.zones().end(), zone);
    if (zone_it == schedule_.zones().end()) {
      continue;
    }
    size_t z = static_cast<size_t>(zone_it - schedule_.zones().begin());
    for (size_t t = 0; t < peers_.size(); ++t) {
      if (!same_address(from, peers_[t].address)) {
        continue;
      }
      const InFlight& flight = in_flight_[z * peers_.size() + t];
      uint32_t serial = schedule_.in_flight_serial(z, t);
      if (flight.id != view.header().id || serial == 0) {
        continue;  // not the exchange in flight (a late answer to an earlier one, or forged)
      }
      if (peers_[t].key) {
        // The answer to any of the last tries, newest first; the newest's verdict otherwise.
        tsig::Status status = tsig::Status::BadSig;
        for (auto mac = flight.request_macs.rbegin(); mac != flight.request_macs.rend(); ++mac) {
          tsig::Status tried = tsig::ResponseVerifier(*peers_[t].key, *mac)
                                   .verify(message, wall_seconds());
          if (mac == flight.request_macs.rbegin() || tried == tsig::Status::Ok) {
            status = tried;
          }
          if (status == tsig::Status::Ok) {
            break;
          }
        }
        if (status != tsig::Status::Ok) {
          // An answer we cannot trust ends nothing: the retries go on.
          spdlog::warn("NOTIFY {} to {}: the answer's TSIG: {}", zone.to_text(),
                       peers_[t].address.to_string(), tsig::status_text(status));
          continue;
        }
      }
      if (!schedule_.answered(t, view.header().id, zone, now)) {
        continue;
      }
      if (view.rcode() == 0) {
        counters_[t].acknowledged.fetch_add(1, std::memory_order_relaxed);
        spdlog::debug("NOTIFY {} serial {} to {}: acknowledged", zone.to_text(), serial,
                      peers_[t].address.to_string());
      } else {
        counters_[t].failed.fetch_add(1, std::memory_order_relaxed);
        spdlog::warn("NOTIFY {} serial {} to {}: answered {}", zone.to_text(), serial,
                     peers_[t].address.to_string(),
                     dns::rcode_name(static_cast<dns::Rcode>(view.rcode())));
      }
    }
  }
}

void Notifier::write_metrics(metrics::Exposition& out) const {
  out.family("vmdns_notifies_total", "counter",
             "NOTIFY (RFC 1996) to each --notify target by result: sent (every message), "
             "retried (sends after an exchange's first), acknowledged (answered NOERROR), "
             "failed (given up unanswered, or answered with an error).");
  for (size_t i = 0; i < peers_.size(); ++i) {
    std::string target = peers_[i].address.to_string();
    const NotifyCounters& c = counters_[i];
    auto sample = [&](const char* result, const std::atomic<uint64_t>& value) {
      out.sample("vmdns_notifies_total", metrics::Labels{{"target", target}, {"result", result}},
                 value.load(std::memory_order_relaxed));
    };
    sample("sent", c.sent);
    sample("retried", c.retried);
    sample("acknowledged", c.acknowledged);
    sample("failed", c.failed);
  }
}

}  // namespace vmdns::notify
