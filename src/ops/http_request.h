#pragma once
// The head of an HTTP/1.1 request (RFC 9112), as far as the operations endpoints need it: the
// method and the path. Probes and Prometheus send a GET with a few headers and no body.
//
//   HttpRequest request;
//   switch (parse_http_request(buffer, &request)) {
//     case HttpParse::Incomplete: read more (up to kMaxHttpHead octets); break;
//     case HttpParse::Bad: answer 400 and close; break;
//     case HttpParse::Complete: route request.path; break;
//   }
//
// Strict where it costs nothing: a request line of token, origin-form target and HTTP/1.x;
// header lines of a token, a colon and a value without control characters. Lines may end in
// CRLF or a bare LF (RFC 9112 section 2.2 lets a recipient accept it). The query string is
// split off the path. Headers are checked but not kept; a body is not read (none is expected,
// and every response closes the connection).

#include <cstddef>
#include <string_view>

namespace vmdns::ops {

// A head larger than this is refused (431); it is far beyond what a probe sends.
inline constexpr size_t kMaxHttpHead = 8192;

enum class HttpParse { Incomplete, Complete, Bad, TooLarge };

struct HttpRequest {
  std::string_view method;  // "GET"
  std::string_view path;    // "/metrics", without the query string
  std::string_view query;   // after '?', may be empty
  int minor_version = 1;    // HTTP/1.x
  size_t head_length = 0;   // octets up to and including the empty line
};

// The views in `out` point into `data`.
HttpParse parse_http_request(std::string_view data, HttpRequest* out);

}  // namespace vmdns::ops
