// Which launcher pod runs a migrating VMI's guest: one row per step of a migration's timeline,
// with the pods named by KubeVirt (sourcePod/targetPod) and by node alone (older KubeVirt).

#include "cluster/migration.h"

#include <gtest/gtest.h>

#include <string>
#include <utility>

namespace vmdns::cluster {
namespace {

constexpr const char* kSource = "virt-launcher-db-aaaaa";
constexpr const char* kTarget = "virt-launcher-db-bbbbb";

struct Step {
  const char* name;
  // The VMI's status: nodeName, and migrationState (nullptr: none).
  const char* node;
  const char* migration;  // "progress", "completed", "failed", "aborted", or nullptr
  bool pods_named;        // sourcePod and targetPod reported, else nodes only
  LauncherRole source;    // the role of the source pod (on node-a)
  LauncherRole target;    // the role of the target pod (on node-b)
};

constexpr LauncherRole kRuns = LauncherRole::RunsGuest;
constexpr LauncherRole kNot = LauncherRole::DoesNotRunGuest;
constexpr LauncherRole kNone = LauncherRole::NotALauncher;

const Step kTimeline[] = {
    {"never migrated", "node-a", nullptr, true, kNone, kNone},
    {"started, target pod ready", "node-a", "progress", true, kRuns, kNot},
    {"started, by node", "node-a", "progress", false, kRuns, kNot},
    {"handoff: nodeName moved", "node-b", "progress", true, kNot, kRuns},
    {"handoff, by node", "node-b", "progress", false, kNot, kRuns},
    {"completed, source lingers", "node-b", "completed", true, kNot, kRuns},
    {"completed, by node", "node-b", "completed", false, kNot, kRuns},
    {"failed", "node-a", "failed", true, kRuns, kNot},
    {"failed, by node", "node-a", "failed", false, kRuns, kNot},
    {"aborted", "node-a", "aborted", true, kRuns, kNot},
};

VirtualMachineInstance vmi_at(const Step& step) {
  VirtualMachineInstance vmi;
  vmi.meta.name = "db";
  vmi.node_name = step.node;
  if (step.migration != nullptr) {
    MigrationState m;
    m.source_node = "node-a";
    m.target_node = "node-b";
    if (step.pods_named) {
      m.source_pod = kSource;
      m.target_pod = kTarget;
    }
    std::string state = step.migration;
    m.completed = state == "completed";
    m.failed = state == "failed";
    m.aborted = state == "aborted";
    vmi.migration = m;
  }
  return vmi;
}

TEST(MigrationTest, Timeline) {
  for (const Step& step : kTimeline) {
    SCOPED_TRACE(step.name);
    VirtualMachineInstance vmi = vmi_at(step);
    EXPECT_EQ(launcher_role(vmi, kSource, "node-a"), step.source);
    EXPECT_EQ(launcher_role(vmi, kTarget, "node-b"), step.target);
    // The node is not needed when KubeVirt names the pods.
    if (step.pods_named) {
      EXPECT_EQ(launcher_role(vmi, kSource, ""), step.source);
      EXPECT_EQ(launcher_role(vmi, kTarget, ""), step.target);
    }
  }
}

TEST(MigrationTest, OtherPodsAreNotDecided) {
  VirtualMachineInstance vmi = vmi_at(kTimeline[1]);
  // Another VMI's launcher pod, a pod that is no launcher, an unknown pod of the VMI on a third
  // node while KubeVirt names both pods: the endpoint stands as listed.
  EXPECT_EQ(launcher_role(vmi, "virt-launcher-dbx-bbbbb", "node-b"), kNone);
  EXPECT_EQ(launcher_role(vmi, "web-0", "node-b"), kNone);
  EXPECT_EQ(launcher_role(vmi, "virt-launcher-db-ccccc", "node-c"), kNone);
  EXPECT_EQ(launcher_role(vmi, "", "node-b"), kNone);
}

TEST(MigrationTest, LauncherPodNames) {
  struct Case {
    std::string vmi;
    std::string pod;
    bool launcher;
  };
  std::string long_name(60, 'v');  // "virt-launcher-" + 60 + "-" is cut to 58 characters
  const Case cases[] = {
      {"db", "virt-launcher-db-x7k2p", true},
      {"db", "virt-launcher-db-x7k2", false},  // 4 random characters
      {"db", "virt-launcher-dbx-7k2p", false},
      {"my-vm", "virt-launcher-my-vm-abcde", true},
      {"my", "virt-launcher-my-vm-abcde", false},
      {long_name, "virt-launcher-" + long_name.substr(0, 44) + "abcde", true},
      {long_name, "virt-launcher-" + long_name + "-abcde", false},
  };
  for (const Case& c : cases) {
    EXPECT_EQ(is_launcher_pod_of(c.vmi, c.pod), c.launcher) << c.vmi << " " << c.pod;
  }
}

TEST(MigrationTest, LauncherVmiNamePrefix) {
  std::string long_name(60, 'v');
  const std::pair<std::string, std::string> cases[] = {
      {"virt-launcher-db-x7k2p", "db"},
      {"virt-launcher-my-vm-abcde", "my-vm"},
      {"virt-launcher-" + long_name.substr(0, 44) + "abcde", long_name.substr(0, 44)},
      {"virt-launcher-abcde", ""},  // no name before the random part
      {"web-0", ""},
      {"", ""},
  };
  for (const auto& [pod, prefix] : cases) {
    EXPECT_EQ(launcher_vmi_name_prefix(pod), prefix) << pod;
  }
}

}  // namespace
}  // namespace vmdns::cluster
