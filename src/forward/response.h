#pragma once
// Upstream responses: checking that one answers our query, how long it may be cached
// (RFC 2308), and rewriting it for the client.
//
//   if (answers_query(response, upstream_id, client.question)) {
//     size_t n = rewrite_reply(response, client, /*elapsed=*/0, out);   // 0: malformed
//   }
//
// Every read is bounds-checked (dns::Reader); nothing allocates.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>

#include "forward/client_query.h"

namespace vmdns::forward {

// Positive answers are cached at most this long, negative ones at most kMaxNegativeTtl (the
// CoreDNS cache plugin's defaults).
inline constexpr uint32_t kMaxPositiveTtl = 3600;
inline constexpr uint32_t kMaxNegativeTtl = 1800;

// True when `response` is a response (QR) with ID `id` and exactly `question` (case-insensitive)
// as its only question, written uncompressed after the header.
bool answers_query(std::span<const uint8_t> response, uint16_t id, const dns::Question& question);

// True when the TC bit is set.
bool is_truncated(std::span<const uint8_t> response);

// How long `response` may be cached, in seconds, or nullopt when it may not be: a NOERROR with
// answers lives as long as its shortest TTL (answer and authority); NXDOMAIN and NODATA live
// min(SOA TTL, SOA MINIMUM) (RFC 2308 section 5) and are not cached without an SOA; anything
// truncated or with another rcode is not cached. Capped at kMaxPositiveTtl / kMaxNegativeTtl.
std::optional<uint32_t> cache_ttl(std::span<const uint8_t> response);

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
