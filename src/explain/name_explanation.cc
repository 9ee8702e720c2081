#include "explain/name_explanation.h"

#include <algorithm>

#include "builder/build.h"
#include "explain/name_lookup.h"
#include "explain/workload_plan.h"
#include "resolvconf/guest_dns.h"

namespace vmdns::explain {
namespace {

constexpr int kGuestNdots = 1;  // DHCP carries no options: glibc's default
constexpr int kPodNdots = 5;    // kubelet's ndots:5

const PlannedVmi* find_planned(const std::vector<PlannedVmi>& plan, const NameQuery& query,
                               std::string* error) {
  const PlannedVmi* found = nullptr;
  for (const PlannedVmi& p : plan) {
    if (p.vmi.meta.name != query.from_vmi ||
        (!query.namespace_name.empty() && p.vmi.meta.namespace_name != query.namespace_name)) {
      continue;
    }
    if (found != nullptr) {
      *error = "VM or VMI " + query.from_vmi + " is in several namespaces: add --namespace";
      return nullptr;
    }
    found = &p;
  }
  if (found == nullptr) {
    *error = "no VM or VMI " + query.from_vmi + " in the manifests" +
             (query.namespace_name.empty() ? "" : " (namespace " + query.namespace_name + ")");
  }
  return found;
}

// The records of `records` ("A 10.244.0.57") whose address a VMI of `state` holds.
std::vector<HeldRecord> held_records(const cluster::State& state,
                                     const std::vector<std::string>& records,
                                     std::chrono::steady_clock::time_point now) {
  std::vector<HeldRecord> out;
  for (const auto& [key, vmi] : state.vmis) {
    if (!vmi.held) {
      continue;
    }
    for (const cluster::HeldAddress& held : *vmi.held) {
      std::string record = (held.address.is_v4() ? "A " : "AAAA ") + held.address.to_string();
      if (std::find(records.begin(), records.end(), record) == records.end()) {
        continue;
      }
      auto left = std::chrono::ceil<std::chrono::seconds>(held.until - now).count();
      out.push_back({record, "VirtualMachineInstance " + key.namespace_name + "/" + key.name,
                     held.interface, std::max<int64_t>(left, 0)});
    }
  }
  return out;
}

}  // namespace

std::optional<NameExplanation> explain_name(const cluster::State& state,
                                            const rules::ZoneConfig& config,
                                            const resolvconf::ClusterDns& cluster,
                                            const NameQuery& query, std::string* error) {
  std::shared_ptr<const zone::Snapshot> snapshot = builder::build(state, config);
  return explain_name(state, config, cluster, query, *snapshot, std::chrono::steady_clock::now(),
                      error);
}

std::optional<NameExplanation> explain_name(const cluster::State& state,
                                            const rules::ZoneConfig& config,
                                            const resolvconf::ClusterDns& cluster,
                                            const NameQuery& query, const zone::Snapshot& served,
                                            std::chrono::steady_clock::time_point now,
                                            std::string* error) {
  std::vector<PlannedVmi> plan = plan_vmis(state);
  NameExplanation out;
  out.name = query.name;
  int ndots = kGuestNdots;
  if (!query.from_vmi.empty()) {
    const PlannedVmi* p = find_planned(plan, query, error);
    if (p == nullptr) {
      return std::nullopt;
    }
    out.search = resolvconf::guest_dns(cluster, p->vmi).conf.search;
    out.context = "the guest of " + p->object() + " (DHCP search list, ndots 1)";
  } else if (!query.namespace_name.empty()) {
    out.search = resolvconf::pod_dns(cluster, query.namespace_name, "", std::nullopt).conf.search;
    ndots = kPodNdots;
    out.context = "a pod in namespace " + query.namespace_name + " (ndots 5)";
  } else {
    out.context = "an absolute name";
  }
  std::string asked = query.name;
  if (query.from_vmi.empty() && query.namespace_name.empty() && !asked.empty() &&
      asked.back() != '.') {
    asked += '.';  // no search list to apply
  }

  resolvconf::SearchResult result = resolvconf::res_search(
      asked, out.search, ndots,
      [&](const std::string& name) { return lookup_name(served, name).outcome; });
  out.tries = result.tries;
  out.resolves = result.resolved();
  if (out.resolves) {
    out.answer_name = result.tries.back().name;
    out.records = lookup_name(served, out.answer_name).records;
    out.held = held_records(state, out.records, now);
    out.notes = diagnose_name(state, plan, config, out.answer_name).notes;
    bool dotted = query.name.find('.') != std::string::npos && query.name.back() != '.';
    if (dotted && result.tries.size() > 1 && !query.from_vmi.empty()) {
      out.notes.push_back(
          "resolved through the search list: glibc applies it to a name with a dot, but "
          "resolvers that do not (systemd-resolved, for one) fail on \"" +
          query.name + "\"; use " + out.answer_name);
    }
    return out;
  }
  // Diagnose the try that gets furthest: that is the one the user meant.
  bool first = true;
  for (const resolvconf::SearchTry& attempt : result.tries) {
    Diagnosis d = diagnose_name(state, plan, config, attempt.name);
    if (first || d.step > out.diagnosis.step) {
      out.diagnosis = std::move(d);
      first = false;
    }
  }
  out.notes = out.diagnosis.notes;
  return out;
}

}  // namespace vmdns::explain
