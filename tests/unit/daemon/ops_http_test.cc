// The HTTP endpoints on ":PORT" listen on every address, IPv6 and IPv4; a ":PORT" that is not
// one is refused with the flag's name.

#include "daemon/ops_http.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace vmdns::daemon {
namespace {

TEST(OpsHttpTest, EveryAddressListeners) {
  const ops::ServingState serving;
  struct Case {
    const char* listen;
    const char* error;  // empty: starts, and serves on every address
  };
  const std::vector<Case> cases = {
      {":0", ""},
      {":", "--metrics-listen: \":\" is not :PORT: the port must be a number from 0 to 65535"},
      {":x", "--metrics-listen: \":x\" is not :PORT: the port must be a number from 0 to 65535"},
      {":[::1]:53",
       "--metrics-listen: \":[::1]:53\" is not :PORT: the port must be a number from 0 to 65535"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.listen);
    settings::OpsOptions options;
    options.metrics_listen = c.listen;
    options.metrics_explicit = true;
    options.health_listen = std::string(settings::kNoListener);
    options.ready_listen = std::string(settings::kNoListener);
    std::string error;
    auto http = start_ops_http(
        options, /*client_ipv6_prefix=*/128, serving, [] { return std::string(); }, &error);
    EXPECT_EQ(error, c.error);
    EXPECT_EQ(http != nullptr, error.empty());
    if (http) {
      std::string address = http->bound_address(0).to_string();
      EXPECT_TRUE(address.starts_with("[::]:") || address.starts_with("0.0.0.0:")) << address;
      http->stop();
    }
  }
}

}  // namespace
}  // namespace vmdns::daemon
