// The API client's pure parts: the Retry-After header (RFC 9110 10.2.3, the seconds form the
// API server sends) and the URL encoding of selector values.

#include "kube/api_client.h"

#include <gtest/gtest.h>

#include <optional>

namespace vmdns::kube {
namespace {

struct RetryAfterCase {
  const char* line;
  std::optional<long> seconds;
};

TEST(ApiClientTest, RetryAfterSeconds) {
  const RetryAfterCase cases[] = {
      {"Retry-After: 3\r\n", 3},
      {"retry-after:10\r\n", 10},
      {"RETRY-AFTER: \t 0 \r\n", 0},
      {"Retry-After: Wed, 21 Oct 2026 07:28:00 GMT\r\n", std::nullopt},  // the date form
      {"Retry-After: -1\r\n", std::nullopt},
      {"Retry-After: 1234567890\r\n", std::nullopt},  // absurdly long: not a number we wait
      {"Retry-After:\r\n", std::nullopt},
      {"Retry-After-Other: 3\r\n", std::nullopt},
      {"Content-Length: 3\r\n", std::nullopt},
      {"\r\n", std::nullopt},
  };
  for (const RetryAfterCase& c : cases) {
    std::optional<std::chrono::seconds> got = retry_after_seconds(c.line);
    EXPECT_EQ(got.has_value(), c.seconds.has_value()) << c.line;
    if (got && c.seconds) {
      EXPECT_EQ(got->count(), *c.seconds) << c.line;
    }
  }
}

TEST(ApiClientTest, UrlEncode) {
  EXPECT_EQ(url_encode("app in (web, db),!legacy"), "app%20in%20%28web%2C%20db%29%2C%21legacy");
  EXPECT_EQ(url_encode("a-b_c.d~e"), "a-b_c.d~e");
}

}  // namespace
}  // namespace vmdns::kube
