#include "cli/serve_metrics.h"

#include "dns/types.h"
#include "forward/forward_metrics.h"
#include "metrics/exposition.h"

namespace vmdns::cli {

void ServeMetrics::snapshot_built(const cluster::State& state, const zone::Snapshot& snapshot,
                                  uint64_t generation, std::chrono::nanoseconds build_time) {
  std::map<std::string, uint64_t> records;
  for (const zone::Zone& zone : snapshot.zones()) {
    zone.for_each_node([&records](std::string_view, const zone::Node& node) {
      for (const zone::RrSet& set : node.rrsets) {
        records[dns::rr_type_name(set.type())] += set.size();
      }
    });
  }
  std::lock_guard lock(mutex_);
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

std::string ServeMetrics::render(const ops::ServingState& serving) const {
  using metrics::Labels;
  metrics::Exposition out;
  queries_.write(out, server_);
  if (forwarder_ != nullptr) {
    forward::write_forward_metrics(forwarder_->metrics(), upstreams_, out, server_);
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
    out.family("vmdns_snapshot_generation", "gauge",
               "How many snapshots have been published since the start.");
    out.sample("vmdns_snapshot_generation", Labels{}, generation_);
    out.family("vmdns_snapshot_builds_total", "counter", "Snapshots built and published.");
    out.sample("vmdns_snapshot_builds_total", Labels{}, builds_);
    out.family("vmdns_snapshot_build_duration_seconds", "gauge",
               "How long the last snapshot took to load and build.");
    out.sample("vmdns_snapshot_build_duration_seconds", Labels{}, build_seconds_);
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
  for (const ops::SourceStatus& source : sources) {
    for (const auto& [kind, count] : source.errors) {
      out.sample("vmdns_source_errors_total", Labels{{"source", source.name}, {"kind", kind}},
                 count);
    }
  }
  out.family("vmdns_ready", "gauge", "1 when /ready answers 200.");
  out.sample("vmdns_ready", Labels{}, uint64_t{serving.readiness().ok ? 1u : 0u});
  return out.take();
}

}  // namespace vmdns::cli
