#include "daemon/serve_metrics.h"

#include <algorithm>
#include <array>

#include "dns/types.h"
#include "forward/forward_metrics.h"
#include "metrics/exposition.h"

namespace vmdns::daemon {
namespace {

// CoreDNS's buckets for the programming duration: 1 ms doubling 20 times, to about 17 minutes.
constexpr std::array<uint64_t, 20> kProgrammingBoundsNs = [] {
  std::array<uint64_t, 20> bounds{};
  for (size_t i = 0; i < bounds.size(); ++i) {
    bounds[i] = uint64_t{1'000'000} << i;
  }
  return bounds;
}();
constexpr metrics::Buckets kProgrammingBuckets{kProgrammingBoundsNs, 1e9};

int64_t now_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// The label CoreDNS gives the Service a slice belongs to; empty when it is not known.
std::string service_kind(const cluster::State& state, const cluster::EndpointSlice& slice) {
  auto service = state.services.find({slice.meta.namespace_name, slice.service_name});
  if (service == state.services.end()) {
    return "";
  }
  if (!service->second.headless) {
    return "cluster_ip";
  }
  const auto& selector = service->second.selector;
  return selector && !selector->empty() ? "headless_with_selector" : "headless_without_selector";
}

}  // namespace

void ServeMetrics::set_addresses_held(uint64_t held) {
  std::lock_guard lock(mutex_);
  addresses_held_ = held;
}

ServeMetrics::ServeMetrics(std::string server_label)
    : server_(std::move(server_label)), started_ns_(now_ns()) {}

void ServeMetrics::snapshot_built(const cluster::State& state, const zone::Snapshot& snapshot,
                                  uint64_t generation, std::chrono::nanoseconds build_time) {
  // Each part of the snapshot keeps its count by type: an unchanged part costs one short read.
  std::map<std::string, uint64_t> records;
  for (const auto& [type, count] : snapshot.record_counts()) {
    records[dns::rr_type_name(type)] += count;
  }
  // The slices whose change is served from now on. A slice listed at start carries a change
  // made before this process ran: not a latency of ours.
  int64_t now = now_ns();
  std::vector<std::pair<std::string, uint64_t>> programmed;
  for (const auto& [key, slice] : state.endpoint_slices) {
    int64_t trigger = slice.last_change_trigger_ns;
    if (trigger == 0) {
      continue;
    }
    auto [seen, inserted] = trigger_seen_.try_emplace(key, trigger);
    if (!inserted && seen->second == trigger) {
      continue;
    }
    seen->second = trigger;
    std::string kind = service_kind(state, slice);
    if (trigger >= started_ns_ && !kind.empty()) {
      programmed.emplace_back(std::move(kind),
                              static_cast<uint64_t>(std::max<int64_t>(now - trigger, 0)));
    }
  }
  if (trigger_seen_.size() > 2 * state.endpoint_slices.size() + 64) {
    std::erase_if(trigger_seen_, [&state](const auto& entry) {
      return !state.endpoint_slices.contains(entry.first);
    });
  }

  std::lock_guard lock(mutex_);
  for (const auto& [kind, elapsed] : programmed) {
    metrics::HistogramTotals& totals =
        programming_.try_emplace(kind, kProgrammingBuckets).first->second;
    size_t bucket = 0;
    while (bucket < kProgrammingBoundsNs.size() && elapsed > kProgrammingBoundsNs[bucket]) {
      ++bucket;
    }
    ++totals.counts[bucket];
    ++totals.count;
    totals.sum += elapsed;
  }
  objects_ = {{"VirtualMachineInstance", state.vmis.size()},
              {"Pod", state.pods.size()},
              {"Service", state.services.size()},
              {"EndpointSlice", state.endpoint_slices.size()},
              {"Namespace", state.namespaces.size()}};
  records_ = std::move(records);
  generation_ = generation;
  ++builds_;
  build_seconds_ = std::chrono::duration<double>(build_time).count();
  built_at_ = std::chrono::system_clock::now();
}

void ServeMetrics::set_forwarder(const forward::Forwarder* forwarder,
                                 std::vector<forward::Upstream> upstreams) {
  forwarder_ = forwarder;
  upstreams_ = std::move(upstreams);
}

void ServeMetrics::set_tcp_connections(std::shared_ptr<const net::ConnectionCounters> counters) {
  std::lock_guard lock(mutex_);
  connections_.tcp = std::move(counters);
}

void ServeMetrics::add_http_listener(std::string paths,
                                     std::shared_ptr<const net::ConnectionCounters> counters) {
  std::lock_guard lock(mutex_);
  connections_.http.emplace_back(std::move(paths), std::move(counters));
}

std::string ServeMetrics::render(const ops::ServingState& serving) const {
  using metrics::Labels;
  metrics::Exposition out;
  queries_.write(out, server_);
  if (forwarder_ != nullptr) {
    forward::write_forward_metrics(forwarder_->metrics(), upstreams_, out, server_);
  }

  if (transfers_ != nullptr) {
    transfers_->write_metrics(out);
  }
  if (notifier_ != nullptr) {
    notifier_->write_metrics(out);
  }
  out.family("vmdns_build_info", "gauge", "A metric with a constant 1 labelled by the version.");
  out.sample("vmdns_build_info", Labels{{"version", VMDNS_VERSION}}, uint64_t{1});
  {
    std::lock_guard lock(mutex_);
    out.family("vmdns_objects", "gauge", "Cluster objects in the published snapshot, by kind.");
    for (const auto& [kind, count] : objects_) {
      out.sample("vmdns_objects", Labels{{"kind", kind}}, count);
    }
    out.family("vmdns_records", "gauge", "Records in the published snapshot, by type.");
    for (const auto& [type, count] : records_) {
      out.sample("vmdns_records", Labels{{"type", type}}, count);
    }
    out.family("vmdns_addresses_held", "gauge",
               "VMI addresses the status no longer lists that --address-hold keeps served.");
    out.sample("vmdns_addresses_held", Labels{}, addresses_held_);
    out.family("vmdns_snapshot_generation", "gauge",
               "How many snapshots have been published since the start.");
    out.sample("vmdns_snapshot_generation", Labels{}, generation_);
    out.family("vmdns_snapshot_builds_total", "counter", "Snapshots built and published.");
    out.sample("vmdns_snapshot_builds_total", Labels{}, builds_);
    out.family("vmdns_snapshot_build_duration_seconds", "gauge",
               "How long the last snapshot took to load and build.");
    out.sample("vmdns_snapshot_build_duration_seconds", Labels{}, build_seconds_);
    write_connection_metrics(connections_, out);
    if (!programming_.empty()) {
      out.family("coredns_kubernetes_dns_programming_duration_seconds", "histogram",
                 "Seconds from an endpoint change (its EndpointSlice's last-change-trigger-time) "
                 "to the first snapshot that serves it.");
      for (const auto& [kind, totals] : programming_) {
        out.histogram("coredns_kubernetes_dns_programming_duration_seconds",
                      Labels{{"service_kind", kind}}, totals);
      }
    }
    if (builds_ > 0) {
      out.family("vmdns_snapshot_published_timestamp_seconds", "gauge",
                 "When the last snapshot was published, in seconds since the Unix epoch.");
      out.sample("vmdns_snapshot_published_timestamp_seconds", Labels{},
                 std::chrono::duration<double>(built_at_.time_since_epoch()).count());
    }
  }

  auto now = std::chrono::system_clock::now();
  std::vector<ops::SourceStatus> sources = serving.sources();
  out.family("vmdns_source_sync_state", "gauge",
             "Each source's sync state: 1 for the state it is in, 0 for the others.");
  for (const ops::SourceStatus& source : sources) {
    for (ops::SyncState state :
         {ops::SyncState::NotYet, ops::SyncState::Synced, ops::SyncState::Lost}) {
      out.sample(
          "vmdns_source_sync_state",
          Labels{{"source", source.name}, {"state", std::string(ops::sync_state_name(state))}},
          uint64_t{source.state == state ? 1u : 0u});
    }
  }
  out.family("vmdns_source_last_sync_age_seconds", "gauge",
             "Seconds since each source last completed a successful sync.");
  for (const ops::SourceStatus& source : sources) {
    if (source.last_sync != std::chrono::system_clock::time_point{}) {
      out.sample("vmdns_source_last_sync_age_seconds", Labels{{"source", source.name}},
                 std::chrono::duration<double>(now - source.last_sync).count());
    }
  }
  out.family("vmdns_source_errors_total", "counter",
             "Errors met reading each source, by kind (manifest: a bad object or file; watch: "
             "a failed list or watch).");
  for (const auto& [source, kinds] : serving.source_errors()) {
    for (const auto& [kind, count] : kinds) {
      out.sample("vmdns_source_errors_total", Labels{{"source", source}, {"kind", kind}}, count);
    }
  }
  out.family("vmdns_ready", "gauge", "1 when /ready answers 200.");
  out.sample("vmdns_ready", Labels{}, uint64_t{serving.readiness().ok ? 1u : 0u});
  return out.take();
}

}  // namespace vmdns::daemon
