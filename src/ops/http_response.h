#pragma once
// What an endpoint answers, and its bytes on the wire: a status line, four headers, the body.
// Every response closes the connection (one request per connection).
//
//   HttpResponse response{503, "the first snapshot is not built yet\n"};
//   std::string wire = format_http_response(&request, response);   // HEAD: no body

#include <string>
#include <string_view>

#include "ops/http_request.h"

namespace vmdns::ops {

inline constexpr std::string_view kTextContentType = "text/plain; charset=utf-8";

struct HttpResponse {
  int status = 200;
  std::string body;
  std::string content_type = std::string(kTextContentType);
};

// "OK" for 200, "Service Unavailable" for 503, ...
std::string_view http_reason(int status);

// The response's bytes; without the body when `request` is a HEAD (null: the request could
// not be parsed).
std::string format_http_response(const HttpRequest* request, const HttpResponse& response);

}  // namespace vmdns::ops
