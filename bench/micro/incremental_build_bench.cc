// What one change costs the control thread: a VMI migrates (its address changes) and the
// snapshot is rebuilt incrementally (builder::SnapshotBuilder), against the full build of the same
// cluster (BM_ZoneBuild).
//
//   build/bench/micro/vmdns_micro_bench --benchmark_filter=IncrementalBuild

#include <benchmark/benchmark.h>

#include <algorithm>
#include <random>
#include <vector>

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
  cluster::IpAddress before = vmi.addresses().front();
  cluster::IpAddress after = *cluster::IpAddress::parse("10.255.255.254");
  bool moved = false;
  for (auto _ : state) {
    vmi.interfaces.front().addresses.front() = moved ? before : after;
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

// A batch: N VMIs move to another /24 (and back on the next batch) and the snapshot is rebuilt
// once, as the control loop does with the changes of a settle window (bench/kube_chaos makes
// about 5,000 a build). The reverse zones are vmdns's defaults, in-addr.arpa and ip6.arpa, so
// each block is a shard shared by many Services.
void BM_IncrementalBatch(benchmark::State& state) {
  cluster::State cluster = synthetic_cluster(static_cast<size_t>(state.range(0)));
  size_t changes = static_cast<size_t>(state.range(1));
  rules::ZoneConfig config;
  config.zones.push_back(*dns::Name::from_text("cluster.local."));
  config.nameserver_addresses.push_back(*cluster::IpAddress::parse("10.96.0.10"));
  config.reverse_zones.push_back(*dns::Name::from_text("in-addr.arpa."));
  config.reverse_zones.push_back(*dns::Name::from_text("ip6.arpa."));
  builder::SnapshotBuilder builder;
  auto snapshot = builder.build(cluster, config);
  std::vector<cluster::VirtualMachineInstance*> all;
  for (auto& [key, vmi] : cluster.vmis) {
    all.push_back(&vmi);
  }
  std::mt19937 rng(7);
  std::shuffle(all.begin(), all.end(), rng);
  all.resize(std::min(changes, all.size()));
  builder::ChangedObjects changed;
  for (const cluster::VirtualMachineInstance* vmi : all) {
    changed.vmis.insert(key_of(vmi->meta));
  }
  for (auto _ : state) {
    for (cluster::VirtualMachineInstance* vmi : all) {
      // 10.244.x.y <-> 10.176.x.y: another block of the reverse zone, and back.
      vmi->interfaces.front().addresses.front().bytes[1] ^= 0x44;
    }
    snapshot = builder.build(cluster, config, &changed);
    benchmark::DoNotOptimize(snapshot.get());
  }
  state.counters["services rebuilt"] = static_cast<double>(builder.last_services_rebuilt());
  state.counters["of services"] = static_cast<double>(cluster.services.size());
  state.counters["reverse blocks rebuilt"] =
      static_cast<double>(builder.last_reverse_blocks_rebuilt());
  state.counters["per change"] = benchmark::Counter(
      static_cast<double>(changes), benchmark::Counter::kIsIterationInvariantRate |
                                        benchmark::Counter::kInvert);
}
// Args: VMIs, VMIs changed per build.
BENCHMARK(BM_IncrementalBatch)
    ->Args({100000, 1})
    ->Args({100000, 100})
    ->Args({100000, 1000})
    ->Args({100000, 5000})
    ->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace vmdns::bench
