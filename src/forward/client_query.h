#pragma once
// What the forwarder keeps of a client's query, and the messages built from it alone: the query
// sent upstream and the SERVFAIL sent when no upstream answers.
//
//   ClientQuery client;
//   if (make_client_query(parsed, packet, net::Transport::Udp, &client)) {
//     size_t n = build_upstream_query(client, random_id, buffer);   // lowercased, RD, OPT 1232
//   }
//
// No heap allocation: a ClientQuery is a fixed-size value copied into the forwarder's queue.

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>

#include "dns/edns.h"
#include "dns/message_view.h"
#include "net/transport.h"

namespace vmdns::forward {

// The EDNS(0) payload size we advertise upstream and cap UDP replies at (DNS Flag Day 2020).
using dns::kEdnsPayload;
// An EDNS option (from the local/experimental range, RFC 6891 section 9) that every query we
// send upstream carries, with a random 8-octet token of this process: a query that arrives with
// our token is one of ours come back, a forwarding loop.
inline constexpr uint16_t kLoopMarkerOption = 65300;

// The part of an answer we gave before the forwarder takes over: an A or AAAA query for an
// in-zone alias (an ExternalName's CNAME) whose target is outside our zones. The target is
// asked upstream, and the client's reply starts with these records (alias_reply.h).
struct AliasPrefix {
  // One CNAME with two names of the longest kind, uncompressed: owner, 10 octets, target.
  static constexpr size_t kCapacity = 2 * dns::kMaxNameLength + 10;
  dns::Name client_name;        // what the client asked, as written
  uint16_t record_count = 0;    // CNAME records in `records`
  uint16_t records_length = 0;
  std::array<uint8_t, kCapacity> records{};  // uncompressed wire records, answer section order
};

struct ClientQuery {
  uint16_t id = 0;
  uint16_t flags = 0;          // the client's header flags; RD and CD are passed on
  dns::Question question;      // the name as the client wrote it, case preserved
  bool edns = false;           // the client sent an OPT record
  uint16_t udp_size = 512;     // its advertised payload size
  bool dnssec_ok = false;      // its DO bit (RFC 3225)
  uint64_t loop_marker = 0;    // the token of a kLoopMarkerOption it carried, 0 if none
  net::Transport transport = net::Transport::Udp;
  // Set when `question` is the target of our CNAMEs rather than what the client asked.
  std::optional<AliasPrefix> alias;

  // Server-side search (query/server_search.h): what the client gets instead of the upstream's
  // reply as it is. `question` is always what is asked upstream (and cached).
  enum class Rewrite : uint8_t {
    None,
    // The client asked <x>.<its first search entry> (alias->client_name), `question` is <x>,
    // and `alias` holds one CNAME between them (search_alias). A NOERROR from upstream reaches
    // the client behind that CNAME; anything else, or no answer at all, gets our own answer to
    // the name it asked (LocalAnswer): the NXDOMAIN, as CoreDNS's autopath gives up.
    Autopath,
    // The client asked `question`; an NXDOMAIN from upstream is replaced by our own answer: a
    // CNAME to `expansion` (<question>.<ns>.svc.<zone>, TTL `expansion_ttl`) and its records.
    ShortName,
  };
  Rewrite rewrite = Rewrite::None;
  dns::Name expansion;
  uint32_t expansion_ttl = 0;

  // The largest reply the client accepts: 65535 over TCP; over UDP 512 without EDNS (RFC 1035
  // section 4.2.1), else its size within [512, 1232].
  size_t reply_limit() const;
  bool checking_disabled() const { return (flags & dns::Header::kCd) != 0; }
};

// A QUERY with one question and EDNS version 0 at most; false for anything else.
// `parsed` is `packet` as dns::parse_query read it (status Ok): the query pipeline parses a
// packet once and hands the forwarder that form; `packet` is only read again for the loop
// marker option of a query that carries an OPT.
bool make_client_query(const dns::ParsedQuery& parsed, std::span<const uint8_t> packet,
                       net::Transport transport, ClientQuery* out);
// Whether make_client_query() takes `parsed`: a QUERY with a question, EDNS version 0 at most.
bool forwardable(const dns::ParsedQuery& parsed);
// Parses `packet` and makes the ClientQuery of it (make_client_query).
bool parse_client_query(std::span<const uint8_t> packet, net::Transport transport,
                        ClientQuery* out);

// The query sent upstream: `id`, RD set, the client's CD, the question name lowercased (so that
// cached answers do not depend on the client's case), and an OPT record advertising 1232 octets
// with the client's DO bit and, unless `loop_marker` is 0, a kLoopMarkerOption carrying it.
// Returns the length, 0 if `out` is too small.
size_t build_upstream_query(const ClientQuery& client, uint16_t id, uint64_t loop_marker,
                            std::span<uint8_t> out);

// The client's query again, as it sent it but with `name` as the question: its ID, RD and CD,
// and an OPT with its payload size and DO bit if it sent one. For answering it from our own
// zones (Rewrite). Returns the length, 0 if `out` is too small.
size_t build_client_query(const ClientQuery& client, const dns::Name& name, std::span<uint8_t> out);

// SERVFAIL for the client: its ID, RD and CD, RA, its question as written (the name it asked,
// also for an alias), an OPT if it sent one. Returns the length.
size_t servfail_reply(const ClientQuery& client, std::span<uint8_t> out);

}  // namespace vmdns::forward
