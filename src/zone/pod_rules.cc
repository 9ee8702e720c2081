#include "zone/pod_rules.h"

#include <optional>
#include <span>
#include <vector>

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
  // Under every namespace (insecure), or under the workload's own; workloads come namespace by
  // namespace, so the verified owner's suffix is built once per namespace.
  std::vector<dns::Name> every_namespace;
  if (config.pods == PodMode::Insecure) {
    for (const std::string& ns : namespaces) {
      if (auto ns_name = pod->prepend(ns)) {
        every_namespace.push_back(*ns_name);
      }
    }
  }
  const std::string* own_namespace = nullptr;
  std::optional<dns::Name> own_name;
  for (const WorkloadAddress& w : workload_addresses(state, namespaces)) {
    std::string label = dashed_name(w.address);
    // A and AAAA rdata are the address octets themselves.
    std::span<const uint8_t> rdata = w.address.is_v4() ? std::span(w.address.bytes).first(4)
                                                      : std::span<const uint8_t>(w.address.bytes);
    auto type = w.address.is_v4() ? dns::RrType::A : dns::RrType::AAAA;
    auto add_under = [&](const dns::Name& ns_name) {
      if (auto owner = ns_name.prepend(label)) {
        builder.add(*owner, type, config.ttl, rdata);
      }
    };
    if (config.pods == PodMode::Verified) {
      if (own_namespace != w.namespace_name) {
        own_namespace = w.namespace_name;
        own_name = pod->prepend(*own_namespace);
      }
      if (own_name) {
        add_under(*own_name);
      }
    } else {
      for (const dns::Name& ns_name : every_namespace) {
        add_under(ns_name);
      }
    }
  }
}

}  // namespace vmdns::zone
