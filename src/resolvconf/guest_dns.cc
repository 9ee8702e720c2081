#include "resolvconf/guest_dns.h"

#include "cluster/ip_address.h"
#include "cluster/kubevirt.h"

namespace vmdns::resolvconf {
namespace {

constexpr size_t kMaxOptionText = 255;

std::vector<uint8_t> text_bytes(const std::string& text) {
  return {text.begin(), text.end()};
}

}  // namespace

std::vector<std::string> with_subdomain(std::vector<std::string> search,
                                        const std::string& subdomain) {
  if (subdomain.empty()) {
    return search;
  }
  const std::string* longest = nullptr;
  for (const std::string& entry : search) {
    if (entry.find(".svc.") != std::string::npos &&
        (longest == nullptr || entry.size() > longest->size())) {
      longest = &entry;
    }
  }
  if (longest != nullptr) {
    search.insert(search.begin(), subdomain + "." + *longest);
  }
  return search;
}

GuestDns guest_dns(const ClusterDns& cluster, const cluster::VirtualMachineInstance& vmi) {
  PodDns pod = pod_dns(cluster, vmi.meta.namespace_name, vmi.dns_policy, vmi.dns_config);
  GuestDns guest;
  guest.warnings = std::move(pod.warnings);
  guest.hostname = cluster::vmi_hostname(vmi);
  guest.pod_options = pod.conf.options;
  guest.conf.nameservers = pod.conf.nameservers;
  guest.conf.search = with_subdomain(pod.conf.search, vmi.subdomain);
  if (!vmi.subdomain.empty() && guest.conf.search.size() == pod.conf.search.size()) {
    guest.warnings.push_back("spec.subdomain " + vmi.subdomain +
                             ": no search entry contains \".svc.\", so KubeVirt adds none");
  }
  if (guest.conf.search.size() > kOldGlibcMaxSearch) {
    std::string ignored;
    for (size_t i = kOldGlibcMaxSearch; i < guest.conf.search.size(); ++i) {
      ignored += (ignored.empty() ? "" : " ") + guest.conf.search[i];
    }
    guest.warnings.push_back("the guest gets " + std::to_string(guest.conf.search.size()) +
                             " search entries; glibc before 2.26 reads 6 and ignores: " + ignored);
  }
  return guest;
}

std::optional<std::vector<DhcpOption>> dhcp_options(const GuestDns& guest, std::string* error) {
  std::vector<DhcpOption> out;
  std::vector<uint8_t> servers;
  for (const std::string& text : guest.conf.nameservers) {
    std::optional<cluster::IpAddress> address = cluster::IpAddress::parse(text);
    if (address && address->is_v4()) {
      std::array<uint8_t, 4> v4 = address->v4();
      servers.insert(servers.end(), v4.begin(), v4.end());
    }
  }
  if (!servers.empty()) {
    out.push_back({kOptionDnsServers, servers});
  }
  if (guest.hostname.empty() || guest.hostname.size() > kMaxOptionText) {
    *error = "hostname \"" + guest.hostname + "\" does not fit option 12 (1 to 255 octets)";
    return std::nullopt;
  }
  out.push_back({kOptionHostName, text_bytes(guest.hostname)});
  if (!guest.conf.search.empty()) {
    out.push_back({kOptionDomainName, text_bytes(guest.conf.search.front())});
    std::optional<std::vector<uint8_t>> search = encode_domain_search(guest.conf.search, error);
    if (!search) {
      return std::nullopt;
    }
    for (DhcpOption& option : split_option(kOptionDomainSearch, *search)) {
      out.push_back(std::move(option));
    }
  }
  return out;
}

}  // namespace vmdns::resolvconf
