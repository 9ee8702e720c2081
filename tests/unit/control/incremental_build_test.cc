// An incremental build (builder::SnapshotBuilder fed by ClusterStore::take_changes) serves exactly
// the records a full build of the same state does, over sequences of random changes of every
// kind: adds, modifications and deletions, migrations, namespaces appearing and disappearing,
// objects defined by two origins, and each of the zone options that adds records (with the vm
// zone, --vm-zone-pod-network turned on and off as a reload does).

#include <gtest/gtest.h>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <functional>
#include <optional>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "builder/build.h"
#include "builder/snapshot_builder.h"
#include "control/cluster_store.h"
#include "query/synthesized_node.h"
#include "zone/pod_leaves.h"
#include "zone/zone_diff.h"
#include "zone/zone_text.h"

namespace vmdns::control {
namespace {

std::string zones_text(const zone::Snapshot& snapshot) {
  std::ostringstream out;
  for (const zone::Zone& z : snapshot.zones()) {
    out << "; zone " << z.apex().to_text() << "\n";
    zone::write_zone_text(z, out);
  }
  return out.str();
}

cluster::IpAddress ip(const std::string& text) { return *cluster::IpAddress::parse(text); }

// The client search index, one sorted line per address: "<octets in hex> <list>; <domain>".
std::string clients_text(const zone::Snapshot& snapshot) {
  std::vector<std::string> lines;
  snapshot.clients().for_each([&lines](std::string_view octets, const zone::ClientSearch& c) {
    std::string line;
    for (char octet : octets) {
      line += fmt::format("{:02x}", static_cast<uint8_t>(octet));
    }
    for (const dns::Name& name : c.search) {
      line += " " + name.to_text();
    }
    lines.push_back(line + "; " + c.namespace_domain.to_text());
  });
  std::sort(lines.begin(), lines.end());
  std::string out;
  for (const std::string& line : lines) {
    out += line + "\n";
  }
  return out;
}

// Random objects from small pools of names, labels and addresses, so that changes collide:
// two workloads with one address, an endpoint address that is also a cluster IP, a Service
// whose name a subdomain names, a slice that moves from one Service to another.
class RandomCluster {
 public:
  explicit RandomCluster(uint32_t seed) : random_(seed) {}

  sources::Object object() {
    switch (pick(6)) {
      case 0:
      case 1:
        return vmi();
      case 2:
        return pod();
      case 3:
        return service();
      case 4:
        return slice();
      default:
        return namespace_object();
    }
  }

  sources::ObjectRef ref() {
    static const sources::ObjectKind kinds[] = {
        sources::ObjectKind::VirtualMachineInstance, sources::ObjectKind::Pod,
        sources::ObjectKind::Service, sources::ObjectKind::EndpointSlice,
        sources::ObjectKind::Namespace};
    sources::ObjectKind kind = kinds[pick(5)];
    if (kind == sources::ObjectKind::Namespace) {
      return {kind, {"", one_of({"a", "b", "d"})}};
    }
    std::string name;
    switch (kind) {
      case sources::ObjectKind::VirtualMachineInstance:
        name = one_of({"v0", "v1", "v2", "v3", "v4", "v5"});
        break;
      case sources::ObjectKind::Pod:
        name = pod_name();
        break;
      case sources::ObjectKind::Service:
        name = one_of({"web", "db", "grp", "ext"});
        break;
      default:
        name = one_of({"s0", "s1"});
    }
    return {kind, {namespace_name(), name}};
  }

  size_t pick(size_t n) { return std::uniform_int_distribution<size_t>(0, n - 1)(random_); }

 private:
  std::string one_of(std::initializer_list<const char*> values) {
    return *(values.begin() + pick(values.size()));
  }
  std::string namespace_name() { return one_of({"a", "a", "b", "c"}); }
  // Plain pods, and the launcher pods of VMIs v0 and v1 on both sides of a migration.
  std::string pod_name() {
    return one_of({"p0", "p1", "p2", "virt-launcher-v0-aaaaa", "virt-launcher-v0-bbbbb",
                   "virt-launcher-v1-bbbbb"});
  }
  cluster::Labels labels() {
    cluster::Labels out;
    if (pick(4) != 0) {
      out["app"] = one_of({"web", "db"});
    }
    if (pick(2) == 0) {
      out["tier"] = one_of({"front", "back"});
    }
    if (pick(6) == 0) {
      // A label KubeVirt overrides on a VMI's launcher pod, and a Pod may carry itself.
      out["kubevirt.io"] = one_of({"virt-launcher", "other"});
    }
    return out;
  }
  std::vector<cluster::IpAddress> addresses() {
    std::vector<cluster::IpAddress> out;
    size_t n = pick(3);
    for (size_t i = 0; i < n; ++i) {
      out.push_back(ip(one_of({"10.0.0.1", "10.0.0.2", "10.0.0.3", "10.0.1.4", "10.96.0.1",
                               "fd00::1", "fd00::2"})));
    }
    return out;
  }
  std::string phase() { return one_of({"Running", "Running", "Running", "Pending", "Succeeded"}); }

  cluster::VirtualMachineInstance vmi() {
    cluster::VirtualMachineInstance v;
    v.meta.namespace_name = namespace_name();
    v.meta.name = one_of({"v0", "v1", "v2", "v3", "v4", "v5"});
    v.meta.labels = labels();
    v.hostname = one_of({"", "", "h1", "h2"});
    v.subdomain = one_of({"", "web", "grp"});
    std::vector<cluster::IpAddress> first = addresses();
    if (pick(5) != 0) {
      v.interfaces.push_back({"default", first, true});
    } else {
      // Not on the pod network: its first interface is a secondary one.
      v.interfaces.push_back({"net0", first, false});
    }
    if (pick(2) == 0) {
      v.interfaces.push_back({"net1", {ip(one_of({"10.1.0.1", "10.1.0.2"}))}, false});
    }
    v.phase = phase();
    v.ready = pick(4) != 0;
    v.paused = pick(8) == 0;
    // Live migrations: which of the VMI's launcher pods in the slices runs the guest.
    v.node_name = one_of({"node-a", "node-b"});
    if (pick(2) == 0) {
      cluster::MigrationState m;
      m.source_node = "node-a";
      m.target_node = "node-b";
      if (pick(2) == 0) {
        m.target_pod = "virt-launcher-" + v.meta.name + "-bbbbb";
        if (pick(2) == 0) {
          m.source_pod = "virt-launcher-" + v.meta.name + "-aaaaa";
        }
      }
      m.completed = pick(3) == 0;
      m.failed = !m.completed && pick(4) == 0;
      v.migration = m;
    }
    return v;
  }

