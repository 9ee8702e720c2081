#include "ops/http_response.h"

#include <fmt/format.h>

namespace vmdns::ops {

std::string_view http_reason(int status) {
  switch (status) {
    case 200:
      return "OK";
    case 400:
      return "Bad Request";
    case 404:
      return "Not Found";
    case 405:
      return "Method Not Allowed";
    case 408:
      return "Request Timeout";
    case 431:
      return "Request Header Fields Too Large";
    case 500:
      return "Internal Server Error";
    case 503:
      return "Service Unavailable";
    default:
      return "Unknown";
  }
}

std::string format_http_response(const HttpRequest* request, const HttpResponse& response) {
  std::string text = fmt::format(
      "HTTP/1.1 {} {}\r\nContent-Type: {}\r\nContent-Length: {}\r\nCache-Control: no-cache\r\n"
      "{}Connection: close\r\n\r\n",
      response.status, http_reason(response.status), response.content_type, response.body.size(),
      response.status == 405 ? "Allow: GET, HEAD\r\n" : "");
  if (request == nullptr || request->method != "HEAD") {
    text += response.body;
  }
  return text;
}

}  // namespace vmdns::ops
