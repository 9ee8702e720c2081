// The answer path for each kind of answer, over the snapshot of a 10,000-VMI synthetic cluster.
//
//   build/bench/micro/vmdns_micro_bench --benchmark_filter=Answer
//
// Each benchmark cycles through many distinct names of its kind, so that hash lookups and
// copies touch memory the way a real query mix does rather than one hot cache line.

#include <benchmark/benchmark.h>

#include <array>
#include <memory>
#include <string>
#include <vector>

#include "query/answer.h"
#include "synthetic_cluster.h"
#include "testing/dns_text.h"
#include "zone/build.h"

namespace vmdns::bench {
namespace {

constexpr size_t kVmis = 10000;

const zone::Snapshot& snapshot() {
  static std::shared_ptr<const zone::Snapshot> built = [] {
    zone::ZoneConfig config;
    config.zones.push_back(*dns::Name::from_text("cluster.local."));
    config.reverse_zones.push_back(*dns::Name::from_text("10.in-addr.arpa."));
    config.nameserver_addresses.push_back(*cluster::IpAddress::parse("10.96.0.10"));
    return zone::build(synthetic_cluster(kVmis), config);
  }();
  return *built;
}

const SyntheticNames& names() {
  static SyntheticNames all = synthetic_names(kVmis);
  return all;
}

std::vector<std::vector<uint8_t>> queries(const std::vector<std::string>& owners, dns::RrType type,
                                          const std::string& suffix = "", bool edns = true) {
  std::vector<std::vector<uint8_t>> out;
  for (const std::string& owner : owners) {
    out.push_back(testing::make_query({.name = owner + suffix, .type = type, .edns = edns}));
  }
  return out;
}

void run(benchmark::State& state, const std::vector<std::vector<uint8_t>>& packets,
         query::Transport transport = query::Transport::Udp) {
  const zone::Snapshot& zone = snapshot();
  std::array<uint8_t, 65535> out{};
  size_t i = 0;
  for (auto _ : state) {
    const std::vector<uint8_t>& q = packets[i++ % packets.size()];
    auto result = query::answer(&zone, q, out, transport);
    benchmark::DoNotOptimize(result.length);
  }
  state.SetItemsProcessed(state.iterations());
}

void BM_AnswerPositiveA(benchmark::State& state) {
  run(state, queries(names().vmi_names, dns::RrType::A));
}
void BM_AnswerNoData(benchmark::State& state) {
  run(state, queries(names().vmi_names, dns::RrType::MX));
}
void BM_AnswerNxDomainSearchMiss(benchmark::State& state) {
  run(state, queries(names().vmi_names, dns::RrType::A, ".ns-1.svc.cluster.local"));
}
void BM_AnswerServiceA(benchmark::State& state) {
  run(state, queries(names().service_names, dns::RrType::A));
}
void BM_AnswerSrvWithAdditionals(benchmark::State& state) {
  run(state, queries(names().srv_names, dns::RrType::SRV));
}
void BM_AnswerPtr(benchmark::State& state) {
  std::vector<std::string> owners;
  for (uint32_t n = 1; n <= 2000; ++n) {
    owners.push_back(std::to_string(n & 0xFF) + "." + std::to_string(n >> 8) + ".244.10.in-addr.arpa");
  }
  run(state, queries(owners, dns::RrType::PTR));
}
void BM_AnswerTruncated(benchmark::State& state) {
  // The bare headless Service name without EDNS: every VMI's address does not fit 512 octets
  // for the biggest groups, so some answers set TC.
  std::vector<std::string> owners;
  for (const std::string& srv : names().srv_names) {
    owners.push_back(srv.substr(std::string("_http._tcp.").size()));
  }
  run(state, queries(owners, dns::RrType::SRV, "", false));
}

BENCHMARK(BM_AnswerPositiveA);
BENCHMARK(BM_AnswerNoData);
BENCHMARK(BM_AnswerNxDomainSearchMiss);
BENCHMARK(BM_AnswerServiceA);
BENCHMARK(BM_AnswerSrvWithAdditionals);
BENCHMARK(BM_AnswerPtr);
BENCHMARK(BM_AnswerTruncated);

}  // namespace
}  // namespace vmdns::bench