  cluster::Pod pod() {
    cluster::Pod p;
    p.meta.namespace_name = namespace_name();
    p.meta.name = pod_name();
    p.meta.labels = labels();
    p.hostname = one_of({"", "ph"});
    p.subdomain = one_of({"", "db"});
    p.addresses = addresses();
    p.phase = phase();
    p.ready = pick(4) != 0;
    return p;
  }

  cluster::Service service() {
    cluster::Service s;
    s.meta.namespace_name = namespace_name();
    s.meta.name = one_of({"web", "db", "grp", "ext"});
    switch (pick(4)) {
      case 0:
        s.headless = true;
        break;
      case 1:
        s.cluster_ips.push_back(ip(one_of({"10.96.0.1", "10.0.0.1", "10.96.0.2"})));
        if (pick(2) == 0) {
          s.cluster_ips.push_back(ip("fd00::96"));
        }
        break;
      case 2:
        s.type = cluster::ServiceType::ExternalName;
        s.external_name = one_of({"example.com", "10.0.0.9", ""});
        break;
      default:
        s.headless = true;
        s.type = cluster::ServiceType::NodePort;
    }
    if (pick(4) != 0) {
      cluster::Labels selector;
      selector["app"] = one_of({"web", "db"});
      if (pick(3) == 0) {
        selector["tier"] = "front";
      }
      if (pick(5) == 0) {
        selector["vm.kubevirt.io/name"] = one_of({"h1", "v2"});
      }
      if (pick(6) == 0) {
        selector["kubevirt.io"] = "virt-launcher";
      }
      if (pick(8) == 0) {
        selector["vmi.kubevirt.io/id"] = one_of({"v0", "v1"});
      }
      s.selector = selector;
    }
    s.ports.push_back({"http", "TCP", 80});
    if (pick(2) == 0) {
      s.ports.push_back({pick(2) == 0 ? "" : "dns", "UDP", 53});
    }
    s.publish_not_ready_addresses = pick(4) == 0;
    return s;
  }

  cluster::EndpointSlice slice() {
    cluster::EndpointSlice e;
    e.meta.namespace_name = namespace_name();
    e.meta.name = one_of({"s0", "s1"});
    e.service_name = one_of({"web", "db", "grp"});
    e.address_type = pick(5) == 0 ? "FQDN" : "IPv4";
    size_t n = pick(3);
    for (size_t i = 0; i < n; ++i) {
      cluster::EndpointSlice::Endpoint endpoint;
      endpoint.addresses.push_back(ip(one_of({"10.0.0.2", "10.0.2.1", "10.96.0.2"})));
      if (pick(3) == 0) {
        endpoint.ready = pick(2) == 0;
      }
      endpoint.hostname = one_of({"", "e1"});
      if (pick(2) == 0) {
        endpoint.target_kind = "VirtualMachineInstance";
        endpoint.target_name = one_of({"v0", "v1"});
      } else {
        // A virt-launcher pod of a VMI, on either side of a migration.
        endpoint.target_kind = "Pod";
        endpoint.target_name = "virt-launcher-" + one_of({"v0", "v1", "v2"}) + "-" +
                               one_of({"aaaaa", "bbbbb"});
        endpoint.node_name = one_of({"node-a", "node-b", ""});
      }
      e.endpoints.push_back(endpoint);
    }
    e.ports.push_back({"http", "TCP", 8080});
    return e;
  }

  cluster::Namespace namespace_object() {
    cluster::Namespace n;
    n.meta.namespace_name = "";
    n.meta.name = one_of({"a", "b", "d"});
    return n;
  }

