#include "ops/http_query.h"

namespace vmdns::ops {

std::optional<std::vector<HttpQueryParameter>> parse_http_query(std::string_view query) {
  std::vector<HttpQueryParameter> out;
  while (!query.empty()) {
    size_t end = query.find('&');
    std::string_view pair = query.substr(0, end);
    query = end == std::string_view::npos ? std::string_view() : query.substr(end + 1);
    if (pair.empty()) {
      continue;
    }
    size_t equals = pair.find('=');
    HttpQueryParameter parameter{pair.substr(0, equals), equals == std::string_view::npos
                                                             ? std::string_view()
                                                             : pair.substr(equals + 1)};
    if (parameter.key.empty() || out.size() == kMaxHttpQueryParameters) {
      return std::nullopt;
    }
    out.push_back(parameter);
  }
  return out;
}

}  // namespace vmdns::ops
