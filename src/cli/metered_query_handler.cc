#include "cli/metered_query_handler.h"

#include <fmt/format.h>
#include <netinet/in.h>
#include <spdlog/spdlog.h>

#include "dns/message_view.h"
#include "server/listen_address.h"

namespace vmdns::cli {
namespace {

constexpr size_t kHeaderSize = 12;

metrics::Responder responder_of(uint8_t rcode) {
  // FORMERR, NOTIMP and REFUSED (outside our zones, zone transfers) come from the server's own
  // checks, not from our data: CoreDNS leaves the plugin label empty for those.
  switch (rcode) {
    case 1:  // FORMERR
    case 4:  // NOTIMP
    case 5:  // REFUSED
      return metrics::Responder::None;
    default:
      return metrics::Responder::Kubernetes;
  }
}

}  // namespace

uint16_t question_type(std::span<const uint8_t> query) {
  if (query.size() < kHeaderSize || ((query[4] << 8) | query[5]) == 0) {
    return 0;
  }
  size_t at = kHeaderSize;
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

size_t MeteredQueryHandler::handle_deferrable(std::span<const uint8_t> query,
                                              std::span<uint8_t> out,
                                              const server::ReplyRoute& route) {
  auto started = std::chrono::steady_clock::now();
  uint16_t qtype = question_type(query);
  metrics::Proto proto =
      route.transport == server::Transport::Tcp ? metrics::Proto::Tcp : metrics::Proto::Udp;
  metrics::Family family =
      route.peer.ss_family == AF_INET6 ? metrics::Family::Ipv6 : metrics::Family::Ipv4;
  counters_.count_request(proto, family, qtype, query.size());

  size_t length = inner_->handle_deferrable(query, out, route);
  auto elapsed = std::chrono::steady_clock::now() - started;
  if (length != kDeferred && length > 3) {
    uint8_t rcode = out[3] & 0x0f;
    counters_.count_response(
        responder_of(rcode), rcode, qtype,
        static_cast<uint64_t>(
            std::chrono::duration_cast<std::chrono::nanoseconds>(elapsed).count()),
        proto, length);
  }
  if (log_queries_ != nullptr && log_queries_->load(std::memory_order_relaxed)) {
    std::span<const uint8_t> reply;
    if (length != kDeferred) {
      reply = out.first(length);
    }
    log_query(route, query, reply, std::chrono::duration_cast<std::chrono::nanoseconds>(elapsed));
  }
  return length;
}

void log_query(const server::ReplyRoute& route, std::span<const uint8_t> query,
               std::span<const uint8_t> reply, std::chrono::nanoseconds elapsed) {
  dns::ParsedQuery parsed;
  dns::ParseStatus status = dns::parse_query(query, parsed);
  std::string question = "- - - ";
  if (status != dns::ParseStatus::Drop && parsed.has_question) {
    question = fmt::format(
        "{} {} {} ", dns::rr_type_name(parsed.question.type),
        parsed.question.qclass == 1 ? "IN" : fmt::format("CLASS{}", parsed.question.qclass),
        parsed.question.name.to_text());
  }
  std::string peer = "-";
  if (route.peer_length > 0) {
    server::ListenAddress address;
    address.storage = route.peer;
    address.length = route.peer_length;
    peer = address.to_string();
  }
  uint16_t id = query.size() >= 2 ? static_cast<uint16_t>((query[0] << 8) | query[1]) : 0;
  std::string rcode = "-";
  std::string flags = "-";
  if (reply.size() >= kHeaderSize) {
    rcode = metrics::rcode_label(reply[3] & 0x0f);
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
               route.transport == server::Transport::Tcp ? "tcp" : "udp", query.size(),
               parsed.edns.dnssec_ok ? "true" : "false", parsed.edns.udp_size, rcode,
               flags.empty() ? "-" : flags, reply.size(),
               std::chrono::duration<double>(elapsed).count());
}

}  // namespace vmdns::cli
