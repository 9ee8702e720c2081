#pragma once
// Why a cluster name does not resolve: the first broken link of the chain
//   namespace -> Service -> headless -> selector -> subdomain -> readiness -> address
// for a name <hostname>.<subdomain>.<namespace>.svc.<zone> (or <svc>.<namespace>.svc.<zone>),
// with the object to change and the fix.
//
//   Diagnosis d = diagnose_name(state, plan, config, "myvmi.mysubdomain.default.svc.cluster");
//   d.step;    // Step::Selector
//   d.reason;  // "Service default/mysubdomain selects expose=me; ... lacks expose=me"
//   d.fix;     // "move label expose=me from metadata.labels to spec.template.metadata.labels"

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "cluster/model.h"
#include "explain/workload_plan.h"
#include "rules/zone_config.h"

namespace vmdns::explain {

// In chain order: a later step means the name got further.
enum class Step {
  Zone,  // outside our zones, or not a name the rules make
  Namespace,
  Service,
  Headless,   // only a note: vmdns and CoreDNS also name endpoints of ClusterIP Services
  Selector,   // no workload with that hostname, or the selector misses labels
  Subdomain,  // spec.subdomain is not the Service's name (or has a dot), the hostname is unusable
  Readiness,  // stopped, paused, not ready, finished
  Address,    // no IP yet
  Resolves,   // every link holds
};

std::string_view step_name(Step step);

struct Diagnosis {
  std::string name;  // the name diagnosed, absolute, lowercased
  Step step = Step::Zone;
  std::string object;  // what to change: "VirtualMachine default/vm-fedora"; empty if nothing
  std::string reason;
  std::string fix;
  // What holds but is worth knowing, even when the name resolves: a Service with a cluster IP.
  std::vector<std::string> notes;

  // The chain breaks at `step`: what to change, why, and how.
  void broken_at(Step at, std::string what, std::string why, std::string how) {
    step = at;
    object = std::move(what);
    reason = std::move(why);
    fix = std::move(how);
  }
};

Diagnosis diagnose_name(const cluster::State& state, const std::vector<PlannedVmi>& plan,
                        const rules::ZoneConfig& config, std::string_view name);

}  // namespace vmdns::explain
