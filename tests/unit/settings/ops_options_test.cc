// The HTTP endpoints' defaults: CoreDNS's ports on every address (":PORT"), moved to loopback
// only when DNS itself listens on a loopback address; a listener given with a flag is never
// moved. ":PORT" listens on every address.

#include "settings/ops_options.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace vmdns::settings {
namespace {

struct Case {
  const char* name;
  std::vector<std::string> flags;  // the command line after "serve"
  const char* dns_listen;          // --listen
  const char* metrics;
  const char* health;
  const char* ready;
};

TEST(OpsOptionsTest, DefaultsFollowTheDnsListenAddress) {
  const std::vector<Case> cases = {
      {"a pod: every address", {}, "0.0.0.0:53", ":9153", ":8080", ":8181"},
      {"IPv6 wildcard", {}, "[::]:53", ":9153", ":8080", ":8181"},
      {"one address of a node", {}, "10.96.0.10:53", ":9153", ":8080", ":8181"},
      {"make run: loopback",
       {},
       "127.0.0.1:5353",
       "127.0.0.1:9153",
       "127.0.0.1:8080",
       "127.0.0.1:8181"},
      {"all of 127/8 is loopback",
       {},
       "127.0.0.53:53",
       "127.0.0.1:9153",
       "127.0.0.1:8080",
       "127.0.0.1:8181"},
      {"IPv6 loopback", {}, "[::1]:5353", "[::1]:9153", "[::1]:8080", "[::1]:8181"},
      {"128.0.0.1 is not loopback", {}, "128.0.0.1:53", ":9153", ":8080", ":8181"},
      {"given listeners stay as given",
       {"--metrics-listen", ":9999", "--health-listen", "0.0.0.0:8080"},
       "127.0.0.1:5353",
       ":9999",
       "0.0.0.0:8080",
       "127.0.0.1:8181"},
      {"none stays none",
       {"--ready-listen", "none"},
       "127.0.0.1:5353",
       "127.0.0.1:9153",
       "127.0.0.1:8080",
       "none"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    OpsOptions options;
    CLI::App command{"vmdns serve"};
    add_ops_options(command, options);
    std::vector<std::string> arguments(c.flags.rbegin(), c.flags.rend());
    command.parse(arguments);
    std::string error;
    auto listen = net::parse_listen_address(c.dns_listen, &error);
    ASSERT_TRUE(listen) << error;
    keep_defaults_on_loopback(options, *listen);
    EXPECT_EQ(options.metrics_listen, c.metrics);
    EXPECT_EQ(options.health_listen, c.health);
    EXPECT_EQ(options.ready_listen, c.ready);
  }
}

}  // namespace
}  // namespace vmdns::settings
