#include "cluster/virtual_machine.h"

#include <gtest/gtest.h>

namespace vmdns::cluster {
namespace {

struct RunCase {
  const char* rule;
  std::optional<bool> running;
  std::string run_strategy;
  bool runs;
  std::string text;
};

const RunCase kRunCases[] = {
    {"running: true starts it", true, "", true, "running: true"},
    {"running: false keeps it stopped", false, "", false, "running: false"},
    {"Always starts it", std::nullopt, "Always", true, "runStrategy Always"},
    {"RerunOnFailure starts it", std::nullopt, "RerunOnFailure", true,
     "runStrategy RerunOnFailure"},
    {"Once starts it", std::nullopt, "Once", true, "runStrategy Once"},
    {"Halted does not", std::nullopt, "Halted", false, "runStrategy Halted"},
    {"Manual waits for virtctl start", std::nullopt, "Manual", false, "runStrategy Manual"},
    {"neither field: KubeVirt defaults to Halted", std::nullopt, "", false,
     "neither spec.running nor spec.runStrategy"},
};

class VmRunsTest : public testing::TestWithParam<RunCase> {};

TEST_P(VmRunsTest, Decides) {
  const RunCase& c = GetParam();
  VirtualMachine vm;
  vm.running = c.running;
  vm.run_strategy = c.run_strategy;
  EXPECT_EQ(vm_runs(vm), c.runs) << c.rule;
  EXPECT_EQ(run_strategy_text(vm), c.text) << c.rule;
}

INSTANTIATE_TEST_SUITE_P(Table, VmRunsTest, testing::ValuesIn(kRunCases));

TEST(DerivedVmiTest, NamedLikeTheVmWithTheTemplateLabelsOnly) {
  VirtualMachine vm;
  vm.meta.namespace_name = "shop";
  vm.meta.name = "vm-fedora";
  vm.meta.labels = {{"expose", "me"}};
  vm.meta.origin = {"vm.yaml", 1, 1};
  vm.vmi_template.meta.name = "something-else";
  vm.vmi_template.meta.labels = {{"kubevirt.io/domain", "vm-fedora"}};
  vm.vmi_template.subdomain = "mysubdomain";
  vm.vmi_template.set_addresses({*IpAddress::parse("10.0.0.1")});
  vm.vmi_template.ready = true;

  VirtualMachineInstance vmi = derived_vmi(vm);
  EXPECT_EQ(vmi.meta.namespace_name, "shop");
  EXPECT_EQ(vmi.meta.name, "vm-fedora");
  EXPECT_EQ(vmi.meta.labels, (Labels{{"kubevirt.io/domain", "vm-fedora"}}));
  EXPECT_EQ(vmi.meta.origin.file, "vm.yaml");
  EXPECT_EQ(vmi.subdomain, "mysubdomain");
  EXPECT_TRUE(vmi.addresses().empty());  // no IP until it runs
  EXPECT_FALSE(vmi.ready);
}

}  // namespace
}  // namespace vmdns::cluster