  std::mt19937 random_;
};

rules::ZoneConfig base_config() {
  rules::ZoneConfig config;
  config.zones.push_back(*dns::Name::from_text("cluster.local"));
  // An address the workloads take too, so that the apex NS follows the Services fronting it.
  config.nameserver_addresses.push_back(ip("10.0.0.2"));
  return config;
}

struct Variant {
  const char* name;
  std::function<void(rules::ZoneConfig&)> configure;
};

std::vector<Variant> variants() {
  return {
      {"defaults", [](rules::ZoneConfig&) {}},
      {"pods insecure, reverse zones, vm zone, endpoint pod names, ignore empty",
       [](rules::ZoneConfig& c) {
         c.pods = rules::PodMode::Insecure;
         for (const char* zone : {"10.in-addr.arpa", "0.0.10.in-addr.arpa", "d.f.ip6.arpa"}) {
           c.reverse_zones.push_back(*dns::Name::from_text(zone));
         }
         c.vm_zone = *dns::Name::from_text("vm");
         c.endpoint_pod_names = true;
         c.ignore_empty_service = true;
       }},
      {"vm zone with the pod network, reverse zones, endpoint pod names",
       [](rules::ZoneConfig& c) {
         for (const char* zone : {"10.in-addr.arpa", "0.0.10.in-addr.arpa", "ip6.arpa"}) {
           c.reverse_zones.push_back(*dns::Name::from_text(zone));
         }
         c.vm_zone = *dns::Name::from_text("vm");
         c.vm_zone_pod_network = true;
         c.endpoint_pod_names = true;
       }},
      {"pods verified, two zones, client search, --namespaces",
       [](rules::ZoneConfig& c) {
         c.pods = rules::PodMode::Verified;
         c.zones.push_back(*dns::Name::from_text("example.org"));
         // A /32 zone: its one address is in the zone's top, not in a block.
         for (const char* zone : {"in-addr.arpa", "4.1.0.10.in-addr.arpa", "ip6.arpa"}) {
           c.reverse_zones.push_back(*dns::Name::from_text(zone));
         }
         c.client_search = true;
         c.namespaces = {"a", "b", "d"};
       }},
  };
}

TEST(IncrementalBuild, EqualsFullBuildOverRandomChanges) {
  for (const Variant& variant : variants()) {
    for (uint32_t seed = 1; seed <= 4; ++seed) {
      SCOPED_TRACE(std::string(variant.name) + ", seed " + std::to_string(seed));
      RandomCluster random(seed);
      rules::ZoneConfig config = base_config();
      variant.configure(config);
      ClusterStore store;
      builder::SnapshotBuilder builder;
      size_t incremental = 0;
      for (uint32_t step = 1; step <= 150; ++step) {
        config.serial = step;
        size_t changes = 1 + random.pick(4);
        for (size_t i = 0; i < changes; ++i) {
          switch (random.pick(8)) {
            case 0:
            case 1:
              store.remove("api", random.ref());
              break;
            case 2: {
              // A second origin defines some of the same objects (a file next to the API).
              cluster::State file;
              for (size_t n = random.pick(3); n > 0; --n) {
                sources::Object object = random.object();
                std::visit(
                    [&file](auto& o) {
                      using T = std::decay_t<decltype(o)>;
                      if constexpr (std::is_same_v<T, cluster::VirtualMachineInstance>) {
                        file.vmis[cluster::key_of(o.meta)] = o;
                      } else if constexpr (std::is_same_v<T, cluster::Service>) {
                        file.services[cluster::key_of(o.meta)] = o;
                      }
                    },
                    object);
              }
              store.replace_origin("file", std::move(file));
              break;
            }
            default:
              store.upsert("api", random.object());
          }
        }
        if (config.vm_zone && random.pick(50) == 0) {
          // A reload turns --vm-zone-pod-network on or off: the next build is a full one.
          config.vm_zone_pod_network = !config.vm_zone_pod_network;
        }
        builder::ChangedObjects changed = store.take_changes();
        auto updated = builder.build(store.state(), config, &changed);
        incremental += builder.last_build_was_incremental() ? 1 : 0;
        auto full = builder::build(store.state(), config);
        ASSERT_EQ(zones_text(*updated), zones_text(*full)) << "step " << step;
        ASSERT_EQ(clients_text(*updated), clients_text(*full)) << "step " << step;
        ASSERT_EQ(updated->clients().client_count(), full->clients().client_count());
        ASSERT_EQ(updated->record_count(), full->record_count());
      }
      // The first build is full, the others incremental but after a reload's flip.
      EXPECT_GE(incremental, 135u);
    }
  }
}

// Unchanged Services keep their parts: the next snapshot points at the same shards.
TEST(IncrementalBuild, SharesTheShardsOfUnchangedServices) {
  ClusterStore store;
  auto service = [](const std::string& name, const std::string& app) {
    cluster::Service s;
    s.meta.name = name;
    s.headless = true;
    s.selector = cluster::Labels{{"app", app}};
    return s;
  };
  auto vmi = [](const std::string& name, const std::string& app, const std::string& address) {
    cluster::VirtualMachineInstance v;
    v.meta.name = name;
    v.meta.labels = {{"app", app}};
    v.set_addresses({ip(address)});
    v.phase = "Running";
    v.ready = true;
    return v;
  };
  store.upsert("api", service("web", "web"));
  store.upsert("api", service("db", "db"));
  store.upsert("api", vmi("w1", "web", "10.0.0.1"));
  store.upsert("api", vmi("d1", "db", "10.0.0.2"));
  rules::ZoneConfig config = base_config();
  builder::SnapshotBuilder builder;
  builder::ChangedObjects changed = store.take_changes();
  auto first = builder.build(store.state(), config, &changed);
  EXPECT_FALSE(builder.last_build_was_incremental());

  store.upsert("api", vmi("w1", "web", "10.0.0.3"));  // w1 migrates
  changed = store.take_changes();
  auto second = builder.build(store.state(), config, &changed);
  EXPECT_TRUE(builder.last_build_was_incremental());
  EXPECT_EQ(builder.last_services_rebuilt(), 1u);

  auto shard = [](const zone::Snapshot& s, const std::string& apex) -> const zone::Zone* {
    for (const auto& part : s.zones().front().shards()->zones()) {
      if (part && part->apex().to_text() == apex) {
        return part.get();
      }
    }
    return nullptr;
  };
  ASSERT_NE(shard(*first, "db.default.svc.cluster.local."), nullptr);
  EXPECT_EQ(shard(*first, "db.default.svc.cluster.local."),
            shard(*second, "db.default.svc.cluster.local."));
  EXPECT_NE(shard(*first, "web.default.svc.cluster.local."),
            shard(*second, "web.default.svc.cluster.local."));
  EXPECT_EQ(zones_text(*second), zones_text(*builder::build(store.state(), config)));
}

// A namespace of many VMIs: a VMI's change, its relabeling and a Service's new selector each look
// at the workloads the affected Services select (found through the index of selected label
// pairs), not at the namespace; a selector by a pair no Service had walks it once.
TEST(IncrementalBuild, AChangeLooksAtWhatItsServicesSelectNotTheNamespace) {
  constexpr int kGroups = 100;
  constexpr int kPerGroup = 4;
  ClusterStore store;
  auto service = [](const std::string& name, cluster::Labels selector) {
    cluster::Service s;
    s.meta.namespace_name = "default";
    s.meta.name = name;
    s.headless = true;
    s.selector = std::move(selector);
    return s;
  };
  auto vmi = [](int group, int i, const std::string& address) {
    cluster::VirtualMachineInstance v;
    v.meta.namespace_name = "default";
    v.meta.name = fmt::format("g{}-vmi-{}", group, i);
    v.meta.labels = {{"group", fmt::format("g{}", group)}};
    v.set_addresses({ip(address)});
    v.phase = "Running";
    v.ready = true;
    return v;
  };
  for (int g = 0; g < kGroups; ++g) {
    store.upsert("api", service(fmt::format("g{}", g), {{"group", fmt::format("g{}", g)}}));
    for (int i = 0; i < kPerGroup; ++i) {
      store.upsert("api", vmi(g, i, fmt::format("10.1.{}.{}", g, i + 1)));
    }
  }
  rules::ZoneConfig config = base_config();
  builder::SnapshotBuilder builder;
  builder::ChangedObjects changed = store.take_changes();
  builder.build(store.state(), config, &changed);

  struct Step {
    const char* what;
    std::function<void()> change;
    size_t services_rebuilt;
    size_t workloads_looked_at;  // candidates of the endpoint index and workloads walked
  };
  const std::vector<Step> steps = {
      {"a VMI's address", [&] { store.upsert("api", vmi(7, 1, "10.2.0.1")); }, 1, kPerGroup},
      {"a VMI moves to another group",
       [&] {
         cluster::VirtualMachineInstance v = vmi(7, 1, "10.2.0.1");
         v.meta.labels["group"] = "g8";
         store.upsert("api", v);
       },
       2, 2 * kPerGroup},
      {"a VMI goes", [&] { store.remove("api", {sources::ObjectKind::VirtualMachineInstance,
                                                {"default", "g9-vmi-0"}}); },
       1, kPerGroup - 1},
      {"a Service selects by a known pair",
       [&] { store.upsert("api", service("g3", {{"group", "g4"}})); }, 1, kPerGroup},
      {"a Service selects by a new pair: one walk",
       [&] { store.upsert("api", service("g3", {{"tier", "db"}})); }, 1,
       kGroups * kPerGroup - 1},
  };
  for (const Step& step : steps) {
    SCOPED_TRACE(step.what);
    size_t walked = builder.workloads_walked();
    step.change();
    changed = store.take_changes();
    auto updated = builder.build(store.state(), config, &changed);
    ASSERT_TRUE(builder.last_build_was_incremental());
    EXPECT_EQ(builder.last_services_rebuilt(), step.services_rebuilt);
    EXPECT_EQ(builder.last_endpoint_candidates() + builder.workloads_walked() - walked,
              step.workloads_looked_at);
    EXPECT_EQ(zones_text(*updated), zones_text(*builder::build(store.state(), config)));
  }
}

// A reverse zone is a top and one shard per /24 (or IPv6 /112): a migration rebuilds the blocks
// of the old and the new address; the others stay shared.
TEST(IncrementalBuild, RebuildsOnlyTheReverseBlocksAChangeTouches) {
  ClusterStore store;
  cluster::Service web;
  web.meta.name = "web";
  web.headless = true;
  web.selector = cluster::Labels{{"app", "web"}};
  store.upsert("api", web);
  auto vmi = [](const std::string& name, const std::string& address) {
    cluster::VirtualMachineInstance v;
    v.meta.name = name;
    v.meta.labels = {{"app", "web"}};
    v.set_addresses({ip(address)});
    v.phase = "Running";
    v.ready = true;
    return v;
  };
  store.upsert("api", vmi("a", "10.0.1.1"));
  store.upsert("api", vmi("b", "10.0.2.1"));
  store.upsert("api", vmi("c", "fd00::1"));
  rules::ZoneConfig config = base_config();
  config.reverse_zones = {*dns::Name::from_text("in-addr.arpa"), *dns::Name::from_text("ip6.arpa")};
  builder::SnapshotBuilder builder;
  builder::ChangedObjects changed = store.take_changes();
  auto first = builder.build(store.state(), config, &changed);

  store.upsert("api", vmi("a", "10.0.3.1"));  // a migrates to another /24
  changed = store.take_changes();
  auto second = builder.build(store.state(), config, &changed);
  ASSERT_TRUE(builder.last_build_was_incremental());
  EXPECT_EQ(builder.last_reverse_blocks_rebuilt(), 2u);  // 1.0.10 (now empty) and 3.0.10

  auto block = [](const zone::Snapshot& s, const std::string& apex) -> const zone::Zone* {
    for (const zone::Zone& z : s.zones()) {
      if (z.shards() == nullptr) {
        continue;
      }
      for (const auto& part : z.shards()->zones()) {
        if (part && part->apex().to_text() == apex) {
          return part.get();
        }
      }
    }
    return nullptr;
  };
  EXPECT_NE(block(*first, "2.0.10.in-addr.arpa."), nullptr);
  EXPECT_EQ(block(*first, "2.0.10.in-addr.arpa."), block(*second, "2.0.10.in-addr.arpa."));
  const char* v6_block = "0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.d.f.ip6.arpa.";
  EXPECT_NE(block(*first, v6_block), nullptr);
  EXPECT_EQ(block(*first, v6_block), block(*second, v6_block));
  EXPECT_NE(block(*first, "1.0.10.in-addr.arpa."), nullptr);
  EXPECT_EQ(block(*second, "1.0.10.in-addr.arpa."), nullptr);
  EXPECT_NE(block(*second, "3.0.10.in-addr.arpa."), nullptr);
  EXPECT_EQ(zones_text(*second), zones_text(*builder::build(store.state(), config)));
}

// Several Services with PTRs in one block, in two namespaces: each step (a Service's addresses
// leave the block or the zones, come back, the Service goes) is built incrementally and equals
// a full build; the targets of an address keep the order of the Services' keys.
TEST(IncrementalBuild, ServicesSharingAReverseBlockComeAndGo) {
  struct Step {
    const char* what;
    const char* ns;
    const char* service;
    const char* address;  // the one VMI's address; nullptr: the Service and its VMI go
  };
  const std::vector<Step> steps = {
      {"b/web in 10.0.1", "b", "web", "10.0.1.1"},
      {"a/web shares the address", "a", "web", "10.0.1.1"},
      {"a/api shares the block", "a", "api", "10.0.1.2"},
      {"b/web to another block", "b", "web", "10.0.2.1"},
      {"b/web out of the reverse zones", "b", "web", "192.168.0.1"},
      {"b/web back to the shared address", "b", "web", "10.0.1.1"},
      {"a/web goes", "a", "web", nullptr},
      {"a/web comes back", "a", "web", "10.0.1.1"},
      {"a/api goes", "a", "api", nullptr},
  };
  ClusterStore store;
  rules::ZoneConfig config = base_config();
  config.reverse_zones = {*dns::Name::from_text("10.in-addr.arpa")};
  builder::SnapshotBuilder builder;
  auto first = store.take_changes();
  builder.build(store.state(), config, &first);
  for (const Step& step : steps) {
    SCOPED_TRACE(step.what);
    cluster::Service service;
    service.meta.namespace_name = step.ns;
    service.meta.name = step.service;
    service.headless = true;
    service.selector = cluster::Labels{{"app", step.service}};
    cluster::VirtualMachineInstance vmi;
    vmi.meta = service.meta;
    vmi.meta.name = std::string(step.service) + "-0";
    vmi.meta.labels = {{"app", step.service}};
    vmi.phase = "Running";
    vmi.ready = true;
    if (step.address == nullptr) {
      store.remove("api", {sources::ObjectKind::Service, cluster::key_of(service.meta)});
      store.remove("api", {sources::ObjectKind::VirtualMachineInstance, cluster::key_of(vmi.meta)});
    } else {
      vmi.set_addresses({ip(step.address)});
      store.upsert("api", service);
      store.upsert("api", vmi);
    }
    ++config.serial;
    builder::ChangedObjects changed = store.take_changes();
    auto updated = builder.build(store.state(), config, &changed);
    ASSERT_TRUE(builder.last_build_was_incremental());
    ASSERT_EQ(zones_text(*updated), zones_text(*builder::build(store.state(), config)));
  }
}

// pod.<zone> with verified keeps its names in buckets: a migration rebuilds the buckets of the
// old and the new address. With insecure there are no names to keep: every namespace answers
// any address, made at query time, and a workload's change rebuilds no bucket.
TEST(IncrementalBuild, PodNamesRebuildOnlyTheBucketsAChangeTouches) {
  for (rules::PodMode mode : {rules::PodMode::Insecure, rules::PodMode::Verified}) {
    SCOPED_TRACE(mode == rules::PodMode::Insecure ? "insecure" : "verified");
    ClusterStore store;
    auto vmi = [](const std::string& ns, const std::string& name, const std::string& address) {
      cluster::VirtualMachineInstance v;
      v.meta.namespace_name = ns;
      v.meta.name = name;
      v.set_addresses({ip(address)});
      v.phase = "Running";
      return v;
    };
    for (int i = 0; i < 50; ++i) {
      store.upsert("api", vmi("a", "v" + std::to_string(i), "10.0.0." + std::to_string(i + 1)));
    }
    store.upsert("api", vmi("b", "w", "fd00::1"));
    cluster::Namespace empty;
    empty.meta.name = "c";  // a namespace without workloads
    store.upsert("api", empty);
    rules::ZoneConfig config = base_config();
    config.pods = mode;
    builder::SnapshotBuilder builder;
    builder::ChangedObjects changed = store.take_changes();
    builder.build(store.state(), config, &changed);

    store.upsert("api", vmi("a", "v0", "10.0.9.9"));  // v0 migrates
    changed = store.take_changes();
    auto snapshot = builder.build(store.state(), config, &changed);
    ASSERT_TRUE(builder.last_build_was_incremental());
    bool insecure = mode == rules::PodMode::Insecure;
    EXPECT_LE(builder.last_pod_buckets_rebuilt(), insecure ? 0u : 2u);
    EXPECT_EQ(zones_text(*snapshot), zones_text(*builder::build(store.state(), config)));

    const zone::Zone& cluster_zone = *snapshot->find_zone(*dns::Name::from_text("cluster.local"));
    auto exists = [&cluster_zone](const char* name) {
      query::SynthesizedNode made;
      return made.find(cluster_zone, *dns::Name::from_text(name)) != nullptr;
    };
    EXPECT_TRUE(exists("10-0-9-9.a.pod.cluster.local"));
    EXPECT_EQ(exists("10-0-0-1.a.pod.cluster.local"), insecure);  // v0's old address
    EXPECT_TRUE(exists("10-0-0-2.a.pod.cluster.local"));
    EXPECT_EQ(exists("10-0-0-2.b.pod.cluster.local"), insecure);
    EXPECT_EQ(exists("10-0-0-2.c.pod.cluster.local"), insecure);
    EXPECT_EQ(exists("c.pod.cluster.local"), insecure);  // an empty non-terminal, or nothing
    EXPECT_TRUE(exists("fd00--1.b.pod.cluster.local"));
    EXPECT_EQ(exists("fd00--1.a.pod.cluster.local"), insecure);
    EXPECT_FALSE(exists("10-0-0-2.nosuch.pod.cluster.local"));
    EXPECT_FALSE(exists("x.10-0-0-2.a.pod.cluster.local"));
    EXPECT_FALSE(exists("010-0-0-2.a.pod.cluster.local"));  // not an address
    EXPECT_FALSE(exists("10-0-0-2.pod.cluster.local"));     // no namespace
    EXPECT_TRUE(exists("pod.cluster.local"));
    // The names held: insecure holds none below the namespaces.
    size_t names = 0;
    cluster_zone.for_each_node([&names](std::string_view wire, const zone::Node&) {
      names += dns::Name::from_wire(std::span(reinterpret_cast<const uint8_t*>(wire.data()),
                                              wire.size()))
                       ->is_subdomain_of(*dns::Name::from_text("pod.cluster.local"))
                   ? 1
                   : 0;
    });
    // pod and its namespaces (with verified those with addresses), and the verified addresses.
    EXPECT_EQ(names, insecure ? 1 + 3 : 1 + 2 + 51);
  }
}

// A workload's change rebuilds the index buckets of the addresses it drops and gains only; the
// clients of the others are the very same objects.
TEST(IncrementalBuild, ClientSearchRebuildsOnlyTheBucketsAChangeTouches) {
  ClusterStore store;
  auto vmi = [](const std::string& name, const std::string& address) {
    cluster::VirtualMachineInstance v;
    v.meta.name = name;
    v.meta.namespace_name = "a";
    v.hostname = name;
    v.subdomain = "sub";
    v.set_addresses({ip(address)});
    v.phase = "Running";
    return v;
  };
  for (int i = 0; i < 200; ++i) {
    store.upsert("api", vmi("v" + std::to_string(i), "10.0." + std::to_string(i / 100) + "." +
                                                         std::to_string(i % 100 + 1)));
  }
  rules::ZoneConfig config = base_config();
  config.client_search = true;
  builder::SnapshotBuilder builder;
  builder::ChangedObjects changed = store.take_changes();
  auto before = builder.build(store.state(), config, &changed);
  EXPECT_EQ(before->clients().client_count(), 200u);
  const zone::ClientSearch* unchanged = before->clients().find(std::vector<uint8_t>{10, 0, 1, 50});
  ASSERT_NE(unchanged, nullptr);

  store.upsert("api", vmi("v0", "10.0.9.9"));  // v0 migrates
  changed = store.take_changes();
  auto after = builder.build(store.state(), config, &changed);
  ASSERT_TRUE(builder.last_build_was_incremental());
  EXPECT_LE(builder.last_client_buckets_rebuilt(), 2u);
  EXPECT_EQ(clients_text(*after), clients_text(*builder::build(store.state(), config)));
  EXPECT_EQ(after->clients().find(std::vector<uint8_t>{10, 0, 0, 1}), nullptr);
  const zone::ClientSearch* moved = after->clients().find(std::vector<uint8_t>{10, 0, 9, 9});
  ASSERT_NE(moved, nullptr);
  EXPECT_EQ(moved->search.front().to_text(), "sub.a.svc.cluster.local.");
  EXPECT_EQ(after->clients().find(std::vector<uint8_t>{10, 0, 1, 50}), unchanged);
  EXPECT_EQ(after->clients().client_count(), 200u);
}

// During a live migration the guest asks from the launcher pod that runs it: a change of the
// launcher pod alone (it appears, gets its address, goes) moves the guest's claim in an
// incremental build as in a full one.
TEST(IncrementalBuild, ClientSearchFollowsTheLauncherPodThatRunsTheGuest) {
  ClusterStore store;
  cluster::VirtualMachineInstance v;
  v.meta.name = "db";
  v.meta.namespace_name = "a";
  v.subdomain = "sub";
  v.set_addresses({ip("10.0.1.7")});
  v.phase = "Running";
  v.node_name = "node-b";
  cluster::MigrationState m;
  m.source_node = "node-a";
  m.target_node = "node-b";
  m.target_pod = "virt-launcher-db-bbbbb";
  m.completed = true;
  v.migration = m;
  store.upsert("api", v);
  auto launcher = [](const std::string& name, const std::string& address) {
    cluster::Pod p;
    p.meta.name = name;
    p.meta.namespace_name = "a";
    p.addresses = {ip(address)};
    p.phase = "Running";
    return p;
  };
  store.upsert("api", launcher("virt-launcher-db-aaaaa", "10.0.1.7"));
  rules::ZoneConfig config = base_config();
  config.client_search = true;
  builder::SnapshotBuilder builder;
  auto step = [&](const char* what) {
    SCOPED_TRACE(what);
    builder::ChangedObjects changed = store.take_changes();
    auto snapshot = builder.build(store.state(), config, &changed);
    EXPECT_TRUE(builder.last_build_was_incremental());
    EXPECT_EQ(clients_text(*snapshot), clients_text(*builder::build(store.state(), config)));
    return snapshot;
  };
  builder::ChangedObjects changed = store.take_changes();
  builder.build(store.state(), config, &changed);
  const std::vector<uint8_t> target{10, 0, 2, 9};
  store.upsert("api", launcher("virt-launcher-db-bbbbb", "10.0.2.9"));
  auto appeared = step("the target pod appears with its address");
  ASSERT_NE(appeared->clients().find(target), nullptr);
  EXPECT_EQ(appeared->clients().find(target)->search.front().to_text(),
            "sub.a.svc.cluster.local.");
  store.remove("api", {sources::ObjectKind::Pod, {"a", "virt-launcher-db-bbbbb"}});
  EXPECT_EQ(step("the target pod goes")->clients().find(target), nullptr);
}

// The --vm-zone keeps its VMIs' names in buckets by the VMI's name: a VMI's change rebuilds its
// own bucket, not its namespace, however many VMIs the namespace holds; the other buckets are
// the very same objects in the next snapshot, and a zone transfer's diff reads only the
// rebuilt one. A namespace named "ns" shares its name with the nameserver's, ns.<zone>, which
// keeps its addresses whatever that namespace holds.
TEST(IncrementalBuild, VmZoneRebuildsOnlyTheBucketOfTheVmiThatChanged) {
  ClusterStore store;
  auto vmi = [](const std::string& ns, const std::string& name, const std::string& address) {
    cluster::VirtualMachineInstance v;
    v.meta.namespace_name = ns;
    v.meta.name = name;
    v.phase = "Running";
    v.interfaces.push_back({"default", {ip("10.244.0.1")}, true});
    v.interfaces.push_back({"net1", {ip(address)}, false});
    return v;
  };
  for (int i = 0; i < 300; ++i) {
    store.upsert("api", vmi("a", "v" + std::to_string(i),
                            "10.2." + std::to_string(i / 200) + "." + std::to_string(i % 200 + 1)));
  }
  store.upsert("api", vmi("b", "w", "10.1.0.2"));
  store.upsert("api", vmi("ns", "v3", "10.1.0.3"));
  rules::ZoneConfig config = base_config();
  config.vm_zone = *dns::Name::from_text("vm");
  config.reverse_zones.push_back(*dns::Name::from_text("in-addr.arpa"));
  builder::SnapshotBuilder builder;
  builder::ChangedObjects changed = store.take_changes();
  auto before = builder.build(store.state(), config, &changed);
  auto vm_zone = [](const zone::Snapshot& snapshot) {
    return snapshot.find_zone(*dns::Name::from_text("vm"));
  };
  auto node = [&](const zone::Snapshot& snapshot, const char* name) {
    return vm_zone(snapshot)->find(*dns::Name::from_text(name));
  };
  auto answers = [&](const zone::Snapshot& snapshot, const char* name) {
    const zone::Node* n = node(snapshot, name);
    return n != nullptr && !n->rrsets().empty();
  };
  ASSERT_NE(vm_zone(*before), nullptr);
  EXPECT_TRUE(answers(*before, "ns.vm"));
  EXPECT_TRUE(answers(*before, "v3.ns.vm"));
  EXPECT_TRUE(answers(*before, "net1.v1.a.vm"));
  EXPECT_TRUE(answers(*before, "v299.a.vm"));

  store.upsert("api", vmi("a", "v1", "10.1.0.9"));  // v1 moves on its secondary network
  store.remove("api", {sources::ObjectKind::VirtualMachineInstance, {"ns", "v3"}});
  changed = store.take_changes();
  auto after = builder.build(store.state(), config, &changed);
  ASSERT_TRUE(builder.last_build_was_incremental());
  EXPECT_LE(builder.last_vm_buckets_rebuilt(), 2u);
  EXPECT_EQ(zones_text(*after), zones_text(*builder::build(store.state(), config)));
  // Names in untouched buckets are the same nodes: their buckets are shared.
  size_t shared = 0;
  for (auto [name, vmi_label] : {std::pair{"v2.a.vm", "v2"},
                                 {"net1.v299.a.vm", "v299"},
                                 {"net1.w.b.vm", "w"},
                                 {"v150.a.vm", "v150"}}) {
    SCOPED_TRACE(name);
    ASSERT_NE(node(*before, name), nullptr);
    size_t bucket = zone::PodLeaves::bucket_of(vmi_label);
    if (bucket != zone::PodLeaves::bucket_of("v1") && bucket != zone::PodLeaves::bucket_of("v3")) {
      EXPECT_EQ(node(*after, name), node(*before, name));
      ++shared;
    }
  }
  EXPECT_GE(shared, 3u);
  EXPECT_TRUE(answers(*after, "ns.vm"));
  EXPECT_NE(node(*after, "ns.vm"), nullptr);
  EXPECT_EQ(node(*after, "v3.ns.vm"), nullptr);
  EXPECT_NE(node(*after, "a.vm"), nullptr);  // an empty non-terminal
  EXPECT_TRUE(answers(*after, "net1.v1.a.vm"));
  EXPECT_EQ(node(*after, "x.net1.v1.a.vm"), nullptr);
  std::string text = zones_text(*after);
  EXPECT_NE(text.find("9.0.1.10.in-addr.arpa.\t"), std::string::npos) << text;
  EXPECT_EQ(text.find("1.0.1.10.in-addr.arpa.\t"), std::string::npos) << text;
  // What IXFR sends: v1's old and new addresses, v3's old ones, nothing of the other VMIs.
  std::vector<std::string> diff;
  zone::diff_zones(vm_zone(*before), vm_zone(*after),
                   [&diff](bool added, std::string_view owner, const zone::RrSet&,
                           std::span<const uint8_t> rdata) {
                     auto name = dns::Name::from_wire(
                         std::span(reinterpret_cast<const uint8_t*>(owner.data()), owner.size()));
                     diff.push_back(fmt::format("{}{} {}", added ? "+" : "-", name->to_text(),
                                                fmt::join(rdata, ".")));
                   });
  std::sort(diff.begin(), diff.end());
  EXPECT_EQ(diff, (std::vector<std::string>{"+net1.v1.a.vm. 10.1.0.9", "+v1.a.vm. 10.1.0.9",
                                            "-net1.v1.a.vm. 10.2.0.2", "-net1.v3.ns.vm. 10.1.0.3",
                                            "-v1.a.vm. 10.2.0.2", "-v3.ns.vm. 10.1.0.3"}));
}

// The changes a VMI goes through, one row each, in a namespace of a hundred VMIs with a
// secondary interface each: an incremental build gives the records of a full one, rebuilding
// only the buckets of the VMIs that changed (a rename: the old name's and the new one's).
struct VmZoneChange {
  const char* name;
  bool pod_network;  // --vm-zone-pod-network
  std::function<void(ClusterStore&)> change;
  size_t buckets;  // at most this many rebuilt
};

cluster::VirtualMachineInstance vm_zone_vmi(const std::string& name, const std::string& pod,
                                            const std::string& net1) {
  cluster::VirtualMachineInstance v;
  v.meta.namespace_name = "a";
  v.meta.name = name;
  v.phase = "Running";
  v.interfaces.push_back({"default", {ip(pod)}, true});
  if (!net1.empty()) {
    v.interfaces.push_back({"net1", {ip(net1)}, false});
  }
  return v;
}

TEST(IncrementalBuild, VmZoneChangesEqualAFullBuild) {
  auto remove = [](ClusterStore& store, const char* name) {
    store.remove("api", {sources::ObjectKind::VirtualMachineInstance, {"a", name}});
  };
  const std::vector<VmZoneChange> rows = {
      {"a VMI added", false,
       [](ClusterStore& s) { s.upsert("api", vm_zone_vmi("new", "10.244.9.9", "10.3.0.1")); }, 1},
      {"a VMI moves on its secondary network", false,
       [](ClusterStore& s) { s.upsert("api", vm_zone_vmi("v7", "10.244.0.8", "10.3.0.2")); }, 1},
      {"a VMI moves on the pod network, without --vm-zone-pod-network: no name changes", false,
       [](ClusterStore& s) { s.upsert("api", vm_zone_vmi("v7", "10.244.9.8", "10.2.0.8")); }, 1},
      {"a VMI moves on the pod network, with --vm-zone-pod-network", true,
       [](ClusterStore& s) { s.upsert("api", vm_zone_vmi("v7", "10.244.9.8", "10.2.0.8")); }, 1},
      {"a VMI deleted", false, [remove](ClusterStore& s) { remove(s, "v7"); }, 1},
      {"a VMI deleted, with --vm-zone-pod-network", true,
       [remove](ClusterStore& s) { remove(s, "v7"); }, 1},
      {"a VMI renamed", false,
       [remove](ClusterStore& s) {
         remove(s, "v7");
         s.upsert("api", vm_zone_vmi("v7-renamed", "10.244.0.8", "10.2.0.8"));
       },
       2},
      {"a second secondary interface, and a dual-stack one", false,
       [](ClusterStore& s) {
         cluster::VirtualMachineInstance v = vm_zone_vmi("v7", "10.244.0.8", "10.2.0.8");
         v.interfaces.push_back({"net0", {ip("10.4.0.1"), ip("fd00::4")}, false});
         s.upsert("api", v);
       },
       1},
      {"the secondary interface goes: the VMI has no name left", false,
       [](ClusterStore& s) { s.upsert("api", vm_zone_vmi("v7", "10.244.0.8", "")); }, 1},
      {"the secondary interface goes, with --vm-zone-pod-network: the pod network's names stay",
       true, [](ClusterStore& s) { s.upsert("api", vm_zone_vmi("v7", "10.244.0.8", "")); }, 1},
      {"the VMI succeeds: its names go", false,
       [](ClusterStore& s) {
         cluster::VirtualMachineInstance v = vm_zone_vmi("v7", "10.244.0.8", "10.2.0.8");
         v.phase = "Succeeded";
         s.upsert("api", v);
       },
       1},
      {"the last VMIs of a namespace go: its name goes", false,
       [](ClusterStore& s) {
         s.remove("api", {sources::ObjectKind::VirtualMachineInstance, {"b", "w"}});
       },
       1},
  };
  for (const VmZoneChange& row : rows) {
    SCOPED_TRACE(row.name);
    ClusterStore store;
    for (int i = 0; i < 120; ++i) {
      std::string host = std::to_string(i % 250 + 1);
      store.upsert("api", vm_zone_vmi("v" + std::to_string(i), "10.244.0." + host,
                                      "10.2." + std::to_string(i / 250) + "." + host));
    }
    cluster::VirtualMachineInstance w = vm_zone_vmi("w", "10.244.1.1", "10.1.0.1");
    w.meta.namespace_name = "b";
    store.upsert("api", w);
    rules::ZoneConfig config = base_config();
    config.vm_zone = *dns::Name::from_text("vm");
    config.vm_zone_pod_network = row.pod_network;
    config.reverse_zones.push_back(*dns::Name::from_text("in-addr.arpa"));
    builder::SnapshotBuilder builder;
    builder::ChangedObjects changed = store.take_changes();
    builder.build(store.state(), config, &changed);
    row.change(store);
    config.serial = 2;
    changed = store.take_changes();
    auto after = builder.build(store.state(), config, &changed);
    ASSERT_TRUE(builder.last_build_was_incremental());
    EXPECT_LE(builder.last_vm_buckets_rebuilt(), row.buckets);
    EXPECT_EQ(zones_text(*after), zones_text(*builder::build(store.state(), config)));
    EXPECT_EQ(after->record_count(), builder::build(store.state(), config)->record_count());
  }
}

// The changes of what the builder keeps of each Service's endpoints for the reverse zones and
// the apex NS (rules/kept_endpoints.h: address, readiness, label), one row each: an incremental
// build gives the records of a full one.
struct KeptEndpointChange {
  const char* name;
  std::function<void(ClusterStore&)> change;
};

cluster::EndpointSlice kept_slice(const std::string& address, const std::string& hostname,
                                  const std::string& target, std::optional<bool> ready) {
  cluster::EndpointSlice e;
  e.meta.namespace_name = "a";
  e.meta.name = "db-1";
  e.service_name = "db";
  e.address_type = address.find(':') == std::string::npos ? "IPv4" : "IPv6";
  cluster::EndpointSlice::Endpoint endpoint;
  endpoint.addresses = {ip(address)};
  endpoint.ready = ready;
  endpoint.hostname = hostname;
  endpoint.target_kind = "VirtualMachineInstance";
  endpoint.target_name = target;
  e.endpoints.push_back(endpoint);
  cluster::EndpointSlice::Endpoint other = endpoint;
  other.addresses = {ip("10.0.1.7")};
  other.hostname = "";
  other.target_name = "v9";
  e.endpoints.push_back(other);
  e.ports.push_back({"pg", "TCP", 5432});
  return e;
}

cluster::Service kept_service(const std::string& name, bool headless, bool publish_not_ready) {
  cluster::Service s;
  s.meta.namespace_name = "a";
  s.meta.name = name;
  s.headless = headless;
  if (!headless) {
    s.cluster_ips = {ip("10.96.0.5")};
  }
  s.publish_not_ready_addresses = publish_not_ready;
  if (name == "web") {
    s.selector = cluster::Labels{{"app", "web"}};
  }
  return s;
}

cluster::VirtualMachineInstance kept_vmi(const std::string& name, const std::string& hostname,
                                         const std::string& address) {
  cluster::VirtualMachineInstance v = vm_zone_vmi(name, address, "");
  v.meta.labels = {{"app", "web"}};
  v.hostname = hostname;
  v.subdomain = "web";
  v.ready = true;
  return v;
}

TEST(IncrementalBuild, KeptEndpointChangesEqualAFullBuild) {
  const std::string long_label(70, 'h');
  const std::vector<KeptEndpointChange> rows = {
      {"a slice endpoint's hostname changes: its PTR and the apex NS follow",
       [](ClusterStore& s) { s.upsert("api", kept_slice("10.0.0.2", "e2", "v0", true)); }},
      {"the hostname goes: the workload's name (endpoint_pod_names)",
       [](ClusterStore& s) { s.upsert("api", kept_slice("10.0.0.2", "", "v0", true)); }},
      {"the workload's name is no DNS label: the dashed address",
       [](ClusterStore& s) { s.upsert("api", kept_slice("10.0.0.2", "", "v0.x", true)); }},
      {"the endpoint is not ready: no PTR, no NS",
       [](ClusterStore& s) { s.upsert("api", kept_slice("10.0.0.2", "e1", "v0", false)); }},
      {"not ready, with publishNotReadyAddresses: published (under another hostname)",
       [](ClusterStore& s) {
         s.upsert("api", kept_slice("10.0.0.2", "e3", "v0", false));
         s.upsert("api", kept_service("db", true, true));
       }},
      {"the endpoint moves to IPv6",
       [](ClusterStore& s) { s.upsert("api", kept_slice("fd00::2", "e1", "v0", true)); }},
      {"a hostname longer than a label: no name, no PTR",
       [long_label](ClusterStore& s) {
         s.upsert("api", kept_slice("10.0.0.2", long_label, "v0", true));
       }},
      {"a ClusterIP Service whose endpoints are not ready: ignored as empty",
       [](ClusterStore& s) {
         s.upsert("api", kept_slice("10.0.0.2", "e1", "v0", false));
         s.upsert("api", kept_service("db", false, false));
       }},
      {"a selected VMI's hostname changes",
       [](ClusterStore& s) { s.upsert("api", kept_vmi("w1", "w1-renamed", "10.0.0.12")); }},
      {"the slice goes",
       [](ClusterStore& s) {
         s.remove("api", {sources::ObjectKind::EndpointSlice, {"a", "db-1"}});
       }},
  };
  for (const KeptEndpointChange& row : rows) {
    SCOPED_TRACE(row.name);
    ClusterStore store;
    store.upsert("api", kept_service("db", true, false));
    store.upsert("api", kept_slice("10.0.0.2", "e1", "v0", std::nullopt));
    store.upsert("api", kept_service("web", true, false));
    for (int i = 0; i < 3; ++i) {
      store.upsert("api", kept_vmi("w" + std::to_string(i), "", "10.0.0.1" + std::to_string(i)));
    }
    rules::ZoneConfig config = base_config();  // advertises 10.0.0.2, db's endpoint
    config.reverse_zones = {*dns::Name::from_text("in-addr.arpa"),
                            *dns::Name::from_text("ip6.arpa")};
    config.endpoint_pod_names = true;
    config.ignore_empty_service = true;
    builder::SnapshotBuilder builder;
    builder::ChangedObjects changed = store.take_changes();
    auto before = builder.build(store.state(), config, &changed);
    row.change(store);
    config.serial = 2;
    changed = store.take_changes();
    auto after = builder.build(store.state(), config, &changed);
    ASSERT_TRUE(builder.last_build_was_incremental());
    EXPECT_EQ(zones_text(*after), zones_text(*builder::build(store.state(), config)));
    config.serial = 1;  // before's
    EXPECT_NE(zones_text(*before), zones_text(*builder::build(store.state(), config)))
        << "the row changes no record";
  }
}

}  // namespace
}  // namespace vmdns::control
