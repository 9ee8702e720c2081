#include "cluster/dns1123.h"

#include <gtest/gtest.h>

namespace vmdns::cluster {
namespace {

struct Dns1123Case {
  std::string value;
  bool label;
  bool subdomain;
};

const std::string k63(63, 'a');
const std::string k64(64, 'a');

const Dns1123Case kCases[] = {
    {"myvmi", true, true},
    {"a", true, true},
    {"0", true, true},
    {"vm-1", true, true},
    {"1-vm", true, true},
    {k63, true, true},
    {k64, false, true},  // subdomains limit only the total length, as Kubernetes does
    {"", false, false},
    {"-vm", false, false},
    {"vm-", false, false},
    {"my_vm", false, false},
    {"MyVM", false, false},
    {"a.b", false, true},
    {"vmi.with.dots", false, true},
    {"a..b", false, false},
    {".a", false, false},
    {"a.", false, false},
    {"a.-b", false, false},
    {"a b", false, false},
    {std::string(253, 'a'), false, true},
    {std::string(254, 'a'), false, false},
    {k63 + "." + k63 + "." + k63 + "." + std::string(61, 'a'), false, true},  // 253
};

class Dns1123Test : public testing::TestWithParam<Dns1123Case> {};

TEST_P(Dns1123Test, Validates) {
  const Dns1123Case& c = GetParam();
  EXPECT_EQ(is_dns1123_label(c.value), c.label) << c.value;
  EXPECT_EQ(is_dns1123_subdomain(c.value), c.subdomain) << c.value;
  EXPECT_EQ(dns1123_label_problem(c.value).empty(), c.label) << c.value;
}

INSTANTIATE_TEST_SUITE_P(Table, Dns1123Test, testing::ValuesIn(kCases));

TEST(Dns1123Test, ProblemSaysWhy) {
  EXPECT_EQ(dns1123_label_problem(""), "must not be empty");
  EXPECT_EQ(dns1123_label_problem(k64), "must be no more than 63 characters");
  EXPECT_EQ(dns1123_label_problem("my_vm"),
            "must consist of lower case alphanumeric characters or '-', and must start and end "
            "with an alphanumeric character");
}

// Port names (a Service's named targetPort), as Kubernetes' IsValidPortName.
struct PortNameCase {
  std::string value;
  bool valid;
};

const PortNameCase kPortNames[] = {
    {"http", true},
    {"http-alt", true},
    {"h2c", true},
    {"9p", true},
    {std::string(15, 'a'), true},
    {std::string(16, 'a'), false},  // at most 15 characters
    {"", false},
    {"8080", false},  // needs a letter
    {"-http", false},
    {"http-", false},
    {"http--alt", false},
    {"HTTP", false},
    {"http_alt", false},
};

class PortNameTest : public testing::TestWithParam<PortNameCase> {};

TEST_P(PortNameTest, Validates) {
  EXPECT_EQ(is_port_name(GetParam().value), GetParam().valid) << GetParam().value;
}

INSTANTIATE_TEST_SUITE_P(Table, PortNameTest, testing::ValuesIn(kPortNames));

}  // namespace
}  // namespace vmdns::cluster
