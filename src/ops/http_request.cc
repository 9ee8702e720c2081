#include "ops/http_request.h"

namespace vmdns::ops {
namespace {

// RFC 9110 section 5.6.2: tchar.
bool is_token_char(char c) {
  if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) {
    return true;
  }
  switch (c) {
    case '!':
    case '#':
    case '$':
    case '%':
    case '&':
    case '\'':
    case '*':
    case '+':
    case '-':
    case '.':
    case '^':
    case '_':
    case '`':
    case '|':
    case '~':
      return true;
    default:
      return false;
  }
}

bool is_token(std::string_view text) {
  if (text.empty()) {
    return false;
  }
  for (char c : text) {
    if (!is_token_char(c)) {
      return false;
    }
  }
  return true;
}

// Visible ASCII and obs-text (octets 0x80-0xff); no space, no control character.
bool is_target(std::string_view text) {
  if (text.empty() || text.front() != '/') {
    return false;
  }
  for (char c : text) {
    auto octet = static_cast<unsigned char>(c);
    if (octet <= 0x20 || octet == 0x7f) {
      return false;
    }
  }
  return true;
}

// A field value: visible characters, spaces and tabs, obs-text.
bool is_field_value(std::string_view text) {
  for (char c : text) {
    auto octet = static_cast<unsigned char>(c);
    if ((octet < 0x20 && c != '\t') || octet == 0x7f) {
      return false;
    }
  }
  return true;
}

// The next line of `data` from `at`, without its CRLF or LF; false when no line end is there yet.
bool next_line(std::string_view data, size_t* at, std::string_view* line) {
  size_t end = data.find('\n', *at);
  if (end == std::string_view::npos) {
    return false;
  }
  size_t stop = end;
  if (stop > *at && data[stop - 1] == '\r') {
    --stop;
  }
  *line = data.substr(*at, stop - *at);
  *at = end + 1;
  return true;
}

bool parse_request_line(std::string_view line, HttpRequest* out) {
  size_t first = line.find(' ');
  if (first == std::string_view::npos) {
    return false;
  }
  size_t second = line.find(' ', first + 1);
  if (second == std::string_view::npos || line.find(' ', second + 1) != std::string_view::npos) {
    return false;
  }
  std::string_view method = line.substr(0, first);
  std::string_view target = line.substr(first + 1, second - first - 1);
  std::string_view version = line.substr(second + 1);
  if (!is_token(method) || !is_target(target)) {
    return false;
  }
  if (version.size() != 8 || version.substr(0, 7) != "HTTP/1." || version[7] < '0' ||
      version[7] > '9') {
    return false;
  }
  out->method = method;
  size_t question = target.find('?');
  out->path = target.substr(0, question);
  out->query =
      question == std::string_view::npos ? std::string_view() : target.substr(question + 1);
  out->minor_version = version[7] - '0';
  return true;
}

bool parse_header_line(std::string_view line) {
  size_t colon = line.find(':');
  if (colon == std::string_view::npos) {
    return false;
  }
  // No whitespace between the name and the colon (RFC 9112 section 5.1).
  return is_token(line.substr(0, colon)) && is_field_value(line.substr(colon + 1));
}

}  // namespace

HttpParse parse_http_request(std::string_view data, HttpRequest* out) {
  *out = HttpRequest{};
  size_t at = 0;
  std::string_view line;
  // RFC 9112 section 2.2: empty lines before the request line are ignored.
  for (;;) {
    if (!next_line(data, &at, &line)) {
      return data.size() > kMaxHttpHead ? HttpParse::TooLarge : HttpParse::Incomplete;
    }
    if (!line.empty()) {
      break;
    }
    if (at > kMaxHttpHead) {
      return HttpParse::TooLarge;
    }
  }
  if (!parse_request_line(line, out)) {
    return HttpParse::Bad;
  }
  for (;;) {
    if (!next_line(data, &at, &line)) {
      return data.size() > kMaxHttpHead ? HttpParse::TooLarge : HttpParse::Incomplete;
    }
    if (at > kMaxHttpHead) {
      return HttpParse::TooLarge;
    }
    if (line.empty()) {
      out->head_length = at;
      return HttpParse::Complete;
    }
    if (!parse_header_line(line)) {
      return HttpParse::Bad;
    }
  }
}

}  // namespace vmdns::ops
