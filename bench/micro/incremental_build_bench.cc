// What one change costs the control thread: a VMI migrates (its address changes) and the
// snapshot is rebuilt incrementally (builder::SnapshotBuilder), against the full build of the same
// cluster (BM_ZoneBuild).
//
//   build/bench/micro/vmdns_micro_bench --benchmark_filter=IncrementalBuild

#include <benchmark/benchmark.h>

#include "builder/snapshot_builder.h"
#include "synthetic_cluster.h"

namespace vmdns::bench {
namespace {

void BM_IncrementalBuild(benchmark::State& state) {
  cluster::State cluster = synthetic_cluster(static_cast<size_t>(state.range(0)));
  rules::ZoneConfig config;
  config.zones.push_back(*dns::Name::from_text("cluster.local."));
  config.nameserver_addresses.push_back(*cluster::IpAddress::parse("10.96.0.10"));
  if (state.range(1) != 0) {
    config.reverse_zones.push_back(*dns::Name::from_text("10.in-addr.arpa."));
    config.reverse_zones.push_back(*dns::Name::from_text("d.f.ip6.arpa."));
  }
  config.pods = static_cast<rules::PodMode>(state.range(2));
  builder::SnapshotBuilder builder;
  auto snapshot = builder.build(cluster, config);
  // The first VMI migrates back and forth between two addresses.
  auto& [key, vmi] = *cluster.vmis.begin();
  cluster::IpAddress before = vmi.addresses.front();
  cluster::IpAddress after = *cluster::IpAddress::parse("10.255.255.254");
  bool moved = false;
  for (auto _ : state) {
    vmi.addresses.front() = moved ? before : after;
    moved = !moved;
    builder::ChangedObjects changed;
    changed.vmis.insert(key);
    snapshot = builder.build(cluster, config, &changed);
    benchmark::DoNotOptimize(snapshot.get());
  }
  state.counters["records"] = static_cast<double>(snapshot->record_count());
  state.counters["services rebuilt"] = static_cast<double>(builder.last_services_rebuilt());
}
// Args: VMIs, reverse zones (0 or 1), --pods (zone::PodMode: 0 disabled, 1 insecure, 2 verified).
BENCHMARK(BM_IncrementalBuild)
    ->Args({1000, 0, 0})
    ->Args({10000, 0, 0})
    ->Args({100000, 0, 0})
    ->Args({100000, 1, 0})
    ->Args({100000, 1, 1})
    ->Args({100000, 1, 2})
    ->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace vmdns::bench
