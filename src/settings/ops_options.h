#pragma once
// `vmdns serve`'s operations flags: the metrics, health and readiness listeners, the lame-duck
// period and query logging (daemon/ops_http.h starts the HTTP server that serves them).

#include <CLI/CLI.hpp>
#include <chrono>
#include <optional>
#include <string>

#include "net/listen_address.h"

namespace vmdns::settings {

inline constexpr std::string_view kNoListener = "none";

// An HTTP listener written ":PORT" listens on every address, IPv4 and IPv6, as CoreDNS's
// `prometheus :9153` and `health :8080` do (Go's net.Listen): in a pod, that is the pod's
// address, where kubelet's probes and Prometheus connect.
struct OpsOptions {
  std::string metrics_listen = ":9153";  // CoreDNS's prometheus plugin
  std::string health_listen = ":8080";   // CoreDNS's health plugin
  std::string ready_listen = ":8181";    // CoreDNS's ready plugin
  // Set when the flag was given: a listener that cannot bind is then fatal; a default one that
  // is busy is only a warning, so that a second server on one machine still answers DNS.
  bool metrics_explicit = false;
  bool health_explicit = false;
  bool ready_explicit = false;
  std::string lameduck = "0s";
  bool log_queries = false;
  // Each listener's budget: /health and /ready on ports of their own never share one with
  // /metrics, and no client address holds more than its share of any.
  size_t http_max_connections = 64;
  size_t http_max_connections_per_client = 8;
  std::string http_idle_timeout = "5s";
  std::string http_request_timeout = "5s";
};

void add_ops_options(CLI::App& command, OpsOptions& options);

// When DNS itself listens on a loopback address only (`make run`, a developer's `serve -f x`
// with the default --listen 127.0.0.1:5353), the listeners left at their default move from
// every address to loopback: a server nobody else can query exposes no endpoints either.
// Listeners given with a flag are kept as they are.
//
//   keep_defaults_on_loopback(ops, *parse_listen_address("127.0.0.1:5353", &err));
//   ops.health_listen;   // "127.0.0.1:8080" (":8080" had --listen been 0.0.0.0:53)
void keep_defaults_on_loopback(OpsOptions& options, const net::ListenAddress& dns_listen);

// "5s", "500ms", "1m", "0" (seconds when no unit); nullopt when malformed or above an hour.
std::optional<std::chrono::milliseconds> parse_duration(std::string_view text);

}  // namespace vmdns::settings
