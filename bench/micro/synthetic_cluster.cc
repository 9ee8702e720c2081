#include "synthetic_cluster.h"

#include <random>

namespace vmdns::bench {
namespace {

constexpr size_t kVmisPerService = 8;

cluster::IpAddress v4(uint32_t n, uint8_t second_octet) {
  cluster::IpAddress ip;
  ip.family = cluster::IpAddress::Family::V4;
  ip.bytes[0] = 10;
  ip.bytes[1] = static_cast<uint8_t>(second_octet + (n >> 16));
  ip.bytes[2] = static_cast<uint8_t>(n >> 8);
  ip.bytes[3] = static_cast<uint8_t>(n);
  return ip;
}

cluster::IpAddress v6(uint32_t n, uint8_t tag) {
  cluster::IpAddress ip;
  ip.family = cluster::IpAddress::Family::V6;
  ip.bytes[0] = 0xfd;
  ip.bytes[1] = tag;
  ip.bytes[12] = static_cast<uint8_t>(n >> 24);
  ip.bytes[13] = static_cast<uint8_t>(n >> 16);
  ip.bytes[14] = static_cast<uint8_t>(n >> 8);
  ip.bytes[15] = static_cast<uint8_t>(n);
  return ip;
}

cluster::ObjectMeta meta(const std::string& ns, std::string name, cluster::Labels labels = {}) {
  cluster::ObjectMeta m;
  m.namespace_name = ns;
  m.name = std::move(name);
  m.labels = std::move(labels);
  return m;
}

cluster::Service service(const std::string& ns, const std::string& name, cluster::Labels selector,
                         std::vector<cluster::ServicePort> ports) {
  cluster::Service s;
  s.meta = meta(ns, name);
  s.selector = std::move(selector);
  s.headless = true;
  s.ports = std::move(ports);
  return s;
}

// Calls visit(ns, group, first_index, count, dual) for each group of VMIs.
template <typename F>
void for_each_group(size_t vmis, size_t namespaces, F&& visit) {
  size_t made = 0;
  for (size_t group = 0; made < vmis; ++group) {
    size_t count = std::min(kVmisPerService, vmis - made);
    visit("ns-" + std::to_string(group % namespaces), "grp-" + std::to_string(group), group, count,
          (group + 1) % 3 == 0);
    made += count;
  }
}

std::string hostname_of(const std::string& group, size_t i) {
  return i % 4 ? "vm-" + std::to_string(i) : group + "-vmi-" + std::to_string(i);
}

}  // namespace

cluster::State synthetic_cluster(size_t vmis, size_t namespaces) {
  cluster::State state;
  std::mt19937 rng(1);
  uint32_t ip = 0;
  uint32_t cluster_ip = 0;
  for_each_group(vmis, namespaces, [&](const std::string& ns, const std::string& group,
                                       size_t index, size_t count, bool dual) {
    auto headless = service(ns, group, {{"vmgroup", group}}, {{"ssh", "TCP", 22}, {"dns", "UDP", 53}});
    state.services[key_of(headless.meta)] = headless;
    for (size_t i = 0; i < count; ++i) {
      ++ip;
      cluster::VirtualMachineInstance vmi;
      vmi.meta = meta(ns, group + "-vmi-" + std::to_string(i), {{"vmgroup", group}, {"app", group}});
      vmi.hostname = i % 4 ? "vm-" + std::to_string(i) : "";
      vmi.subdomain = group;
      std::vector<cluster::IpAddress> addresses = {v4(ip, 244)};
      if (dual) {
        addresses.push_back(v6(ip, 0x10));
      }
      vmi.set_addresses(std::move(addresses));
      vmi.phase = "Running";
      vmi.ready = rng() % 100 >= 5;
      state.vmis[key_of(vmi.meta)] = vmi;
    }
    ++cluster_ip;
    auto web = service(ns, group + "-web", {{"app", group}}, {{"http", "TCP", 80}, {"metrics", "TCP", 9090}});
    web.headless = false;
    web.cluster_ips.push_back(v4(cluster_ip, 96));
    if (dual) {
      web.cluster_ips.push_back(v6(cluster_ip, 0x96));
    }
    state.services[key_of(web.meta)] = web;
    if (index % 2 == 1) {
      for (size_t i = 0; i < 3; ++i) {
        ++ip;
        cluster::Pod pod;
        pod.meta = meta(ns, group + "-db-" + std::to_string(i), {{"db", group}});
        pod.hostname = "db-" + std::to_string(i);
        pod.subdomain = group + "-db";
        pod.addresses.push_back(v4(ip, 245));
        pod.phase = "Running";
        pod.ready = true;
        state.pods[key_of(pod.meta)] = pod;
      }
      auto db = service(ns, group + "-db", {{"db", group}}, {{"pg", "TCP", 5432}});
      state.services[key_of(db.meta)] = db;
    }
  });
  for (size_t i = 0; i < namespaces; ++i) {
    cluster::Namespace ns;
    ns.meta.namespace_name = {};
    ns.meta.name = "ns-" + std::to_string(i);
    state.namespaces[ns.meta.name] = ns;
  }
  return state;
}

SyntheticNames synthetic_names(size_t vmis, size_t namespaces) {
  SyntheticNames names;
  for_each_group(vmis, namespaces, [&](const std::string& ns, const std::string& group, size_t,
                                       size_t count, bool) {
    for (size_t i = 0; i < count; ++i) {
      names.vmi_names.push_back(hostname_of(group, i) + "." + group + "." + ns + ".svc.cluster.local");
    }
    names.service_names.push_back(group + "-web." + ns + ".svc.cluster.local");
    names.srv_names.push_back("_http._tcp." + group + "-web." + ns + ".svc.cluster.local");
  });
  return names;
}

}  // namespace vmdns::bench
