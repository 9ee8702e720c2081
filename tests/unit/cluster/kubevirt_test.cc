#include "cluster/kubevirt.h"

#include <gtest/gtest.h>

namespace vmdns::cluster {
namespace {

// 70 characters; its SHA-1, computed independently with
//   echo -n a-very-long-virtual-machine-instance-name-exceeding-the-label-limit-xy | sha1sum
// is 2a0f8c613fc1429304e6a02e71c75fe5767e8b33.
constexpr const char* k70 =
    "a-very-long-virtual-machine-instance-name-exceeding-the-label-limit-xy";
constexpr const char* k70Id = "a-very-long-virtual-machine-instance-name-exceeding-th-2a0f8c61";
constexpr const char* k63 = "vmi-with-a-name-that-is-exactly-sixty-three-characters-long-abc";

struct SanitizeCase {
  const char* rule;
  std::string name;
  std::string hostname;
};

const SanitizeCase kSanitizeCases[] = {
    {"plain name is kept", "vmi-fedora", "vmi-fedora"},
    {"cut at the first dot", "vm.with.dots", "vm"},
    {"70 characters truncated to 63", k70, std::string(k70).substr(0, 63)},
    {"exactly 63 characters kept", k63, k63},
    {"cut before truncation", std::string(60, 'a') + "." + std::string(10, 'b'),
     std::string(60, 'a')},
    {"long first label cut then truncated", std::string(70, 'a') + ".b", std::string(63, 'a')},
};

class SanitizeHostnameTest : public testing::TestWithParam<SanitizeCase> {};

TEST_P(SanitizeHostnameTest, Sanitizes) {
  const SanitizeCase& c = GetParam();
  EXPECT_EQ(sanitize_hostname(c.name), c.hostname) << c.rule;
}

INSTANTIATE_TEST_SUITE_P(Table, SanitizeHostnameTest, testing::ValuesIn(kSanitizeCases));

TEST(KubevirtTest, Exactly63IsLabelLength) {
  ASSERT_EQ(std::string(k63).size(), 63u);
}

struct IdCase {
  const char* rule;
  std::string name;
  std::string id;
};

const IdCase kIdCases[] = {
    {"short name is the id", "vmi-fedora", "vmi-fedora"},
    {"63 characters is the id", k63, k63},
    {"70 characters: 54 + '-' + 8 hex digits of SHA-1", k70, k70Id},
    {"dots are kept", "vm.with.dots", "vm.with.dots"},
};

class VmiIdLabelTest : public testing::TestWithParam<IdCase> {};

TEST_P(VmiIdLabelTest, Computes) {
  const IdCase& c = GetParam();
  EXPECT_EQ(vmi_id_label_value(c.name), c.id) << c.rule;
  EXPECT_LE(vmi_id_label_value(c.name).size(), 63u);
}

INSTANTIATE_TEST_SUITE_P(Table, VmiIdLabelTest, testing::ValuesIn(kIdCases));

VirtualMachineInstance make_vmi(std::string name, std::string hostname, Labels labels) {
  VirtualMachineInstance vmi;
  vmi.meta.name = std::move(name);
  vmi.hostname = std::move(hostname);
  vmi.meta.labels = std::move(labels);
  return vmi;
}

TEST(KubevirtTest, HostnameIsSpecHostnameElseSanitizedName) {
  EXPECT_EQ(vmi_hostname(make_vmi("vmi-fedora", "myvmi", {})), "myvmi");
  EXPECT_EQ(vmi_hostname(make_vmi("vm.with.dots", "", {})), "vm");
  EXPECT_EQ(vmi_hostname(make_vmi(k70, "", {})), std::string(k70).substr(0, 63));
}

TEST(KubevirtTest, LauncherPodLabels) {
  Labels labels = launcher_pod_labels(make_vmi("vmi-fedora", "myvmi", {{"expose", "me"}}));
  EXPECT_EQ(labels, (Labels{{"expose", "me"},
                            {"kubevirt.io", "virt-launcher"},
                            {"vmi.kubevirt.io/id", "vmi-fedora"},
                            {"vm.kubevirt.io/name", "myvmi"}}));
}

TEST(KubevirtTest, LauncherLabelsWinOverVmiLabels) {
  Labels labels = launcher_pod_labels(
      make_vmi(k70, "", {{"kubevirt.io", "mine"}, {"vmi.kubevirt.io/id", "x"}}));
  EXPECT_EQ(labels.at("kubevirt.io"), "virt-launcher");
  EXPECT_EQ(labels.at("vmi.kubevirt.io/id"), k70Id);
  EXPECT_EQ(labels.at("vm.kubevirt.io/name"), std::string(k70).substr(0, 63));
}

}  // namespace
}  // namespace vmdns::cluster
