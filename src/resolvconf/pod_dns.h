#pragma once
// The resolv.conf kubelet writes for a pod (pkg/kubelet/network/dns: GetPodDNS).
//
//   ClusterDns cluster;                       // cluster.local, nameserver 10.96.0.10
//   PodDns dns = pod_dns(cluster, "shop", "", std::nullopt);
//   dns.conf.search;   // shop.svc.cluster.local svc.cluster.local cluster.local
//   dns.conf.options;  // ndots:5
//
// dnsPolicy:
//   ClusterFirst (and empty, the API default): the cluster's nameservers, the namespace's
//       search list, ndots:5; then spec.dnsConfig appended (nameservers, searches; options
//       merged by name, so ndots can be overridden).
//   ClusterFirstWithHostNet: the same for every pod that is not on the host network; the slim
//       model has no hostNetwork, and a VMI is never on it.
//   Default: the node's resolv.conf, which vmdns does not know: only spec.dnsConfig, with a
//       warning.
//   None: spec.dnsConfig alone.
// Kubelet then applies its limits: 3 nameservers, and a search line of at most `max_paths`
// entries and `max_chars` characters (6 and 256, or 32 and 2048 with ExpandedDNSConfig, GA in
// Kubernetes 1.28); what is dropped is named in a warning.

#include <optional>
#include <string>
#include <vector>

#include "cluster/model.h"
#include "resolvconf/resolv_conf.h"

namespace vmdns::resolvconf {

struct SearchLimits {
  size_t max_paths = 6;
  size_t max_chars = 256;  // of the search line, the spaces between entries included
};

inline constexpr SearchLimits kExpandedSearchLimits{32, 2048};

struct ClusterDns {
  std::string zone = "cluster.local";
  std::vector<std::string> nameservers{"10.96.0.10"};  // kubelet's --cluster-dns
  SearchLimits limits;
};

struct PodDns {
  ResolvConf conf;
  std::vector<std::string> warnings;
};

// The namespace's search list: <ns>.svc.<zone> svc.<zone> <zone>.
std::vector<std::string> cluster_search(const ClusterDns& cluster, const std::string& ns);

// kubelet's formDNSSearchFitsLimits: keeps the first `max_paths` entries, drops entries longer
// than 253 characters, then drops entries from the end until the line fits `max_chars`.
// Returns what is kept; `dropped` receives the rest.
std::vector<std::string> fit_search_limits(std::vector<std::string> search,
                                           const SearchLimits& limits,
                                           std::vector<std::string>* dropped);

// The resolv.conf of a pod in namespace `ns` with `policy` (spec.dnsPolicy) and `config`.
PodDns pod_dns(const ClusterDns& cluster, const std::string& ns, const std::string& policy,
               const cluster::Boxed<cluster::PodDnsConfig>& config);

}  // namespace vmdns::resolvconf
