#include "resolvconf/stub_client.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <charconv>
#include <cstring>
#include <random>

#include "dns/edns.h"
#include "dns/header.h"
#include "dns/message_view.h"
#include "dns/rdata.h"
#include "dns/rdata_names.h"
#include "dns/writer.h"

namespace vmdns::resolvconf {
namespace {


class Socket {
 public:
  explicit Socket(int fd) : fd_(fd) {}
  ~Socket() {
    if (fd_ >= 0) {
      close(fd_);
    }
  }
  Socket(const Socket&) = delete;
  Socket& operator=(const Socket&) = delete;
  int fd() const { return fd_; }

 private:
  int fd_;
};

bool wait_readable(int fd, std::chrono::steady_clock::time_point deadline) {
  auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
      deadline - std::chrono::steady_clock::now());
  if (left.count() <= 0) {
    return false;
  }
  pollfd p{fd, POLLIN, 0};
  return poll(&p, 1, static_cast<int>(left.count())) > 0;
}

std::string errno_text(const char* what) {
  return std::string(what) + ": " + strerror(errno);
}

size_t build_query(std::span<uint8_t> buffer, uint16_t id, const dns::Name& name,
                   dns::RrType type) {
  dns::MessageWriter writer(buffer, buffer.size());
  writer.header().id = id;
  writer.header().set(dns::Header::kRd, true);
  writer.write_question(name, type, static_cast<uint16_t>(dns::RrClass::IN));
  writer.write_opt(dns::kEdnsPayload, 0, 0, false);
  return writer.finish();
}

StubReply query_udp(const ServerAddress& server, std::span<const uint8_t> query, uint16_t id,
                    const dns::Name& name, dns::RrType type, const StubOptions& options,
                    bool* truncated) {
  StubReply reply;
  Socket socket(::socket(server.storage.ss_family, SOCK_DGRAM | SOCK_CLOEXEC, 0));
  if (socket.fd() < 0) {
    reply.error = errno_text("socket");
    return reply;
  }
  if (connect(socket.fd(), reinterpret_cast<const sockaddr*>(&server.storage), server.length) !=
      0) {
    reply.error = errno_text("connect");
    return reply;
  }
  std::array<uint8_t, dns::kMaxMessageSize> buffer;
  for (int attempt = 0; attempt < options.udp_attempts; ++attempt) {
    if (send(socket.fd(), query.data(), query.size(), 0) < 0) {
      reply.error = errno_text("send");
      return reply;
    }
    auto deadline = std::chrono::steady_clock::now() + options.timeout;
    while (wait_readable(socket.fd(), deadline)) {
      ssize_t n = recv(socket.fd(), buffer.data(), buffer.size(), 0);
      if (n < 0) {
        reply.error = errno_text("recv");  // e.g. ECONNREFUSED: nothing listens there
        return reply;
      }
      StubReply parsed =
          parse_reply({buffer.data(), static_cast<size_t>(n)}, id, name, type, truncated);
      if (parsed.ok()) {
        return parsed;
      }
      // A stray or malformed datagram: keep waiting for the real reply.
    }
  }
  reply.error = "timed out";
  return reply;
}

bool read_exactly(int fd, uint8_t* out, size_t size,
                  std::chrono::steady_clock::time_point deadline) {
  size_t done = 0;
  while (done < size) {
    if (!wait_readable(fd, deadline)) {
      return false;
    }
    ssize_t n = recv(fd, out + done, size - done, 0);
    if (n <= 0) {
      return false;
    }
    done += static_cast<size_t>(n);
  }
  return true;
}

StubReply query_tcp(const ServerAddress& server, std::span<const uint8_t> query, uint16_t id,
                    const dns::Name& name, dns::RrType type, const StubOptions& options) {
  StubReply reply;
  reply.over_tcp = true;
  Socket socket(::socket(server.storage.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0));
  if (socket.fd() < 0 || connect(socket.fd(), reinterpret_cast<const sockaddr*>(&server.storage),
                                 server.length) != 0) {
    reply.error = errno_text("tcp connect");
    return reply;
  }
  std::vector<uint8_t> framed{static_cast<uint8_t>(query.size() >> 8),
                              static_cast<uint8_t>(query.size() & 0xFF)};
  framed.insert(framed.end(), query.begin(), query.end());
  if (send(socket.fd(), framed.data(), framed.size(), MSG_NOSIGNAL) !=
      static_cast<ssize_t>(framed.size())) {
    reply.error = errno_text("tcp send");
    return reply;
  }
  auto deadline = std::chrono::steady_clock::now() + options.timeout;
  std::array<uint8_t, 2> length;
  std::vector<uint8_t> buffer;
  if (!read_exactly(socket.fd(), length.data(), 2, deadline)) {
    reply.error = "tcp: no reply";
    return reply;
  }
  buffer.resize(static_cast<size_t>(length[0]) << 8 | length[1]);
  if (!read_exactly(socket.fd(), buffer.data(), buffer.size(), deadline)) {
    reply.error = "tcp: short reply";
    return reply;
  }
  bool truncated = false;
  reply = parse_reply(buffer, id, name, type, &truncated);
  reply.over_tcp = true;
  return reply;
}

}  // namespace

