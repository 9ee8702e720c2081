#include "zone/pod_rules.h"

#include <vector>

#include "dns/rdata.h"
#include "zone/dashed_name.h"

namespace vmdns::zone {
namespace {

bool is_terminal(const std::string& phase) {
  return phase == "Succeeded" || phase == "Failed";
}

struct WorkloadAddress {
  const std::string* namespace_name;
  cluster::IpAddress address;
};

std::vector<WorkloadAddress> workload_addresses(const cluster::State& state,
                                                const std::set<std::string>& namespaces) {
  std::vector<WorkloadAddress> out;
  auto collect = [&](const auto& objects) {
    for (const auto& [key, object] : objects) {
      if (is_terminal(object.phase) || !namespaces.contains(key.namespace_name)) {
        continue;
      }
      for (const cluster::IpAddress& address : object.addresses) {
        out.push_back({&key.namespace_name, address});
      }
    }
  };
  collect(state.vmis);
  collect(state.pods);
  return out;
}

}  // namespace

void add_pod_records(const cluster::State& state, const ZoneConfig& config, const dns::Name& apex,
                     const std::set<std::string>& namespaces, ZoneBuilder& builder) {
  if (config.pods == PodMode::Disabled) {
    return;
  }
  auto pod = apex.prepend("pod");
  if (!pod) {
    return;
  }
  for (const WorkloadAddress& w : workload_addresses(state, namespaces)) {
    std::string label = dashed_name(w.address);
    auto rdata =
        w.address.is_v4() ? dns::rdata::a(w.address.v4()) : dns::rdata::aaaa(w.address.bytes);
    auto type = w.address.is_v4() ? dns::RrType::A : dns::RrType::AAAA;
    auto add_under = [&](const std::string& ns) {
      auto ns_name = pod->prepend(ns);
      if (auto owner = ns_name ? ns_name->prepend(label) : std::nullopt) {
        builder.add(*owner, type, config.ttl, rdata);
      }
    };
    if (config.pods == PodMode::Verified) {
      add_under(*w.namespace_name);
    } else {
      for (const std::string& ns : namespaces) {
        add_under(ns);
      }
    }
  }
}

}  // namespace vmdns::zone
