// RrSet::first(): the first of the length-prefixed rdatas, and nothing for a set that has none or
// whose first length runs past its data.

#include "zone/rr_set.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace vmdns::zone {
namespace {

struct FirstCase {
  const char* name;
  std::vector<uint8_t> data;  // as stored: each rdata after its 2-octet length
  uint32_t count;
  std::vector<uint8_t> first;
};

class RrSetFirstTest : public ::testing::TestWithParam<FirstCase> {};

TEST_P(RrSetFirstTest, First) {
  const FirstCase& c = GetParam();
  RrSet set(dns::RrType::A, 30, c.count, c.data);
  std::span<const uint8_t> got = set.first();
  EXPECT_EQ(std::vector<uint8_t>(got.begin(), got.end()), c.first);
}

INSTANTIATE_TEST_SUITE_P(
    Sets, RrSetFirstTest,
    ::testing::Values(FirstCase{"empty", {}, 0, {}},
                      FirstCase{"one", {0, 4, 10, 244, 0, 57}, 1, {10, 244, 0, 57}},
                      FirstCase{"two", {0, 4, 10, 244, 0, 57, 0, 4, 10, 244, 1, 12}, 2,
                                {10, 244, 0, 57}},
                      FirstCase{"empty_rdata", {0, 0}, 1, {}},
                      FirstCase{"length_past_the_data", {0, 9, 10, 244}, 1, {}},
                      FirstCase{"half_a_length", {0}, 1, {}}),
    [](const ::testing::TestParamInfo<FirstCase>& info) { return info.param.name; });

}  // namespace
}  // namespace vmdns::zone
