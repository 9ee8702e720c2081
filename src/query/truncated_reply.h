#pragma once
// The reply a rate-limited client gets instead of silence (response rate limiting's "slip"):
// the query's id, flags and question, TC set, no records, and our OPT when the query had one.
// A real client retries over TCP (RFC 7766 section 5); a victim of spoofed queries gets a reply
// no larger than the query. No heap allocation.
//
//   size_t n = truncated_reply(query, out);   // 0: the query gets no reply at all (a response,
//                                             // a runt, or malformed)

#include <cstddef>
#include <cstdint>
#include <span>

#include "dns/message_view.h"

namespace vmdns::query {

size_t truncated_reply(std::span<const uint8_t> query, std::span<uint8_t> out);
// The same for a query already parsed: `status` is what dns::parse_query returned for it.
size_t truncated_reply(dns::ParseStatus status, const dns::ParsedQuery& query,
                       std::span<uint8_t> out);

}  // namespace vmdns::query