std::optional<ServerAddress> parse_server_address(std::string_view text, uint16_t default_port,
                                                  std::string* error) {
  std::string host(text);
  std::string_view port_text;
  if (!host.empty() && host.front() == '[') {
    size_t close = host.find(']');
    if (close == std::string::npos) {
      *error = "missing ']' in " + std::string(text);
      return std::nullopt;
    }
    if (close + 1 < host.size()) {
      if (host[close + 1] != ':') {
        *error = "expected ':PORT' after ']' in " + std::string(text);
        return std::nullopt;
      }
      port_text = text.substr(close + 2);
    }
    host = host.substr(1, close - 1);
  } else if (std::count(host.begin(), host.end(), ':') == 1) {
    size_t colon = host.find(':');
    port_text = text.substr(colon + 1);
    host.resize(colon);
  }
  uint16_t port = default_port;
  if (!port_text.empty()) {
    auto [end, ec] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
    if (ec != std::errc() || end != port_text.data() + port_text.size()) {
      *error = "bad port in " + std::string(text);
      return std::nullopt;
    }
  }
  ServerAddress out;
  auto* v4 = reinterpret_cast<sockaddr_in*>(&out.storage);
  auto* v6 = reinterpret_cast<sockaddr_in6*>(&out.storage);
  if (inet_pton(AF_INET, host.c_str(), &v4->sin_addr) == 1) {
    v4->sin_family = AF_INET;
    v4->sin_port = htons(port);
    out.length = sizeof(sockaddr_in);
    out.text = host + ":" + std::to_string(port);
  } else if (inet_pton(AF_INET6, host.c_str(), &v6->sin6_addr) == 1) {
    v6->sin6_family = AF_INET6;
    v6->sin6_port = htons(port);
    out.length = sizeof(sockaddr_in6);
    out.text = "[" + host + "]:" + std::to_string(port);
  } else {
    *error = "not an IP address: " + host;
    return std::nullopt;
  }
  return out;
}

StubReply parse_reply(std::span<const uint8_t> packet, uint16_t id, const dns::Name& name,
                      dns::RrType type, bool* truncated) {
  StubReply reply;
  dns::MessageView m(packet);
  const dns::Header& h = m.header();
  if (m.error() == dns::MessageError::Short) {
    reply.error = "short reply";
    return reply;
  }
  if (h.id != id || !h.qr()) {
    reply.error = "reply id or QR does not match";
    return reply;
  }
  *truncated = h.tc();
  reply.rcode = static_cast<dns::Rcode>(h.rcode_low());
  if (m.error() == dns::MessageError::QuestionCount) {
    reply.error = "reply has " + std::to_string(h.qdcount) + " questions";
    return reply;
  }
  if (h.qdcount == 1 && (!m.has_question() || !(m.question().name == name) ||
                         m.question().type != type)) {
    reply.error = "reply question does not match";
    return reply;
  }
  // Only the answer section is printed, so only it has to be well formed.
  dns::ExpandedRdata expanded;
  for (const dns::RecordView& rr : m.answer()) {
    dns::Name owner;
    std::optional<std::span<const uint8_t>> rdata = dns::expand_rdata(rr, expanded);
    if (!rr.read_owner(owner) || !rdata) {
      reply.error = "malformed answer rdata";
      return reply;
    }
    reply.answers.push_back({owner.to_text() + "\t" + std::to_string(rr.ttl) + "\tIN\t" +
                                 dns::rr_type_name(rr.type) + "\t" +
                                 dns::rdata::to_text(rr.type, *rdata),
                             rr.type});
  }
  if (m.answer().size() < h.ancount) {
    reply.error = "malformed answer record";
    return reply;
  }
  return reply;
}

StubReply stub_query(const ServerAddress& server, const dns::Name& name, dns::RrType type,
                     const StubOptions& options) {
  std::random_device random;
  auto id = static_cast<uint16_t>(random());
  std::array<uint8_t, 512> query;
  size_t size = build_query(query, id, name, type);
  std::span<const uint8_t> bytes(query.data(), size);
  bool truncated = false;
  StubReply reply = query_udp(server, bytes, id, name, type, options, &truncated);
  if (reply.ok() && truncated) {
    return query_tcp(server, bytes, id, name, type, options);
  }
  return reply;
}

}  // namespace vmdns::resolvconf
