#include "dispatch/metering.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <string>

#include "dns/header.h"
#include "net/listen_address.h"

namespace vmdns::dispatch {
namespace {

metrics::Responder responder_of(uint8_t rcode) {
  // FORMERR, NOTIMP and REFUSED (outside our zones, zone transfers) come from the server's own
  // checks, not from our data: CoreDNS leaves the plugin label empty for those.
  switch (static_cast<dns::Rcode>(rcode)) {
    case dns::Rcode::FormErr:
    case dns::Rcode::NotImp:
    case dns::Rcode::Refused:
      return metrics::Responder::None;
    default:
      return metrics::Responder::Kubernetes;
  }
}

}  // namespace

void Metering::reply(const Dispatched& d) {
  if (counters_ == nullptr || !d.replied()) {
    return;
  }
  if (pending_count_ == kPending) {
    count(Clock::now());
  }
  pending_[pending_count_++] = {responder_of(d.rcode), d.rcode, d.proto, d.qtype,
                                static_cast<uint32_t>(d.length)};
}

void Metering::end_batch(Clock::time_point now) {
  if (pending_count_ > 0) {
    count(now);
  }
}

void Metering::count(Clock::time_point now) {
  auto elapsed = static_cast<uint64_t>(
      std::chrono::duration_cast<std::chrono::nanoseconds>(now - started_).count());
  for (size_t i = 0; i < pending_count_; ++i) {
    const Pending& p = pending_[i];
    counters_->count_response(p.responder, p.rcode, p.qtype, elapsed, p.proto, p.length);
  }
  pending_count_ = 0;
}

void Metering::log(const net::ReplyRoute& route, dns::ParseStatus status, const dns::ParsedQuery& q,
                   std::span<const uint8_t> query, std::span<const uint8_t> reply) const {
  log_query(route, status, q, query, reply,
            std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now() - started_));
}

uint16_t question_type(std::span<const uint8_t> query) {
  if (query.size() < dns::kHeaderSize || ((query[4] << 8) | query[5]) == 0) {
    return 0;
  }
  size_t at = dns::kHeaderSize;
  while (at < query.size()) {
    uint8_t length = query[at];
    if (length == 0) {
      ++at;
      if (at + 2 > query.size()) {
        return 0;
      }
      return static_cast<uint16_t>((query[at] << 8) | query[at + 1]);
    }
    if (length > 63) {
      return 0;  // a pointer or a reserved label type: not a question we count by type
    }
    at += 1 + size_t{length};
  }
  return 0;
}

void log_query(const net::ReplyRoute& route, dns::ParseStatus status, const dns::ParsedQuery& q,
               std::span<const uint8_t> query, std::span<const uint8_t> reply,
               std::chrono::nanoseconds elapsed) {
  std::string question = "- - - ";
  if (status != dns::ParseStatus::Drop && q.has_question) {
    question =
        fmt::format("{} {} {} ", dns::rr_type_name(q.question.type),
                    q.question.qclass == 1 ? "IN" : fmt::format("CLASS{}", q.question.qclass),
                    q.question.name.to_text());
  }
  std::string peer = "-";
  if (route.peer_length > 0) {
    net::ListenAddress address;
    address.storage = route.peer;
    address.length = route.peer_length;
    peer = address.to_string();
  }
  uint16_t id = query.size() >= 2 ? static_cast<uint16_t>((query[0] << 8) | query[1]) : 0;
  std::string rcode = "-";
  std::string flags = "-";
  if (reply.size() >= dns::kHeaderSize) {
    rcode = metrics::rcode_label(dns::rcode_low(reply));
    flags.clear();
    auto flag = [&flags](bool set, std::string_view name) {
      if (set) {
        flags += (flags.empty() ? "" : ",") + std::string(name);
      }
    };
    flag((reply[2] & 0x80) != 0, "qr");
    flag((reply[2] & 0x04) != 0, "aa");
    flag((reply[2] & 0x02) != 0, "tc");
    flag((reply[2] & 0x01) != 0, "rd");
    flag((reply[3] & 0x80) != 0, "ra");
  }
  spdlog::info("{} - {} \"{}{} {} {} {}\" {} {} {} {:.6f}s", peer, id, question,
               route.transport == net::Transport::Tcp ? "tcp" : "udp", query.size(),
               q.edns.dnssec_ok ? "true" : "false", q.edns.udp_size, rcode,
               flags.empty() ? "-" : flags, reply.size(),
               std::chrono::duration<double>(elapsed).count());
}

}  // namespace vmdns::dispatch
