#include "cluster/state_overlay.h"

#include <gtest/gtest.h>

#include <set>
#include <string>
#include <tuple>
#include <vector>

namespace vmdns::cluster {
namespace {

// One object as a row: its kind, "namespace/name" (a Namespace: its name) and where it came from.
using Row = std::tuple<std::string, std::string, std::string>;

template <typename T>
void add(std::map<ObjectKey, T>& objects, const std::string& ns, const std::string& name,
         const std::string& from) {
  T object;
  object.meta.namespace_name = ns;
  object.meta.name = name;
  object.meta.origin.file = from;
  objects.insert_or_assign(ObjectKey{ns, name}, std::move(object));
}

State make(const std::vector<Row>& rows) {
  State state;
  for (const auto& [kind, id, from] : rows) {
    size_t slash = id.find('/');
    std::string ns = slash == std::string::npos ? "" : id.substr(0, slash);
    std::string name = slash == std::string::npos ? id : id.substr(slash + 1);
    if (kind == "VirtualMachineInstance") {
      add(state.vmis, ns, name, from);
    } else if (kind == "VirtualMachine") {
      add(state.vms, ns, name, from);
    } else if (kind == "Pod") {
      add(state.pods, ns, name, from);
    } else if (kind == "Service") {
      add(state.services, ns, name, from);
    } else if (kind == "EndpointSlice") {
      add(state.endpoint_slices, ns, name, from);
    } else {
      Namespace object;
      object.meta.namespace_name = "";
      object.meta.name = name;
      object.meta.origin.file = from;
      state.namespaces.insert_or_assign(name, std::move(object));
    }
  }
  return state;
}

std::set<Row> rows_of(const State& state) {
  std::set<Row> out;
  auto collect = [&out](const std::string& kind, const auto& objects) {
    for (const auto& [key, object] : objects) {
      std::string ns = object.meta.namespace_name;
      out.insert({kind, ns.empty() ? object.meta.name : ns + "/" + object.meta.name,
                  object.meta.origin.file});
    }
  };
  collect("VirtualMachineInstance", state.vmis);
  collect("VirtualMachine", state.vms);
  collect("Pod", state.pods);
  collect("Service", state.services);
  collect("EndpointSlice", state.endpoint_slices);
  collect("Namespace", state.namespaces);
  return out;
}

constexpr const char* kLive = "https://10.0.0.1:6443";
constexpr const char* kPlan = "new-vm.yaml";

struct OverlayCase {
  const char* rule;
  std::vector<Row> live;
  std::vector<Row> planned;
  std::set<Row> expected;
};

const OverlayCase kCases[] = {
    {"no plan: the cluster as listed",
     {{"Service", "prod/web", kLive}, {"VirtualMachine", "prod/db", kLive}},
     {},
     {{"Service", "prod/web", kLive}, {"VirtualMachine", "prod/db", kLive}}},
    {"a new VM is added beside the cluster's objects",
     {{"Service", "prod/mysub", kLive}},
     {{"VirtualMachine", "prod/myvm", kPlan}},
     {{"Service", "prod/mysub", kLive}, {"VirtualMachine", "prod/myvm", kPlan}}},
    {"the plan's object replaces the cluster's of the same kind, namespace and name",
     {{"Service", "prod/mysub", kLive}, {"Service", "prod/other", kLive}},
     {{"Service", "prod/mysub", kPlan}},
     {{"Service", "prod/mysub", kPlan}, {"Service", "prod/other", kLive}}},
    {"the same name in another namespace is another object",
     {{"VirtualMachine", "prod/myvm", kLive}},
     {{"VirtualMachine", "test/myvm", kPlan}},
     {{"VirtualMachine", "prod/myvm", kLive}, {"VirtualMachine", "test/myvm", kPlan}}},
    {"the same name of another kind is another object: a VM does not hide its running VMI",
     {{"VirtualMachineInstance", "prod/myvm", kLive}},
     {{"VirtualMachine", "prod/myvm", kPlan}},
     {{"VirtualMachineInstance", "prod/myvm", kLive}, {"VirtualMachine", "prod/myvm", kPlan}}},
    {"every kind is replaced by key",
     {{"VirtualMachineInstance", "a/x", kLive},
      {"Pod", "a/x", kLive},
      {"EndpointSlice", "a/x", kLive},
      {"Namespace", "a", kLive}},
     {{"VirtualMachineInstance", "a/x", kPlan},
      {"Pod", "a/x", kPlan},
      {"EndpointSlice", "a/x", kPlan},
      {"Namespace", "a", kPlan}},
     {{"VirtualMachineInstance", "a/x", kPlan},
      {"Pod", "a/x", kPlan},
      {"EndpointSlice", "a/x", kPlan},
      {"Namespace", "a", kPlan}}},
    {"a plan alone, with no cluster objects",
     {},
     {{"VirtualMachine", "default/vm", kPlan}},
     {{"VirtualMachine", "default/vm", kPlan}}},
};

class OverlayTest : public testing::TestWithParam<OverlayCase> {};

TEST_P(OverlayTest, PlanWinsByKindNamespaceAndName) {
  const OverlayCase& c = GetParam();
  State base = make(c.live);
  overlay(base, make(c.planned));
  EXPECT_EQ(rows_of(base), c.expected) << c.rule;
}

INSTANTIATE_TEST_SUITE_P(Table, OverlayTest, testing::ValuesIn(kCases));

}  // namespace
}  // namespace vmdns::cluster
