#pragma once
// The query string of a request (after '?', RFC 3986 section 3.4) as its key=value pairs, for
// an endpoint that takes parameters (GET /explain/<name>?output=json&namespace=prod).
//
//   auto parameters = parse_http_query("output=json&namespace=prod");
//   (*parameters)[0].key;     // "output"
//   (*parameters)[0].value;   // "json"
//
// Pairs are split on '&', each on its first '='; a key without '=' has an empty value, and
// empty pairs ("a=1&&b=2") are skipped. Nothing is percent-decoded: the endpoints take names
// (DNS names, Kubernetes object names) that need no escape, and refuse what is not one.
// nullopt for a pair with an empty key, or more than kMaxHttpQueryParameters pairs.

#include <cstddef>
#include <optional>
#include <string_view>
#include <vector>

namespace vmdns::ops {

inline constexpr size_t kMaxHttpQueryParameters = 16;

struct HttpQueryParameter {
  std::string_view key;
  std::string_view value;
};

// The views point into `query`.
std::optional<std::vector<HttpQueryParameter>> parse_http_query(std::string_view query);

}  // namespace vmdns::ops
