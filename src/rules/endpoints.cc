#include "rules/endpoints.h"

#include <span>
#include <algorithm>
#include <tuple>

#include "cluster/dns1123.h"
#include "cluster/kubevirt.h"
#include "cluster/migration.h"

namespace vmdns::rules {
namespace {

// Workloads in a terminal phase have no endpoints (the EndpointSlice controller skips them).
bool is_terminal(const std::string& phase) {
  return phase == "Succeeded" || phase == "Failed";
}

// Adds one endpoint per address; drop_repeated_addresses() keeps the first of each once the
// Service's workloads are all visited.
void add_addresses(std::span<const cluster::IpAddress> addresses, const std::string& hostname,
                   bool ready, const std::string& workload_name, const EndpointPorts& ports,
                   std::vector<Endpoint>& out) {
  for (const cluster::IpAddress& address : addresses) {
    out.push_back({address, hostname, ready, workload_name, ports});
  }
}

// Up to this many endpoints, repeats are found by comparing each with those before it.
constexpr size_t kLinearRepeatLimit = 16;

// Keeps the first endpoint of each address, in order. Repeats are rare (two workloads claiming
// one address), and a Service has few endpoints or many: a scan for the few, a sort of indexes
// for the many, rather than a node-based set per Service.
void drop_repeated_addresses(std::vector<Endpoint>& endpoints) {
  auto keep_unless = [&endpoints](auto&& is_repeat) {
    size_t kept = 0;
    for (size_t i = 0; i < endpoints.size(); ++i) {
      if (is_repeat(i, kept)) {
        continue;
      }
      if (kept != i) {
        endpoints[kept] = std::move(endpoints[i]);
      }
      ++kept;
    }
    endpoints.resize(kept);
  };
  if (endpoints.size() <= kLinearRepeatLimit) {
    keep_unless([&endpoints](size_t i, size_t kept) {
      return std::any_of(endpoints.begin(), endpoints.begin() + static_cast<ptrdiff_t>(kept),
                         [&](const Endpoint& e) { return e.address == endpoints[i].address; });
    });
    return;
  }
  std::vector<uint32_t> order(endpoints.size());
  for (uint32_t i = 0; i < order.size(); ++i) {
    order[i] = i;
  }
  std::sort(order.begin(), order.end(), [&](uint32_t a, uint32_t b) {
    return std::tie(endpoints[a].address, a) < std::tie(endpoints[b].address, b);
  });
  std::vector<bool> repeated(endpoints.size(), false);
  bool any = false;
  for (size_t k = 1; k < order.size(); ++k) {
    if (endpoints[order[k]].address == endpoints[order[k - 1]].address) {
      repeated[order[k]] = true;
      any = true;
    }
  }
  if (any) {
    keep_unless([&repeated](size_t i, size_t) { return repeated[i]; });
  }
}

// The labels KubeVirt puts on a VMI's virt-launcher pod on top of the VMI's own (see
// cluster::launcher_pod_labels); they win over VMI labels of the same key.
constexpr std::string_view kLauncherKey = "kubevirt.io";
constexpr std::string_view kLauncherValue = "virt-launcher";
constexpr std::string_view kIdKey = "vmi.kubevirt.io/id";
constexpr std::string_view kNameKey = "vm.kubevirt.io/name";

}  // namespace

std::vector<cluster::ServicePort> endpoint_ports(const cluster::Service& service) {
  std::vector<cluster::ServicePort> out;
  for (const cluster::ServicePort& port : service.ports) {
    if (!port.target_port_name.empty()) {
      continue;  // a container port's name: unknown here
    }
    cluster::ServicePort endpoint;
    endpoint.name = port.name;
    endpoint.protocol = port.protocol;
    endpoint.port = port.target_port != 0 ? port.target_port : port.port;
    out.push_back(std::move(endpoint));
  }
  return out;
}

EndpointIndex::EndpointIndex(const cluster::State& state) : vmis_(&state.vmis) {
  index_slices(state, cluster::ObjectKey{}, nullptr);
  workloads_.reserve(state.vmis.size() + state.pods.size());
  for (const auto& [key, vmi] : state.vmis) {
    add_vmi(vmi);
  }
  for (const auto& [key, pod] : state.pods) {
    workloads_.push_back({nullptr, &pod, "", ""});
  }
  index_labels(nullptr);
}

EndpointIndex::EndpointIndex(const cluster::State& state, const std::string& namespace_name)
    : vmis_(&state.vmis) {
  cluster::ObjectKey first{namespace_name, ""};
  index_slices(state, first, &namespace_name);
  auto in_namespace = [&namespace_name](const auto& it, const auto& end) {
    return it != end && it->first.namespace_name == namespace_name;
  };
  for (auto it = state.vmis.lower_bound(first); in_namespace(it, state.vmis.end()); ++it) {
    add_vmi(it->second);
  }
  for (auto it = state.pods.lower_bound(first); in_namespace(it, state.pods.end()); ++it) {
    workloads_.push_back({nullptr, &it->second, "", ""});
  }
  workloads_.shrink_to_fit();
  index_labels(nullptr);
}

EndpointIndex::EndpointIndex(const cluster::State& state, const std::string& namespace_name,
                             const std::vector<const cluster::Service*>& services,
                             const std::vector<const cluster::VirtualMachineInstance*>& vmis,
                             const std::vector<const cluster::Pod*>& pods)
    : vmis_(&state.vmis) {
  std::set<std::pair<std::string_view, std::string_view>> wanted;
  std::set<std::string_view> names;
  for (const cluster::Service* service : services) {
    names.insert(service->meta.name);
    if (service->selector) {
      for (const auto& [key, value] : *service->selector) {
        wanted.emplace(key, value);
      }
    }
  }
  index_slices(state, cluster::ObjectKey{namespace_name, ""}, &namespace_name, &names);
  workloads_.reserve(vmis.size() + pods.size());
  for (const cluster::VirtualMachineInstance* vmi : vmis) {
    add_vmi(*vmi);
  }
  for (const cluster::Pod* pod : pods) {
    workloads_.push_back({nullptr, pod, "", ""});
  }
  index_labels(&wanted);
}

void EndpointIndex::add_vmi(const cluster::VirtualMachineInstance& vmi) {
  workloads_.push_back(
      {&vmi, nullptr, cluster::vmi_id_label_value(vmi.meta.name), cluster::vmi_hostname(vmi)});
}

void EndpointIndex::index_slices(const cluster::State& state, const cluster::ObjectKey& first,
                                 const std::string* only_namespace,
                                 const std::set<std::string_view>* services) {
  // The maps are ordered by namespace first: one namespace is one contiguous range.
  for (auto it = state.endpoint_slices.lower_bound(first); it != state.endpoint_slices.end();
       ++it) {
    if (only_namespace != nullptr && it->first.namespace_name != *only_namespace) {
      break;
    }
    const cluster::EndpointSlice& slice = it->second;
    if (services == nullptr || services->contains(slice.service_name)) {
      slices_[{it->first.namespace_name, slice.service_name}].push_back(&slice);
    }
  }
}

void EndpointIndex::index_labels(
    const std::set<std::pair<std::string_view, std::string_view>>* wanted) {
  auto add = [&](std::string_view ns, std::string_view key, std::string_view value, uint32_t i) {
    if (wanted == nullptr || wanted->contains({key, value})) {
      by_label_[{ns, key, value}].push_back(i);
    }
  };
  for (uint32_t i = 0; i < workloads_.size(); ++i) {
    const Workload& w = workloads_[i];
    const cluster::ObjectMeta& meta = w.vmi ? w.vmi->meta : w.pod->meta;
    std::string_view ns = meta.namespace_name;
    for (const auto& [key, value] : meta.labels) {
      if (w.vmi && (key == kLauncherKey || key == kIdKey || key == kNameKey)) {
        continue;  // the launcher's own value wins
      }
      add(ns, key, value, i);
    }
    if (w.vmi) {
      add(ns, kLauncherKey, kLauncherValue, i);
      add(ns, kIdKey, w.id_label, i);
      add(ns, kNameKey, w.hostname, i);
    }
  }
}

std::optional<std::string_view> EndpointIndex::label(const Workload& workload,
                                                     const std::string& key) const {
  if (workload.vmi) {
    if (key == kLauncherKey) {
      return kLauncherValue;
    }
    if (key == kIdKey) {
      return workload.id_label;
    }
    if (key == kNameKey) {
      return workload.hostname;
    }
  }
  const cluster::Labels& labels =
      workload.vmi ? workload.vmi->meta.labels : workload.pod->meta.labels;
  auto found = labels.find(key);
  if (found == labels.end()) {
    return std::nullopt;
  }
  return found->second;
}

std::vector<Endpoint> EndpointIndex::endpoints_of(const cluster::Service& service) const {
  std::vector<Endpoint> slices = from_slices(service);
  if (!slices.empty()) {
    return slices;
  }
  return from_selector(service);
}

bool EndpointIndex::runs_guest(const std::string& namespace_name,
                               const cluster::EndpointSlice::Endpoint& endpoint) const {
  // "virt-launcher-<vmi>-abcde", or with a long VMI name its first characters: every VMI whose
  // name starts with that prefix is a candidate; the VMIs of a namespace are one sorted range.
  std::string_view middle = cluster::launcher_vmi_name_prefix(endpoint.target_name);
  if (endpoint.target_kind != "Pod" || middle.empty()) {
    return true;
  }
  std::string_view pod = endpoint.target_name;
  for (auto it = vmis_->lower_bound({namespace_name, std::string(middle)});
       it != vmis_->end() && it->first.namespace_name == namespace_name &&
       it->first.name.starts_with(middle);
       ++it) {
    if (cluster::launcher_role(it->second, pod, endpoint.node_name) ==
        cluster::LauncherRole::DoesNotRunGuest) {
      return false;
    }
  }
  return true;
}

EndpointPorts EndpointIndex::shared_ports(const std::vector<cluster::ServicePort>& ports) const {
  // The lists made last first: Services of one application come together and mostly share
  // theirs. A few are enough; looking further would make a namespace of distinct lists cost
  // quadratic time.
  constexpr size_t kLooked = 8;
  for (size_t i = port_lists_.size(); i > 0 && port_lists_.size() - i < kLooked; --i) {
    if (*port_lists_[i - 1] == ports) {
      return port_lists_[i - 1];
    }
  }
  // A copy, of the list's exact size.
  port_lists_.push_back(std::make_shared<const std::vector<cluster::ServicePort>>(ports));
  return port_lists_.back();
}

std::vector<Endpoint> EndpointIndex::from_slices(const cluster::Service& service) const {
  std::vector<Endpoint> out;
  const std::string& ns = service.meta.namespace_name;
  auto found = slices_.find({ns, service.meta.name});
  if (found == slices_.end()) {
    return out;
  }
  for (const cluster::EndpointSlice* slice_pointer : found->second) {
    const cluster::EndpointSlice& slice = *slice_pointer;
    if (slice.address_type == "FQDN" || slice.endpoints.empty()) {
      continue;
    }
    EndpointPorts ports = shared_ports(slice.ports);
    for (const auto& endpoint : slice.endpoints) {
      if (!runs_guest(ns, endpoint)) {
        continue;  // a launcher pod of a migrating VMI that does not run its guest
      }
      add_addresses(endpoint.addresses, endpoint.hostname, endpoint.ready.value_or(true),
                    endpoint.target_name, ports, out);
    }
  }
  drop_repeated_addresses(out);
  return out;
}

std::vector<Endpoint> EndpointIndex::from_selector(const cluster::Service& service) const {
  std::vector<Endpoint> out;
  if (!service.selector || service.selector->empty()) {
    return out;
  }
  // Only the workloads that carry the selector's rarest pair can match all of it.
  const std::string& ns = service.meta.namespace_name;
  const std::vector<uint32_t>* candidates = nullptr;
  for (const auto& [key, value] : *service.selector) {
    auto bucket = by_label_.find({ns, key, value});
    if (bucket == by_label_.end()) {
      return out;  // no workload carries this pair
    }
    if (!candidates || bucket->second.size() < candidates->size()) {
      candidates = &bucket->second;
    }
  }

  const std::string& svc = service.meta.name;
  EndpointPorts ports = shared_ports(endpoint_ports(service));
  for (uint32_t i : *candidates) {
    const Workload& w = workloads_[i];
    bool selected = true;
    for (const auto& [key, value] : *service.selector) {
      std::optional<std::string_view> have = label(w, key);
      if (!have || *have != value) {
        selected = false;
        break;
      }
    }
    if (!selected) {
      continue;
    }
    if (w.vmi) {
      const cluster::VirtualMachineInstance& v = *w.vmi;
      if (is_terminal(v.phase)) {
        continue;
      }
      // KubeVirt copies hostname and subdomain onto the launcher pod, whose spec.hostname is
      // always set (the sanitized VMI name when spec.hostname is empty).
      std::string hostname = v.subdomain == svc ? w.hostname : std::string();
      if (!cluster::is_dns1123_label(hostname)) {
        hostname.clear();  // a truncated name ending in '-': no pod could carry it
      }
      add_addresses(v.addresses(), hostname, v.ready, v.meta.name, ports, out);
    } else {
      const cluster::Pod& p = *w.pod;
      if (is_terminal(p.phase)) {
        continue;
      }
      std::string hostname =
          (!p.hostname.empty() && p.subdomain == svc) ? p.hostname : std::string();
      add_addresses(p.addresses, hostname, p.ready, p.meta.name, ports, out);
    }
  }
  drop_repeated_addresses(out);
  return out;
}

}  // namespace vmdns::rules
