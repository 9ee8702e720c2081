#pragma once
// What a VirtualMachineInstance's guest learns about DNS. KubeVirt gives the VMI's dnsPolicy
// and dnsConfig to its virt-launcher pod, kubelet writes that pod's resolv.conf
// (resolvconf/pod_dns.h), and virt-launcher's DHCP server hands it to the guest:
//
//   option 6   the pod's nameservers (IPv4 only: DHCPv4 carries no other)
//   option 12  the VMI's hostname (spec.hostname, else the name cut at the first '.')
//   option 15  the first search entry
//   option 119 the search list, with "<subdomain>.<entry>" put first when spec.subdomain is
//              set, <entry> being the longest search entry that contains ".svc."
//
//   GuestDns guest = guest_dns(cluster, vmi);   // the page's vmi-fedora:
//   guest.conf.search;  // mysubdomain.default.svc.cluster.local default.svc.cluster.local ...
//
// The pod's options (ndots:5) do not travel over DHCP: the guest's resolver keeps its own
// defaults (glibc: ndots 1).

#include <optional>
#include <string>
#include <vector>

#include "cluster/model.h"
#include "resolvconf/dhcp_options.h"
#include "resolvconf/pod_dns.h"

namespace vmdns::resolvconf {

// glibc before 2.26 read at most 6 search entries (MAXDNSRCH); later entries are ignored.
inline constexpr size_t kOldGlibcMaxSearch = 6;

struct GuestDns {
  ResolvConf conf;                       // what the guest's DHCP client writes: nameserver, search
  std::string hostname;                  // option 12
  std::vector<std::string> pod_options;  // the launcher pod's options, not sent to the guest
  std::vector<std::string> warnings;
};

// KubeVirt's subdomain rule on a search list; unchanged when there is no subdomain or no entry
// with ".svc.".
std::vector<std::string> with_subdomain(std::vector<std::string> search,
                                        const std::string& subdomain);

GuestDns guest_dns(const ClusterDns& cluster, const cluster::VirtualMachineInstance& vmi);

// Options 6, 12, 15 and 119 (split per RFC 3396) for `guest`; nullopt and `error` when a name
// cannot be encoded.
std::optional<std::vector<DhcpOption>> dhcp_options(const GuestDns& guest, std::string* error);

}  // namespace vmdns::resolvconf
