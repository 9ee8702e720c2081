// The answer path for each kind of answer, over the snapshot of a synthetic cluster of 10,000
// VMIs (/10000) or 100,000 (/100000, where the zone's tables no longer fit the caches).
//
//   build/bench/micro/vmdns_micro_bench --benchmark_filter=Answer
//
// Each benchmark cycles through many distinct names of its kind, so that hash lookups and
// copies touch memory the way a real query mix does rather than one hot cache line. The names
// come in the cluster's order (one Service after the next) except in the *Shuffled variants,
// which ask them in a random order, as dnsperf's query mix does.

#include <benchmark/benchmark.h>

#include <algorithm>
#include <array>
#include <map>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "builder/build.h"
#include "query/answer.h"
#include "synthetic_cluster.h"
#include "testing/dns_text.h"

namespace vmdns::bench {
namespace {

// One snapshot and name list per cluster size, built on first use and kept for every benchmark.
struct Cluster {
  std::shared_ptr<const zone::Snapshot> snapshot;
  SyntheticNames names;
};

const Cluster& cluster(const benchmark::State& state) {
  static std::map<size_t, Cluster> built;
  auto vmis = static_cast<size_t>(state.range(0));
  auto it = built.find(vmis);
  if (it == built.end()) {
    rules::ZoneConfig config;
    config.zones.push_back(*dns::Name::from_text("cluster.local."));
    config.reverse_zones.push_back(*dns::Name::from_text("10.in-addr.arpa."));
    config.nameserver_addresses.push_back(*cluster::IpAddress::parse("10.96.0.10"));
    it = built.emplace(vmis, Cluster{builder::build(synthetic_cluster(vmis), config),
                                     synthetic_names(vmis)}).first;
  }
  return it->second;
}

const SyntheticNames& names(const benchmark::State& state) { return cluster(state).names; }

std::vector<std::vector<uint8_t>> queries(const std::vector<std::string>& owners, dns::RrType type,
                                          const std::string& suffix = "", bool edns = true) {
  std::vector<std::vector<uint8_t>> out;
  for (const std::string& owner : owners) {
    out.push_back(testing::make_query({.name = owner + suffix, .type = type, .edns = edns}));
  }
  return out;
}

// `rotate`: each answer with the next rotation, as --loadbalance asks for them.
void run(benchmark::State& state, const std::vector<std::vector<uint8_t>>& packets,
         net::Transport transport = net::Transport::Udp, bool rotate = false) {
  const zone::Snapshot& zone = *cluster(state).snapshot;
  std::array<uint8_t, 65535> out{};
  size_t i = 0;
  uint32_t rotation = 0;
  for (auto _ : state) {
    const std::vector<uint8_t>& q = packets[i++ % packets.size()];
    auto result = query::answer(&zone, q, out, transport, rotate ? ++rotation : 0);
    benchmark::DoNotOptimize(result.length);
  }
  state.SetItemsProcessed(state.iterations());
}

// `names` in a random order, the same on every run.
std::vector<std::string> shuffled(std::vector<std::string> names) {
  std::mt19937 random(42);
  std::shuffle(names.begin(), names.end(), random);
  return names;
}

void BM_AnswerPositiveA(benchmark::State& state) {
  run(state, queries(names(state).vmi_names, dns::RrType::A));
}
void BM_AnswerNoData(benchmark::State& state) {
  run(state, queries(names(state).vmi_names, dns::RrType::MX));
}
void BM_AnswerNxDomainSearchMiss(benchmark::State& state) {
  run(state, queries(names(state).vmi_names, dns::RrType::A, ".ns-1.svc.cluster.local"));
}
void BM_AnswerServiceA(benchmark::State& state) {
  run(state, queries(names(state).service_names, dns::RrType::A));
}
void BM_AnswerPositiveAShuffled(benchmark::State& state) {
  run(state, queries(shuffled(names(state).vmi_names), dns::RrType::A));
}
void BM_AnswerServiceAShuffled(benchmark::State& state) {
  run(state, queries(shuffled(names(state).service_names), dns::RrType::A));
}
// --loadbalance: the headless Services' 8 addresses rotated, and the SRV targets' additionals.
void BM_AnswerServiceARotated(benchmark::State& state) {
  run(state, queries(names(state).service_names, dns::RrType::A), net::Transport::Udp, true);
}
void BM_AnswerSrvWithAdditionalsRotated(benchmark::State& state) {
  run(state, queries(names(state).srv_names, dns::RrType::SRV), net::Transport::Udp, true);
}
void BM_AnswerSrvWithAdditionals(benchmark::State& state) {
  run(state, queries(names(state).srv_names, dns::RrType::SRV));
}
void BM_AnswerPtr(benchmark::State& state) {
  std::vector<std::string> owners;
  for (uint32_t n = 1; n <= 2000; ++n) {
    owners.push_back(std::to_string(n & 0xFF) + "." + std::to_string(n >> 8) +
                     ".244.10.in-addr.arpa");
  }
  run(state, queries(owners, dns::RrType::PTR));
}
void BM_AnswerTruncated(benchmark::State& state) {
  // The bare headless Service name without EDNS: every VMI's address does not fit 512 octets
  // for the biggest groups, so some answers set TC.
  std::vector<std::string> owners;
  for (const std::string& srv : names(state).srv_names) {
    owners.push_back(srv.substr(std::string("_http._tcp.").size()));
  }
  run(state, queries(owners, dns::RrType::SRV, "", false));
}

BENCHMARK(BM_AnswerPositiveA)->Arg(10000)->Arg(100000);
BENCHMARK(BM_AnswerNoData)->Arg(10000)->Arg(100000);
BENCHMARK(BM_AnswerNxDomainSearchMiss)->Arg(10000)->Arg(100000);
BENCHMARK(BM_AnswerServiceA)->Arg(10000)->Arg(100000);
BENCHMARK(BM_AnswerPositiveAShuffled)->Arg(10000)->Arg(100000);
BENCHMARK(BM_AnswerServiceAShuffled)->Arg(10000)->Arg(100000);
BENCHMARK(BM_AnswerSrvWithAdditionals)->Arg(10000)->Arg(100000);
BENCHMARK(BM_AnswerServiceARotated)->Arg(10000)->Arg(100000);
BENCHMARK(BM_AnswerSrvWithAdditionalsRotated)->Arg(10000)->Arg(100000);
BENCHMARK(BM_AnswerPtr)->Arg(10000)->Arg(100000);
BENCHMARK(BM_AnswerTruncated)->Arg(10000)->Arg(100000);

}  // namespace
}  // namespace vmdns::bench
