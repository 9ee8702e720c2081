#pragma once
// The mistakes that keep a VM's name from resolving, found in the manifests before the VM runs;
// `vmdns check` prints them as warnings, each naming the object and the field to change:
//
//   - labels on a VM's metadata that a Service selector needs but spec.template lacks;
//   - a subdomain with no Service of that name;
//   - a Service named like a subdomain that is not headless;
//   - a subdomain with a dot (KubeVirt accepts it; the launcher pod is refused);
//   - a hostname that will be cut at a '.' or truncated to 63 characters;
//   - two VMs or VMIs with the same hostname under one Service;
//   - a selector that selects nothing;
//   - a dnsConfig over KubeVirt's limits (6 search paths, 256 characters).
//
//   for (const cluster::Diagnostic& d : find_mistakes(state)) std::cout << d.to_string();

#include <vector>

#include "cluster/diagnostic.h"
#include "cluster/model.h"

namespace vmdns::explain {

std::vector<cluster::Diagnostic> find_mistakes(const cluster::State& state);

}  // namespace vmdns::explain
