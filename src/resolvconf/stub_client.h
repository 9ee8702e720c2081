#pragma once
// A minimal DNS stub client: one question over UDP, retried over TCP when the reply is
// truncated, as glibc's res_send does. Built on the project's own codec (MessageWriter for the
// query, Reader for the reply), for `vmdns lookup`.
//
//   auto server = parse_server_address("127.0.0.1:5353", 53, &error);
//   StubReply reply = stub_query(*server, *Name::from_text("cluster.local"), RrType::SOA);
//   if (reply.ok()) { reply.rcode; reply.answers[0].text; }
//
// Not on the hot path. Replies are untrusted: every read is bounds-checked, and a reply whose
// id or question does not match is ignored (RFC 5452 section 9.1).

#include <sys/socket.h>

#include <chrono>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "dns/name.h"
#include "dns/types.h"

namespace vmdns::resolvconf {

struct ServerAddress {
  sockaddr_storage storage{};
  socklen_t length = 0;
  std::string text;  // "127.0.0.1:5353", "[::1]:53"
};

// "ADDR", "ADDR:PORT", "[V6]:PORT" or a bare IPv6 address; `default_port` when none is given.
std::optional<ServerAddress> parse_server_address(std::string_view text, uint16_t default_port,
                                                  std::string* error);

struct StubRecord {
  std::string text;  // "owner.\tTTL\tIN\tTYPE\trdata", names decompressed
  dns::RrType type = dns::RrType::A;
};

struct StubReply {
  std::string error;  // empty when a matching reply was read
  dns::Rcode rcode = dns::Rcode::NoError;
  bool over_tcp = false;  // the UDP reply was truncated and the query was repeated over TCP
  std::vector<StubRecord> answers;
  bool ok() const { return error.empty(); }
};

struct StubOptions {
  std::chrono::milliseconds timeout{2000};  // per attempt, as glibc's RES_TIMEOUT is 5 s
  int udp_attempts = 2;                     // glibc's RES_DFLRETRY
};

StubReply stub_query(const ServerAddress& server, const dns::Name& name, dns::RrType type,
                     const StubOptions& options = {});

// Parses a reply to the question (`name`, `type`) with id `id`; `error` is set when it is
// malformed or does not match. Exposed for tests.
StubReply parse_reply(std::span<const uint8_t> packet, uint16_t id, const dns::Name& name,
                      dns::RrType type, bool* truncated);

}  // namespace vmdns::resolvconf
