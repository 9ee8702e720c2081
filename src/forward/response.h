#pragma once
// Upstream responses: checking that one answers our query, how long it may be cached
// (RFC 2308), and rewriting it for the client.
//
//   if (answers_query(response, upstream_id, client.question)) {
//     size_t n = rewrite_reply(response, client, /*elapsed=*/0, out);   // 0: malformed
//   }
//
// Responses are read with dns::MessageView: every read is bounds-checked; nothing allocates.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>

#include "forward/client_query.h"

namespace vmdns::forward {

// How long answers are cached, as CoreDNS's cache plugin bounds them (`cache [TTL]`,
// `success CAPACITY [TTL [MINTTL]]`, `denial CAPACITY [TTL [MINTTL]]`) and with its defaults.
// "Denial" is NXDOMAIN and NODATA (RFC 2308); "success" any other NOERROR.
struct CacheTtls {
  uint32_t success_max = 3600;  // > 0
  uint32_t success_min = 5;
  uint32_t denial_max = 1800;   // > 0
  uint32_t denial_min = 5;
};
inline constexpr uint32_t kMaxPositiveTtl = CacheTtls{}.success_max;
inline constexpr uint32_t kMaxNegativeTtl = CacheTtls{}.denial_max;

// True when `response` is a response (QR) with ID `id` and exactly `question` (case-insensitive)
// as its only question, written uncompressed after the header.
bool answers_query(std::span<const uint8_t> response, uint16_t id, const dns::Question& question);

// True when the TC bit is set.
bool is_truncated(std::span<const uint8_t> response);

// How long `response` may be cached, in seconds, or nullopt when it may not be. A NOERROR with
// answers: its shortest TTL (every section, OPT aside); NXDOMAIN and NODATA: min(SOA TTL, SOA
// MINIMUM) (RFC 2308 section 5), not cached without an SOA; that TTL then raised to the min and
// lowered to the max of `ttls` for its kind. Truncated answers, other rcodes and a TTL of 0
// after the bounds are not cached.
std::optional<uint32_t> cache_ttl(std::span<const uint8_t> response, const CacheTtls& ttls = {});

// Sets the TTL of every record of `response` (OPT aside) to `ttl`, as CoreDNS's cache serves an
// answer: every record with the TTL it is cached for, counting down from there. False, and
// `response` left unchanged, when it is malformed.
bool set_ttls(std::span<uint8_t> response, uint32_t ttl);

// Writes `response` for `client` into `out`: the client's ID and its question as written
// (0x20 case restored), every TTL lowered by `elapsed` seconds (not below 0), the upstream's
// OPT replaced by ours (payload 1232, the upstream's extended rcode and DO bit) when the client
// sent EDNS and removed when it did not, along with any record after it. Records are copied
// whole until the client's limit (ClientQuery::reply_limit): a record of the answer or authority
// section that does not fit sets TC and ends the message; additional records that do not fit
// are left out without TC (RFC 2181 section 9). Returns the length, 0 if `response` is
// malformed, if a name copied would read differently in the reply than in `response` (a
// compression pointer into the header, a lowered TTL or past its record), or if `out` is too
// small for the header and question.
size_t rewrite_reply(std::span<const uint8_t> response, const ClientQuery& client,
                     uint32_t elapsed, std::span<uint8_t> out);

}  // namespace vmdns::forward
