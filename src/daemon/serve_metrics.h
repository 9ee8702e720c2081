#pragma once
// Everything /metrics shows for `vmdns serve`: the coredns_dns_* counters of every worker, the
// forwarder's coredns_forward_* and coredns_cache_*, and vmdns_* for the snapshot and sources.
//
//   ServeMetrics metrics("dns://127.0.0.1:53");
//   QueryCounters& mine = metrics.queries().add_thread();      // per worker, at start
//   metrics.snapshot_built(state, *snapshot, generation, build_time);   // control thread
//   metrics.set_forwarder(forwarder.get(), upstreams);
//   metrics.set_tcp_connections(server.tcp_counters());
//   std::string body = metrics.render(serving_state);          // the HTTP thread

#include <chrono>
#include <map>
#include <mutex>
#include <string>
#include <vector>

#include "cluster/model.h"
#include "daemon/connection_metrics.h"
#include "forward/forwarder.h"
#include "metrics/query_counters.h"
#include "ops/serving_state.h"
#include "notify/notifier.h"
#include "xfr/transfers.h"
#include "zone/snapshot.h"

namespace vmdns::daemon {

class ServeMetrics {
 public:
  explicit ServeMetrics(std::string server_label);

  metrics::QueryMetrics& queries() { return queries_; }

  // After each published snapshot: objects by kind, records by type, its generation and how
  // long it took to load and build; and, for each EndpointSlice whose
  // last-change-trigger-time moved (to a time after this process started), the time from that
  // change to now, when it is served (coredns_kubernetes_dns_programming_duration_seconds).
  void snapshot_built(const cluster::State& state, const zone::Snapshot& snapshot,
                      uint64_t generation, std::chrono::nanoseconds build_time);
  // After each published snapshot: the addresses --address-hold keeps now.
  void set_addresses_held(uint64_t held);
  // Before the server starts; `forwarder` may be null (no upstream).
  void set_forwarder(const forward::Forwarder* forwarder, std::vector<forward::Upstream> upstreams);

  // What DNS over TCP and the HTTP listeners do with their connections; set once each starts.
  void set_tcp_connections(std::shared_ptr<const net::ConnectionCounters> counters);
  void add_http_listener(std::string paths,
                         std::shared_ptr<const net::ConnectionCounters> counters);

  // Zone transfers' counters (vmdns_transfers_total, ...); set once, before the server starts.
  void set_transfers(const xfr::Transfers* transfers) { transfers_ = transfers; }
  // NOTIFY's counters (vmdns_notifies_total); set once, before the first publish, with --notify.
  void set_notifier(const notify::Notifier* notifier) { notifier_ = notifier; }

  std::string render(const ops::ServingState& serving) const;

 private:
  std::string server_;
  metrics::QueryMetrics queries_;
  const forward::Forwarder* forwarder_ = nullptr;
  const xfr::Transfers* transfers_ = nullptr;
  const notify::Notifier* notifier_ = nullptr;
  std::vector<forward::Upstream> upstreams_;

  mutable std::mutex mutex_;  // guards the connection sources and the snapshot figures below
  ConnectionMetrics connections_;
  std::map<std::string, uint64_t> objects_;
  std::map<std::string, uint64_t> records_;
  uint64_t generation_ = 0;
  uint64_t builds_ = 0;
  uint64_t addresses_held_ = 0;
  double build_seconds_ = 0;
  std::chrono::system_clock::time_point built_at_{};
  // By service_kind: cluster_ip, headless_with_selector, headless_without_selector.
  std::map<std::string, metrics::HistogramTotals> programming_;
  // The control thread's only: each slice's trigger time as last seen, and when we started.
  std::map<cluster::ObjectKey, int64_t> trigger_seen_;
  int64_t started_ns_ = 0;
};

}  // namespace vmdns::daemon
