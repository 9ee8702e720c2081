// A VMI's guest, from the manifest to its resolv.conf: spec.dnsPolicy and spec.dnsConfig as
// decoded (with the diagnostics that name the field), then KubeVirt's subdomain rule.

#include <gtest/gtest.h>

#include "resolvconf/guest_dns.h"
#include "sources/manifest_loader.h"

namespace vmdns::resolvconf {
namespace {

using Strings = std::vector<std::string>;

std::string vmi_yaml(const std::string& spec) {
  return "apiVersion: kubevirt.io/v1\nkind: VirtualMachineInstance\nmetadata: {name: vmi-fedora, "
         "namespace: default}\nspec:\n  hostname: myvmi\n" + spec;
}

struct Case {
  const char* rule;
  std::string spec;         // lines under spec:, indented two spaces
  Strings diagnostics;      // empty: the VMI loads
  std::string resolv_conf;  // the guest's, when it loads
  Strings warnings;
};

void PrintTo(const Case& c, std::ostream* out) { *out << c.rule; }

const Case kCases[] = {
    {"the page: subdomain entry first", "  subdomain: mysubdomain\n", {},
     "nameserver 10.96.0.10\nsearch mysubdomain.default.svc.cluster.local "
     "default.svc.cluster.local svc.cluster.local cluster.local\n",
     {}},
    {"no subdomain: the pod's list", "", {},
     "nameserver 10.96.0.10\nsearch default.svc.cluster.local svc.cluster.local "
     "cluster.local\n",
     {}},
    {"ClusterFirst with dnsConfig: appended, subdomain still first",
     "  subdomain: sub\n  dnsConfig:\n    nameservers: [198.18.0.9]\n    searches: "
     "[corp.example.]\n    options: [{name: ndots, value: \"2\"}]\n",
     {},
     "nameserver 10.96.0.10\nnameserver 198.18.0.9\nsearch sub.default.svc.cluster.local "
     "default.svc.cluster.local svc.cluster.local cluster.local corp.example\n",
     {}},
    {"None: dnsConfig alone; no .svc. entry, so no subdomain entry",
     "  subdomain: sub\n  dnsPolicy: None\n  dnsConfig:\n    nameservers: [198.18.0.9]\n"
     "    searches: [corp.example]\n",
     {}, "nameserver 198.18.0.9\nsearch corp.example\n",
     {"spec.subdomain sub: no search entry contains \".svc.\", so KubeVirt adds none"}},
    {"None with a .svc. entry of its own", "  subdomain: sub\n  dnsPolicy: None\n  dnsConfig:\n"
     "    nameservers: [198.18.0.9]\n    searches: [ns1.svc.other.zone]\n",
     {}, "nameserver 198.18.0.9\nsearch sub.ns1.svc.other.zone ns1.svc.other.zone\n", {}},
    {"Default: the node's file is unknown", "  dnsPolicy: Default\n", {}, "",
     {"dnsPolicy Default: the pod gets its node's resolv.conf, which vmdns does not know; "
      "showing spec.dnsConfig only"}},
    {"seven guest entries: old glibc reads six", "  subdomain: sub\n  dnsConfig:\n    searches: "
     "[a.example, b.example, c.example]\n",
     {},
     "nameserver 10.96.0.10\nsearch sub.default.svc.cluster.local default.svc.cluster.local "
     "svc.cluster.local cluster.local a.example b.example c.example\n",
     {"the guest gets 7 search entries; glibc before 2.26 reads 6 and ignores: c.example"}},
    {"unknown dnsPolicy", "  dnsPolicy: ClusterLast\n",
     {"t.yaml: document 1 (line 1): VirtualMachineInstance default/vmi-fedora: spec.dnsPolicy "
      "\"ClusterLast\" is not one of ClusterFirstWithHostNet, ClusterFirst, Default, None"},
     "", {}},
    {"None without dnsConfig", "  dnsPolicy: None\n",
     {"t.yaml: document 1 (line 1): VirtualMachineInstance default/vmi-fedora: spec.dnsConfig "
      "is required when dnsPolicy is None"},
     "", {}},
    {"None without nameservers", "  dnsPolicy: None\n  dnsConfig: {searches: [a.example]}\n",
     {"t.yaml: document 1 (line 1): VirtualMachineInstance default/vmi-fedora: "
      "spec.dnsConfig.nameservers must have at least one nameserver when dnsPolicy is None"},
     "", {}},
    {"bad nameserver, bad search, option without a name",
     "  dnsConfig:\n    nameservers: [10.0.0.300]\n    searches: [ok.example, Bad_Name]\n"
     "    options: [{value: \"1\"}]\n",
     {"t.yaml: document 1 (line 1): VirtualMachineInstance default/vmi-fedora: "
      "spec.dnsConfig.nameservers[0] \"10.0.0.300\" is not an IP address",
      "t.yaml: document 1 (line 1): VirtualMachineInstance default/vmi-fedora: "
      "spec.dnsConfig.searches[1] \"Bad_Name\" is not a DNS-1123 subdomain",
      "t.yaml: document 1 (line 1): VirtualMachineInstance default/vmi-fedora: "
      "spec.dnsConfig.options[0].name is required"},
     "", {}},
    {"four nameservers", "  dnsConfig:\n    nameservers: [1.1.1.1, 1.1.1.2, 1.1.1.3, 1.1.1.4]\n",
     {"t.yaml: document 1 (line 1): VirtualMachineInstance default/vmi-fedora: "
      "spec.dnsConfig.nameservers must not have more than 3 nameservers"},
     "", {}},
};

class GuestDnsTest : public ::testing::TestWithParam<Case> {};

TEST_P(GuestDnsTest, FromManifest) {
  const Case& c = GetParam();
  sources::LoadResult loaded = sources::load_manifest_text(vmi_yaml(c.spec), "t.yaml");
  Strings diagnostics;
  for (const cluster::Diagnostic& d : loaded.diagnostics) {
    diagnostics.push_back(d.to_string());
  }
  EXPECT_EQ(diagnostics, c.diagnostics) << c.rule;
  if (!c.diagnostics.empty()) {
    EXPECT_TRUE(loaded.state.vmis.empty()) << c.rule;
    return;
  }
  ASSERT_EQ(loaded.state.vmis.size(), 1u) << c.rule;
  GuestDns guest = guest_dns(ClusterDns{}, loaded.state.vmis.begin()->second);
  EXPECT_EQ(guest.hostname, "myvmi");
  EXPECT_EQ(guest.conf.to_text(), c.resolv_conf) << c.rule;
  EXPECT_EQ(guest.warnings, c.warnings) << c.rule;
}

INSTANTIATE_TEST_SUITE_P(Vmis, GuestDnsTest, ::testing::ValuesIn(kCases));

TEST(GuestDns, PodDnsConfigIsDecodedToo) {
  sources::LoadResult loaded = sources::load_manifest_text(
      "apiVersion: v1\nkind: Pod\nmetadata: {name: p, namespace: shop}\nspec:\n  dnsPolicy: "
      "None\n  dnsConfig:\n    nameservers: [\"fd00::10\"]\n    options: [{name: edns0}]\n",
      "t.yaml");
  ASSERT_TRUE(loaded.diagnostics.empty());
  const cluster::Pod& pod = loaded.state.pods.begin()->second;
  EXPECT_EQ(pod.dns_policy, "None");
  ASSERT_TRUE(pod.dns_config);
  EXPECT_EQ(pod.dns_config->nameservers.front().to_string(), "fd00::10");
  EXPECT_EQ(pod.dns_config->options.front().name, "edns0");
  EXPECT_FALSE(pod.dns_config->options.front().value);
}

TEST(WithSubdomain, LongestSvcEntryWins) {
  EXPECT_EQ(with_subdomain({"svc.cluster.local", "a.svc.cluster.local", "bb.svc.cluster.local"},
                           "sub"),
            (Strings{"sub.bb.svc.cluster.local", "svc.cluster.local", "a.svc.cluster.local",
                     "bb.svc.cluster.local"}));
  EXPECT_EQ(with_subdomain({"x.local"}, ""), Strings{"x.local"});
}

}  // namespace
}  // namespace vmdns::resolvconf
