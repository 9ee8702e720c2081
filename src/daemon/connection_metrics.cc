#include "daemon/connection_metrics.h"

namespace vmdns::daemon {
namespace {

using metrics::Labels;
using net::ConnectionCounters;

uint64_t read(const std::atomic<uint64_t>& counter) {
  return counter.load(std::memory_order_relaxed);
}

// One family per figure, each with a series per listener (`label` names it; none for TCP).
void write_family(metrics::Exposition& out, const std::string& prefix,
                  const std::vector<std::pair<Labels, const ConnectionCounters*>>& listeners) {
  auto each = [&](std::string_view suffix, std::string_view type, std::string_view help,
                  auto sample) {
    std::string name = prefix + std::string(suffix);
    out.family(name, type, help);
    for (const auto& [labels, counters] : listeners) {
      sample(name, labels, *counters);
    }
  };
  each("_connections", "gauge", "Connections open now.",
       [&](const std::string& name, const Labels& labels, const ConnectionCounters& c) {
         out.sample(name, labels, read(c.open));
       });
  each("_clients", "gauge",
       "Client addresses (IPv6: --client-ipv6-prefix) holding a connection now.",
       [&](const std::string& name, const Labels& labels, const ConnectionCounters& c) {
         out.sample(name, labels, read(c.clients));
       });
  each("_connections_accepted_total", "counter", "Connections accepted.",
       [&](const std::string& name, const Labels& labels, const ConnectionCounters& c) {
         out.sample(name, labels, read(c.accepted));
       });
  each("_connections_refused_total", "counter",
       "Connections closed as soon as accepted: the client held its limit (client_limit), or "
       "every connection was taken and no client held more than this one (full).",
       [&](const std::string& name, const Labels& labels, const ConnectionCounters& c) {
         Labels with = labels;
         with.push_back({"reason", "client_limit"});
         out.sample(name, with, read(c.refused_client_limit));
         with.back().value = "full";
         out.sample(name, with, read(c.refused_full));
       });
  each("_connections_evicted_total", "counter",
       "Connections of the client holding the most closed to make room for a client holding "
       "fewer.",
       [&](const std::string& name, const Labels& labels, const ConnectionCounters& c) {
         out.sample(name, labels, read(c.evicted));
       });
  each("_connections_timed_out_total", "counter",
       "Connections closed by a timeout: nothing received (idle), or a query or request begun "
       "and not finished in time (request).",
       [&](const std::string& name, const Labels& labels, const ConnectionCounters& c) {
         Labels with = labels;
         with.push_back({"timeout", "idle"});
         out.sample(name, with, read(c.timed_out_idle));
         with.back().value = "request";
         out.sample(name, with, read(c.timed_out_request));
       });
}

}  // namespace

void write_connection_metrics(const ConnectionMetrics& connections, metrics::Exposition& out) {
  if (connections.tcp) {
    write_family(out, "vmdns_tcp", {{Labels{}, connections.tcp.get()}});
  }
  if (!connections.http.empty()) {
    std::vector<std::pair<Labels, const ConnectionCounters*>> listeners;
    for (const auto& [paths, counters] : connections.http) {
      listeners.push_back({Labels{{"endpoints", paths}}, counters.get()});
    }
    write_family(out, "vmdns_http", listeners);
  }
}

}  // namespace vmdns::daemon
