#include "resolvconf/pod_dns.h"

#include <algorithm>

namespace vmdns::resolvconf {
namespace {

constexpr size_t kMaxSearchEntryChars = 253;  // DNS-1123 subdomain; glibc 2.28 aborts past 255

std::string join(const std::vector<std::string>& items) {
  std::string out;
  for (const std::string& item : items) {
    out += (out.empty() ? "" : " ") + item;
  }
  return out;
}

// kubelet's omitDuplicates: keeps the first of equal entries.
void append_unique(std::vector<std::string>& to, const std::vector<std::string>& items) {
  for (const std::string& item : items) {
    if (std::find(to.begin(), to.end(), item) == to.end()) {
      to.push_back(item);
    }
  }
}

std::string option_name(const std::string& option) {
  return option.substr(0, option.find(':'));
}

// kubelet's mergeDNSOptions: one option per name, a later value replacing an earlier one in
// place.
void merge_options(std::vector<std::string>& to,
                   const std::vector<cluster::PodDnsConfig::Option>& options) {
  for (const cluster::PodDnsConfig::Option& option : options) {
    std::string text = option.value ? option.name + ":" + *option.value : option.name;
    auto same = std::find_if(to.begin(), to.end(), [&](const std::string& existing) {
      return option_name(existing) == option.name;
    });
    if (same != to.end()) {
      *same = text;
    } else {
      to.push_back(text);
    }
  }
}

}  // namespace

std::vector<std::string> cluster_search(const ClusterDns& cluster, const std::string& ns) {
  return {ns + ".svc." + cluster.zone, "svc." + cluster.zone, cluster.zone};
}

std::vector<std::string> fit_search_limits(std::vector<std::string> search,
                                           const SearchLimits& limits,
                                           std::vector<std::string>* dropped) {
  std::vector<std::string> cut;
  if (search.size() > limits.max_paths) {
    cut.assign(search.begin() + static_cast<ptrdiff_t>(limits.max_paths), search.end());
    search.resize(limits.max_paths);
  }
  std::vector<std::string> kept;
  for (std::string& entry : search) {
    (entry.size() > kMaxSearchEntryChars ? cut : kept).push_back(std::move(entry));
  }
  while (!kept.empty() && join(kept).size() > limits.max_chars) {
    cut.push_back(kept.back());
    kept.pop_back();
  }
  if (dropped) {
    *dropped = std::move(cut);
  }
  return kept;
}

PodDns pod_dns(const ClusterDns& cluster, const std::string& ns, const std::string& policy,
               const cluster::Boxed<cluster::PodDnsConfig>& config) {
  PodDns out;
  ResolvConf& conf = out.conf;
  if (policy.empty() || policy == "ClusterFirst" || policy == "ClusterFirstWithHostNet") {
    conf.nameservers = cluster.nameservers;
    conf.search = cluster_search(cluster, ns);
    conf.options = {"ndots:5"};
  } else if (policy == "Default") {
    out.warnings.push_back(
        "dnsPolicy Default: the pod gets its node's resolv.conf, which vmdns does not know; "
        "showing spec.dnsConfig only");
  }
  if (config) {
    std::vector<std::string> nameservers;
    for (const cluster::IpAddress& address : config->nameservers) {
      nameservers.push_back(address.to_string());
    }
    append_unique(conf.nameservers, nameservers);
    append_unique(conf.search, config->searches);
    merge_options(conf.options, config->options);
  }
  if (conf.nameservers.size() > kMaxNameservers) {
    std::vector<std::string> extra(conf.nameservers.begin() + kMaxNameservers,
                                   conf.nameservers.end());
    conf.nameservers.resize(kMaxNameservers);
    out.warnings.push_back("nameserver limit of 3 exceeded, omitted: " + join(extra));
  }
  std::vector<std::string> dropped;
  conf.search = fit_search_limits(std::move(conf.search), cluster.limits, &dropped);
  if (!dropped.empty()) {
    out.warnings.push_back("search line limits (" + std::to_string(cluster.limits.max_paths) +
                           " entries, " + std::to_string(cluster.limits.max_chars) +
                           " characters) exceeded, omitted: " + join(dropped));
  }
  return out;
}

}  // namespace vmdns::resolvconf
