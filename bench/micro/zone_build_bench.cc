// Snapshot build time and the memory a snapshot holds per record.
//
//   build/bench/micro/vmdns_micro_bench --benchmark_filter=ZoneBuild
//
// bytes/record is the heap the snapshot keeps (malloc's in-use bytes with the snapshot alive,
// minus without), so it counts every allocation of the index and the record data.

#include <benchmark/benchmark.h>
#include <malloc.h>

#include "builder/build.h"
#include "synthetic_cluster.h"

namespace vmdns::bench {
namespace {

rules::ZoneConfig bench_config() {
  rules::ZoneConfig config;
  config.zones.push_back(*dns::Name::from_text("cluster.local."));
  config.reverse_zones.push_back(*dns::Name::from_text("10.in-addr.arpa."));
  config.reverse_zones.push_back(*dns::Name::from_text("d.f.ip6.arpa."));
  config.nameserver_addresses.push_back(*cluster::IpAddress::parse("10.96.0.10"));
  return config;
}

size_t heap_in_use() { return mallinfo2().uordblks; }

void BM_ZoneBuild(benchmark::State& state) {
  cluster::State cluster = synthetic_cluster(static_cast<size_t>(state.range(0)));
  rules::ZoneConfig config = bench_config();
  size_t records = 0;
  size_t bytes = 0;
  for (auto _ : state) {
    size_t before = heap_in_use();
    auto snapshot = builder::build(cluster, config);
    bytes = heap_in_use() - before;
    records = snapshot->record_count();
    benchmark::DoNotOptimize(snapshot.get());
    state.PauseTiming();
    snapshot.reset();
    state.ResumeTiming();
  }
  state.counters["records"] = static_cast<double>(records);
  state.counters["objects"] = static_cast<double>(cluster.vmis.size() + cluster.pods.size() +
                                                  cluster.services.size());
  state.counters["bytes/record"] = static_cast<double>(bytes) / static_cast<double>(records);
  state.counters["records/s"] = benchmark::Counter(static_cast<double>(records),
                                                   benchmark::Counter::kIsIterationInvariantRate);
}
BENCHMARK(BM_ZoneBuild)->Arg(1000)->Arg(10000)->Arg(100000)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace vmdns::bench
