// The HTTP/1.1 request head parser of the operations endpoints (RFC 9112 sections 2-5): what a
// probe or Prometheus sends parses, anything else is Bad or TooLarge, never a crash.

#include "ops/http_request.h"

#include <gtest/gtest.h>

#include <string>

namespace vmdns::ops {
namespace {

using namespace std::string_literals;

struct Case {
  std::string name;
  std::string input;
  HttpParse status;
  std::string method = "";
  std::string path = "";
  std::string query = "";
};

TEST(HttpRequestTest, Table) {
  std::vector<Case> cases = {
      {"prometheus", "GET /metrics HTTP/1.1\r\nHost: x\r\nAccept: text/plain\r\n\r\n",
       HttpParse::Complete, "GET", "/metrics"},
      {"kubelet probe, HTTP/1.0", "GET /ready HTTP/1.0\r\n\r\n", HttpParse::Complete, "GET",
       "/ready"},
      {"query string", "GET /health?verbose=1 HTTP/1.1\r\n\r\n", HttpParse::Complete, "GET",
       "/health", "verbose=1"},
      {"bare LF lines", "HEAD /health HTTP/1.1\nHost: x\n\n", HttpParse::Complete, "HEAD",
       "/health"},
      {"leading empty line", "\r\nGET / HTTP/1.1\r\n\r\n", HttpParse::Complete, "GET", "/"},
      {"header value with tab", "GET / HTTP/1.1\r\nX: a\tb\r\n\r\n", HttpParse::Complete, "GET",
       "/"},
      {"head not finished", "GET /metrics HTTP/1.1\r\nHost: x\r\n", HttpParse::Incomplete},
      {"request line not finished", "GET /metr", HttpParse::Incomplete},
      {"empty", "", HttpParse::Incomplete},
      {"HTTP/2 preface", "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n", HttpParse::Bad},
      {"absolute target", "GET http://x/metrics HTTP/1.1\r\n\r\n", HttpParse::Bad},
      {"two spaces", "GET  /metrics HTTP/1.1\r\n\r\n", HttpParse::Bad},
      {"no version", "GET /metrics\r\n\r\n", HttpParse::Bad},
      {"bad version", "GET /metrics HTTP/1.10\r\n\r\n", HttpParse::Bad},
      {"lowercase version", "GET /metrics http/1.1\r\n\r\n", HttpParse::Bad},
      {"method with slash", "G/T /metrics HTTP/1.1\r\n\r\n", HttpParse::Bad},
      {"control char in target", std::string("GET /a\x01 HTTP/1.1\r\n\r\n"), HttpParse::Bad},
      {"NUL in header", "GET / HTTP/1.1\r\nX: a\0b\r\n\r\n"s, HttpParse::Bad},
      {"header without colon", "GET / HTTP/1.1\r\nHost x\r\n\r\n", HttpParse::Bad},
      {"space before colon", "GET / HTTP/1.1\r\nHost : x\r\n\r\n", HttpParse::Bad},
      {"obsolete line folding", "GET / HTTP/1.1\r\nX: a\r\n b\r\n\r\n", HttpParse::Bad},
      {"TLS hello", "\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03\n"s,
       HttpParse::Bad},
      {"head too large", "GET / HTTP/1.1\r\nX: " + std::string(9000, 'a') + "\r\n\r\n",
       HttpParse::TooLarge},
      {"unterminated and too large", "GET / HTTP/1.1\r\nX: " + std::string(9000, 'a'),
       HttpParse::TooLarge},
      {"endless empty lines", std::string(9000, '\n'), HttpParse::TooLarge},
  };
  for (const Case& c : cases) {
    HttpRequest request;
    EXPECT_EQ(parse_http_request(c.input, &request), c.status) << c.name;
    if (c.status == HttpParse::Complete) {
      EXPECT_EQ(request.method, c.method) << c.name;
      EXPECT_EQ(request.path, c.path) << c.name;
      EXPECT_EQ(request.query, c.query) << c.name;
    }
  }
}

TEST(HttpRequestTest, HeadLengthStopsAtTheEmptyLine) {
  HttpRequest request;
  std::string text = "GET / HTTP/1.1\r\nHost: x\r\n\r\nBODY";
  ASSERT_EQ(parse_http_request(text, &request), HttpParse::Complete);
  EXPECT_EQ(request.head_length, text.size() - 4);
}

}  // namespace
}  // namespace vmdns::ops
