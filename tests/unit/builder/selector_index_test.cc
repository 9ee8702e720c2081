// SelectorIndex: which Services select a workload (a VMI through its launcher pod's labels), as
// indexed at the last build and after a change, and which workloads a Service may select,
// without a walk of the namespace unless a Service brings a pair no other selects by.

#include "builder/selector_index.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <functional>
#include <ostream>
#include <set>
#include <string>
#include <vector>

namespace vmdns::builder {
namespace {

cluster::Service service(const std::string& ns, const std::string& name,
                         std::optional<cluster::Labels> selector) {
  cluster::Service s;
  s.meta.namespace_name = ns;
  s.meta.name = name;
  s.selector = std::move(selector);
  return s;
}

cluster::VirtualMachineInstance vmi(const std::string& ns, const std::string& name,
                                    cluster::Labels labels, const std::string& hostname = "") {
  cluster::VirtualMachineInstance v;
  v.meta.namespace_name = ns;
  v.meta.name = name;
  v.meta.labels = std::move(labels);
  v.hostname = hostname;
  return v;
}

cluster::Pod pod(const std::string& ns, const std::string& name, cluster::Labels labels) {
  cluster::Pod p;
  p.meta.namespace_name = ns;
  p.meta.name = name;
  p.meta.labels = std::move(labels);
  return p;
}

// Namespace a: Services by app, by app and tier, by the launcher label, by a VMI's hostname (its
// launcher's vm.kubevirt.io/name), one without a selector; namespace b: a Service named like
// one of a's, selecting a VMI named like one of a's.
cluster::State cluster_state() {
  cluster::State state;
  for (const cluster::Service& s :
       {service("a", "web", cluster::Labels{{"app", "web"}}),
        service("a", "db", cluster::Labels{{"app", "db"}}),
        service("a", "front", cluster::Labels{{"app", "web"}, {"tier", "front"}}),
        service("a", "launchers", cluster::Labels{{"kubevirt.io", "virt-launcher"}}),
        service("a", "by-host", cluster::Labels{{"vm.kubevirt.io/name", "h1"}}),
        service("a", "manual", std::nullopt), service("b", "web", cluster::Labels{{"app", "web"}})}) {
    state.services[cluster::key_of(s.meta)] = s;
  }
  for (const cluster::VirtualMachineInstance& v :
       {vmi("a", "v0", {{"app", "web"}, {"tier", "front"}}),
        // KubeVirt's own value of kubevirt.io wins on the launcher pod.
        vmi("a", "v1", {{"app", "db"}, {"kubevirt.io", "other"}}), vmi("a", "v2", {}, "h1"),
        vmi("b", "v0", {{"app", "web"}})}) {
    state.vmis[cluster::key_of(v.meta)] = v;
  }
  for (const cluster::Pod& p : {pod("a", "p0", {{"app", "web"}}),
                                // A Pod's own kubevirt.io label is what it carries.
                                pod("a", "p1", {{"app", "db"}, {"kubevirt.io", "virt-launcher"}}),
                                pod("a", "v0", {{"app", "db"}})}) {
    state.pods[cluster::key_of(p.meta)] = p;
  }
  return state;
}

using Keys = KeySet;

struct SelectingCase {
  const char* name;
  WorkloadKind kind;
  cluster::ObjectKey key;
  Keys services;
};

// A row prints as its name (the default is a dump of the object's bytes, heap addresses in it).
void PrintTo(const SelectingCase& c, std::ostream* os) { *os << c.name; }

class SelectingTest : public ::testing::TestWithParam<SelectingCase> {};

TEST_P(SelectingTest, FindsTheServicesThatSelectAWorkload) {
  cluster::State state = cluster_state();
  SelectorIndex index;
  index.rebuild(state);
  Keys got;
  index.add_selecting(state, GetParam().kind, GetParam().key, got);
  EXPECT_EQ(got, GetParam().services);
}

INSTANTIATE_TEST_SUITE_P(
    Workloads, SelectingTest,
    ::testing::Values(
        SelectingCase{"vmi_by_app_and_tier", WorkloadKind::Vmi, {"a", "v0"},
                      {{"a", "web"}, {"a", "front"}, {"a", "launchers"}}},
        SelectingCase{"vmi_launcher_label_wins", WorkloadKind::Vmi, {"a", "v1"},
                      {{"a", "db"}, {"a", "launchers"}}},
        SelectingCase{"vmi_by_hostname", WorkloadKind::Vmi, {"a", "v2"},
                      {{"a", "launchers"}, {"a", "by-host"}}},
        SelectingCase{"pod", WorkloadKind::Pod, {"a", "p0"}, {{"a", "web"}}},
        SelectingCase{"pod_own_launcher_label", WorkloadKind::Pod, {"a", "p1"},
                      {{"a", "db"}, {"a", "launchers"}}},
        SelectingCase{"pod_named_like_a_vmi", WorkloadKind::Pod, {"a", "v0"}, {{"a", "db"}}},
        SelectingCase{"other_namespace", WorkloadKind::Vmi, {"b", "v0"}, {{"b", "web"}}},
        SelectingCase{"unknown", WorkloadKind::Vmi, {"a", "v9"}, {}}),
    [](const ::testing::TestParamInfo<SelectingCase>& info) { return info.param.name; });

struct CandidatesCase {
  const char* name;
  cluster::ObjectKey service;
  std::set<std::string> vmis;
  std::set<std::string> pods;
};

void PrintTo(const CandidatesCase& c, std::ostream* os) { *os << c.name; }

class CandidatesTest : public ::testing::TestWithParam<CandidatesCase> {};

TEST_P(CandidatesTest, TheWorkloadsOfTheRarestPair) {
  cluster::State state = cluster_state();
  SelectorIndex index;
  index.rebuild(state);
  std::set<std::string> vmis;
  std::set<std::string> pods;
  index.add_candidates(state.services.at(GetParam().service), vmis, pods);
  EXPECT_EQ(vmis, GetParam().vmis);
  EXPECT_EQ(pods, GetParam().pods);
}

INSTANTIATE_TEST_SUITE_P(
    Services, CandidatesTest,
    ::testing::Values(CandidatesCase{"one_pair", {"a", "web"}, {"v0"}, {"p0"}},
                      CandidatesCase{"rarest_of_two", {"a", "front"}, {"v0"}, {}},
                      CandidatesCase{"launcher", {"a", "launchers"}, {"v0", "v1", "v2"}, {"p1"}},
                      CandidatesCase{"no_selector", {"a", "manual"}, {}, {}},
                      CandidatesCase{"own_namespace_only", {"b", "web"}, {"v0"}, {}}),
    [](const ::testing::TestParamInfo<CandidatesCase>& info) { return info.param.name; });

// One change to the state, then the Services that select `key` before set_*() and after.
struct ChangeCase {
  const char* name;
  std::function<void(cluster::State&)> change;
  std::vector<cluster::ObjectKey> services_changed;  // set_service() on each
  WorkloadKind kind;
  cluster::ObjectKey key;  // set_workload() on it
  Keys before;
  Keys after;
  size_t walked;  // workloads looked at by the walks the change made
};

void PrintTo(const ChangeCase& c, std::ostream* os) { *os << c.name; }

class ChangeTest : public ::testing::TestWithParam<ChangeCase> {};

TEST_P(ChangeTest, FollowsTheChange) {
  const ChangeCase& c = GetParam();
  cluster::State state = cluster_state();
  SelectorIndex index;
  index.rebuild(state);
  c.change(state);
  Keys before;
  index.add_selecting(state, c.kind, c.key, before);
  for (const cluster::ObjectKey& key : c.services_changed) {
    index.set_service(state, key);
  }
  index.set_workload(state, c.kind, c.key);
  Keys after;
  index.add_selecting(state, c.kind, c.key, after);
  EXPECT_EQ(before, c.before);
  EXPECT_EQ(after, c.after);
  EXPECT_EQ(index.workloads_walked(), c.walked);
  // The index now equals one built from the changed state.
  SelectorIndex fresh;
  fresh.rebuild(state);
  for (const auto& [key, s] : state.services) {
    std::set<std::string> vmis, pods, fresh_vmis, fresh_pods;
    index.add_candidates(s, vmis, pods);
    fresh.add_candidates(s, fresh_vmis, fresh_pods);
    EXPECT_EQ(vmis, fresh_vmis) << key.name;
    EXPECT_EQ(pods, fresh_pods) << key.name;
  }
}

INSTANTIATE_TEST_SUITE_P(
    Changes, ChangeTest,
    ::testing::Values(
        ChangeCase{"relabeled",
                   [](cluster::State& s) { s.vmis.at({"a", "v0"}).meta.labels = {{"app", "db"}}; },
                   {}, WorkloadKind::Vmi, {"a", "v0"},
                   {{"a", "web"}, {"a", "front"}, {"a", "launchers"}},
                   {{"a", "db"}, {"a", "launchers"}}, 0},
        ChangeCase{"deleted", [](cluster::State& s) { s.vmis.erase({"a", "v0"}); }, {},
                   WorkloadKind::Vmi, {"a", "v0"},
                   {{"a", "web"}, {"a", "front"}, {"a", "launchers"}}, {}, 0},
        ChangeCase{"added",
                   [](cluster::State& s) {
                     s.pods[{"a", "p9"}] = pod("a", "p9", {{"app", "web"}, {"tier", "front"}});
                   },
                   {}, WorkloadKind::Pod, {"a", "p9"}, {}, {{"a", "web"}, {"a", "front"}}, 0},
        ChangeCase{"hostname_moves_the_launcher_label",
                   [](cluster::State& s) { s.vmis.at({"a", "v2"}).hostname = "h2"; }, {},
                   WorkloadKind::Vmi, {"a", "v2"}, {{"a", "launchers"}, {"a", "by-host"}},
                   {{"a", "launchers"}}, 0},
        ChangeCase{"selector_to_a_known_pair_walks_nothing",
                   [](cluster::State& s) {
                     s.services.at({"a", "web"}).selector = cluster::Labels{{"tier", "front"}};
                   },
                   // Before: as the changed Service has it now (it is rebuilt anyway).
                   {{"a", "web"}}, WorkloadKind::Pod, {"a", "p0"}, {}, {}, 0},
        ChangeCase{"selector_to_a_new_pair_walks_the_namespace",
                   [](cluster::State& s) {
                     s.services.at({"a", "db"}).selector = cluster::Labels{{"zone", "x"}};
                     s.vmis.at({"a", "v1"}).meta.labels["zone"] = "x";
                   },
                   {{"a", "db"}}, WorkloadKind::Vmi, {"a", "v1"}, {{"a", "launchers"}},
                   {{"a", "db"}, {"a", "launchers"}}, 3 + 3},
        ChangeCase{"service_gone_drops_its_pairs",
                   [](cluster::State& s) { s.services.erase({"a", "front"}); },
                   {{"a", "front"}}, WorkloadKind::Vmi, {"a", "v0"},
                   {{"a", "web"}, {"a", "launchers"}}, {{"a", "web"}, {"a", "launchers"}}, 0}),
    [](const ::testing::TestParamInfo<ChangeCase>& info) { return info.param.name; });

// Rounds of many changes (relabels, removals, additions, selectors moved, Services gone and
// back) in a namespace of many workloads: after each round, the index answers as one built
// from the state afresh, for every workload and Service.
struct ChurnCase {
  const char* name;
  size_t vmis;
  size_t groups;           // Services "s<g>" select app=g<g>
  size_t name_length;      // of the VMIs' names (255 and more: a long name's length octets)
  bool launcher_service;   // and one Service selects every VMI (one pair of them all)
};

void PrintTo(const ChurnCase& c, std::ostream* os) { *os << c.name; }

class ChurnTest : public ::testing::TestWithParam<ChurnCase> {};

TEST_P(ChurnTest, EqualsAFreshIndexAfterEachRound) {
  const ChurnCase& c = GetParam();
  auto vmi_name = [&c](size_t i) {
    std::string name = "v" + std::to_string(i) + "-";
    name.resize(std::max(name.size(), c.name_length), 'x');
    return name;
  };
  auto group = [](size_t g) { return "g" + std::to_string(g); };
  cluster::State state;
  for (size_t g = 0; g < c.groups; ++g) {
    cluster::Service s = service("n", "s" + std::to_string(g), cluster::Labels{{"app", group(g)}});
    state.services[cluster::key_of(s.meta)] = s;
  }
  if (c.launcher_service) {
    cluster::Service s = service("n", "all", cluster::Labels{{"kubevirt.io", "virt-launcher"}});
    state.services[cluster::key_of(s.meta)] = s;
  }
  for (size_t i = 0; i < c.vmis; ++i) {
    cluster::VirtualMachineInstance v = vmi("n", vmi_name(i), {{"app", group(i % c.groups)}});
    state.vmis[cluster::key_of(v.meta)] = v;
  }
  SelectorIndex index;
  index.rebuild(state);
  uint64_t random = 88172645463325252ull;  // xorshift64: the same rounds on every run
  auto next = [&random](size_t bound) {
    random ^= random << 13;
    random ^= random >> 7;
    random ^= random << 17;
    return static_cast<size_t>(random % bound);
  };
  for (int round = 0; round < 8; ++round) {
    std::set<cluster::ObjectKey> vmis_changed;
    std::set<cluster::ObjectKey> services_changed;
    for (int change = 0; change < 150; ++change) {
      cluster::ObjectKey vmi_key{"n", vmi_name(next(c.vmis + c.vmis / 4))};
      cluster::ObjectKey service_key{"n", "s" + std::to_string(next(c.groups + 2))};
      switch (next(5)) {
        case 0:  // relabeled, or added
          state.vmis[vmi_key] = vmi("n", vmi_key.name, {{"app", group(next(c.groups + 3))}});
          vmis_changed.insert(vmi_key);
          break;
        case 1:
          state.vmis.erase(vmi_key);
          vmis_changed.insert(vmi_key);
          break;
        case 2:  // a selector to another group, or to a pair no Service selected by
          state.services[service_key] =
              service("n", service_key.name, cluster::Labels{{"app", group(next(c.groups + 3))}});
          services_changed.insert(service_key);
          break;
        case 3:
          state.services.erase(service_key);
          services_changed.insert(service_key);
          break;
        default:  // two pairs, one shared with other Services
          state.services[service_key] =
              service("n", service_key.name,
                      cluster::Labels{{"app", group(next(c.groups))}, {"kubevirt.io", "virt-launcher"}});
          services_changed.insert(service_key);
          break;
      }
    }
    for (const cluster::ObjectKey& key : services_changed) {
      index.set_service(state, key);
    }
    for (const cluster::ObjectKey& key : vmis_changed) {
      index.set_workload(state, WorkloadKind::Vmi, key);
    }
    SelectorIndex fresh;
    fresh.rebuild(state);
    for (const auto& [key, s] : state.services) {
      std::set<std::string> vmis, pods, fresh_vmis, fresh_pods;
      index.add_candidates(s, vmis, pods);
      fresh.add_candidates(s, fresh_vmis, fresh_pods);
      ASSERT_EQ(vmis, fresh_vmis) << "round " << round << ", " << key.name;
      ASSERT_EQ(pods, fresh_pods) << "round " << round << ", " << key.name;
    }
    for (size_t i = 0; i < c.vmis + c.vmis / 4; ++i) {
      cluster::ObjectKey key{"n", vmi_name(i)};
      Keys got, want;
      index.add_selecting(state, WorkloadKind::Vmi, key, got);
      fresh.add_selecting(state, WorkloadKind::Vmi, key, want);
      ASSERT_EQ(got, want) << "round " << round << ", " << key.name;
    }
  }
}

INSTANTIATE_TEST_SUITE_P(
    Rounds, ChurnTest,
    ::testing::Values(ChurnCase{"small_groups", 2000, 400, 0, false},
                      ChurnCase{"one_pair_of_all", 1000, 20, 0, true},
                      ChurnCase{"long_names", 300, 30, 300, false}),
    [](const ::testing::TestParamInfo<ChurnCase>& info) { return info.param.name; });

}  // namespace
}  // namespace vmdns::builder
