#include "cluster/migration.h"

#include <algorithm>
#include <string>

namespace vmdns::cluster {
namespace {

// The API server cuts a generateName base longer than 58 characters so that the 5 random
// characters it appends keep the name within 63 (names.SimpleNameGenerator).
constexpr size_t kMaxGenerateNameBase = 58;
constexpr size_t kRandomSuffix = 5;
constexpr std::string_view kLauncherPrefix = "virt-launcher-";

enum class Side { Unknown, Source, Target };

// Which side of `migration` the pod is: by name when KubeVirt reports the pods, else by node.
Side side_of(const MigrationState& migration, std::string_view pod_name,
             std::string_view node_name) {
  if (!pod_name.empty()) {
    if (pod_name == migration.target_pod) {
      return Side::Target;
    }
    if (pod_name == migration.source_pod) {
      return Side::Source;
    }
    if (!migration.target_pod.empty() && !migration.source_pod.empty()) {
      return Side::Unknown;  // a third pod: an older migration's leftover
    }
  }
  if (!node_name.empty()) {
    if (migration.target_pod.empty() && node_name == migration.target_node) {
      return Side::Target;
    }
    if (node_name == migration.source_node) {
      return Side::Source;
    }
  }
  // Named pods and a pod that is neither: with the target pod named, every other launcher pod of
  // the VMI is on the source side.
  if (!migration.target_pod.empty() && pod_name != migration.target_pod && !pod_name.empty()) {
    return Side::Source;
  }
  return Side::Unknown;
}

}  // namespace

std::string launcher_pod_name_base(std::string_view vmi_name) {
  std::string base = std::string(kLauncherPrefix) + std::string(vmi_name) + "-";
  if (base.size() > kMaxGenerateNameBase) {
    base.resize(kMaxGenerateNameBase);
  }
  return base;
}

bool is_launcher_pod_of(std::string_view vmi_name, std::string_view pod_name) {
  std::string base = launcher_pod_name_base(vmi_name);
  return pod_name.size() == base.size() + kRandomSuffix && pod_name.starts_with(base);
}

std::string_view launcher_vmi_name_prefix(std::string_view pod_name) {
  if (!pod_name.starts_with(kLauncherPrefix) ||
      pod_name.size() <= kLauncherPrefix.size() + kRandomSuffix) {
    return {};
  }
  std::string_view middle = pod_name.substr(
      kLauncherPrefix.size(), pod_name.size() - kLauncherPrefix.size() - kRandomSuffix);
  if (middle.ends_with('-')) {
    middle.remove_suffix(1);
  }
  return middle;
}

LauncherRole launcher_role(const VirtualMachineInstance& vmi, std::string_view pod_name,
                           std::string_view node_name) {
  if (!vmi.migration || pod_name.empty() || !is_launcher_pod_of(vmi.meta.name, pod_name)) {
    return LauncherRole::NotALauncher;
  }
  const MigrationState& migration = *vmi.migration;
  Side side = side_of(migration, pod_name, node_name);
  if (side == Side::Unknown) {
    return LauncherRole::NotALauncher;
  }
  bool on_target;
  if (migration.completed) {
    on_target = true;
  } else if (migration.failed || migration.aborted) {
    on_target = false;
  } else {
    // In progress: the handoff moves status.nodeName to the target node.
    on_target = !migration.target_node.empty() && vmi.node_name == migration.target_node;
  }
  bool runs = on_target == (side == Side::Target);
  return runs ? LauncherRole::RunsGuest : LauncherRole::DoesNotRunGuest;
}

std::vector<IpAddress> guest_pod_addresses(const State& state, const VirtualMachineInstance& vmi) {
  std::vector<IpAddress> out;
  if (!vmi.migration) {
    return out;
  }
  std::string base = launcher_pod_name_base(vmi.meta.name);
  for (auto it = state.pods.lower_bound(ObjectKey{vmi.meta.namespace_name, base});
       it != state.pods.end() && it->first.namespace_name == vmi.meta.namespace_name &&
       it->first.name.starts_with(base);
       ++it) {
    const std::string& phase = it->second.phase;
    if (phase == "Succeeded" || phase == "Failed" ||
        launcher_role(vmi, it->first.name, "") != LauncherRole::RunsGuest) {
      continue;
    }
    for (const IpAddress& address : it->second.addresses) {
      if (std::find(out.begin(), out.end(), address) == out.end()) {
        out.push_back(address);
      }
    }
  }
  return out;
}

}  // namespace vmdns::cluster
