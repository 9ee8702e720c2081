#include "settings/ops_options.h"

#include <arpa/inet.h>

#include <charconv>

#include "net/listen_address.h"
#include "settings/options.h"

namespace vmdns::settings {

void add_ops_options(CLI::App& command, OpsOptions& options) {
  auto listener = [&command](const char* flag, std::string& value, bool& given, const char* what) {
    command.add_option_function<std::string>(
        flag,
        [&value, &given](const std::string& text) {
          value = text;
          given = true;
        },
        std::string("ADDR:PORT for ") + what + " over HTTP, :PORT for every address, or none " +
            "(default: " + value + ", on 127.0.0.1 when --listen is a loopback address)");
  };
  listener("--metrics-listen", options.metrics_listen, options.metrics_explicit,
           "/metrics, Prometheus' text format (CoreDNS: prometheus)");
  listener("--health-listen", options.health_listen, options.health_explicit,
           "/health, 200 while serving (CoreDNS: health)");
  listener("--ready-listen", options.ready_listen, options.ready_explicit,
           "/ready, 200 once the first snapshot is built and the sources are in sync "
           "(CoreDNS: ready)");
  add_option_with_default(command, "--lameduck", options.lameduck,
                          "On SIGTERM, fail /health and /ready, keep answering queries for this "
                          "long (5s, 500ms), then exit (CoreDNS: health's lameduck)")
      ->check([](const std::string& text) {
        return parse_duration(text) ? std::string() : "not a duration like 5s or 500ms: " + text;
      });
  command.add_flag("--log-queries", options.log_queries,
                   "Log every query and its reply, one line each (CoreDNS: log)");
  auto duration = [](const std::string& text) {
    auto parsed = parse_duration(text);
    return parsed && parsed->count() > 0 ? std::string()
                                         : "not a positive duration like 5s or 500ms: " + text;
  };
  add_option_in_range(command, "--http-max-connections", options.http_max_connections,
                      "Connections open at once on each HTTP listener (/metrics, /health, "
                      "/ready each have their own); when full, the oldest unanswered connection "
                      "of the client holding the most makes room for a client holding fewer",
                      size_t{1}, size_t{65536});
  add_option_in_range(command, "--http-max-connections-per-client",
                      options.http_max_connections_per_client,
                      "Connections one client address may hold on each HTTP listener; one more "
                      "is closed at once",
                      size_t{1}, size_t{65536});
  add_option_with_default(command, "--http-idle-timeout", options.http_idle_timeout,
                          "An HTTP connection that sends nothing for this long after it opens is "
                          "closed (5s, 500ms)")
      ->check(duration);
  add_option_with_default(command, "--http-request-timeout", options.http_request_timeout,
                          "An HTTP connection is closed this long after its request's first "
                          "octet, however slowly it trickles in (5s, 500ms)")
      ->check(duration);
}

void keep_defaults_on_loopback(OpsOptions& options, const net::ListenAddress& dns_listen) {
  std::string loopback;
  if (dns_listen.family() == AF_INET) {
    // 127.0.0.0/8 (RFC 1122 section 3.2.1.3); the endpoints take its usual address.
    uint32_t address =
        ntohl(reinterpret_cast<const sockaddr_in*>(&dns_listen.storage)->sin_addr.s_addr);
    if ((address >> 24) == 127) {
      loopback = "127.0.0.1";
    }
  } else if (dns_listen.family() == AF_INET6) {
    const in6_addr& address = reinterpret_cast<const sockaddr_in6*>(&dns_listen.storage)->sin6_addr;
    if (IN6_IS_ADDR_LOOPBACK(&address)) {
      loopback = "[::1]";
    }
  }
  if (loopback.empty()) {
    return;
  }
  auto move = [&loopback](std::string& listen, bool given) {
    if (!given && listen.starts_with(':')) {
      listen = loopback + listen;
    }
  };
  move(options.metrics_listen, options.metrics_explicit);
  move(options.health_listen, options.health_explicit);
  move(options.ready_listen, options.ready_explicit);
}

std::optional<std::chrono::milliseconds> parse_duration(std::string_view text) {
  uint64_t value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end == text.data() || value > 3'600'000) {
    return std::nullopt;
  }
  std::string_view unit(end, static_cast<size_t>(text.data() + text.size() - end));
  uint64_t ms = 0;
  if (unit.empty() || unit == "s") {
    ms = value * 1000;
  } else if (unit == "ms") {
    ms = value;
  } else if (unit == "m") {
    ms = value * 60'000;
  } else {
    return std::nullopt;
  }
  if (ms > 3'600'000) {
    return std::nullopt;
  }
  return std::chrono::milliseconds(ms);
}

}  // namespace vmdns::settings
