#pragma once
// The vmdns_tcp_* and vmdns_http_* families of /metrics: what DNS over TCP and each HTTP
// listener did with their connections (open, refused at the per-client limit or when full,
// closed to make room, timed out), read from their ConnectionCounters without a lock.
//
//   ConnectionMetrics connections;
//   connections.tcp = server.tcp_counters();
//   connections.http.push_back({"/health", http->counters(0)});
//   write_connection_metrics(connections, out);

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "metrics/exposition.h"
#include "net/connection_counters.h"

namespace vmdns::daemon {

struct ConnectionMetrics {
  std::shared_ptr<const net::ConnectionCounters> tcp;  // null: not started yet
  // Each HTTP listener's counters, labelled with the paths it serves ("/health,/ready").
  std::vector<std::pair<std::string, std::shared_ptr<const net::ConnectionCounters>>> http;
};

void write_connection_metrics(const ConnectionMetrics& connections, metrics::Exposition& out);

}  // namespace vmdns::daemon
