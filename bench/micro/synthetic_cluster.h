#pragma once
// A cluster::State of the shape bench/gen_cluster.py writes as manifests, built directly in
// memory, so that micro-benchmarks of the zone build and the answer path at 100,000 VMIs do not
// spend minutes reading YAML first.
//
//   cluster::State state = bench::synthetic_cluster(10000);
//
// Per group of 8 VMIs: a headless Service named like the VMIs' subdomain (two ports), the VMIs
// (every fourth without spec.hostname, 5% not ready, dual-stack every third group), a
// dual-stack-every-third ClusterIP Service over them; every second group, three Pods behind their
// own headless Service. Deterministic.

#include <cstddef>
#include <string>
#include <vector>

#include "cluster/model.h"

namespace vmdns::bench {

cluster::State synthetic_cluster(size_t vmis, size_t namespaces = 10);

// Owner names that exist in the synthetic cluster's zone (cluster.local), for query mixes.
struct SyntheticNames {
  std::vector<std::string> vmi_names;      // <hostname>.<group>.<ns>.svc.cluster.local
  std::vector<std::string> service_names;  // <group>-web.<ns>.svc.cluster.local
  std::vector<std::string> srv_names;      // _http._tcp.<group>-web.<ns>.svc.cluster.local
};

SyntheticNames synthetic_names(size_t vmis, size_t namespaces = 10);

}  // namespace vmdns::bench
