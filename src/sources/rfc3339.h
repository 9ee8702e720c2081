#pragma once
// RFC 3339 timestamps as the Kubernetes API writes them ("2026-11-26T13:07:32Z",
// "2026-11-26T13:07:32.123456789+01:00"), for annotations such as EndpointSlice's
// endpoints.kubernetes.io/last-change-trigger-time.
//
//   auto ns = parse_rfc3339("1970-01-01T00:00:01.5Z");   // 1'500'000'000
//
// Nanoseconds since the Unix epoch; nullopt for anything else (a date that does not exist, a
// missing zone, more than nine fraction digits, a year before 1970 or after 2261).

#include <cstdint>
#include <optional>
#include <string_view>

namespace vmdns::sources {

std::optional<int64_t> parse_rfc3339(std::string_view text);

}  // namespace vmdns::sources
