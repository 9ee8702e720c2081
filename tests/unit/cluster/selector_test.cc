#include "cluster/selector.h"

#include <gtest/gtest.h>

namespace vmdns::cluster {
namespace {

struct SelectorCase {
  const char* rule;
  std::optional<Labels> selector;
  Labels labels;
  bool matches;
};

const SelectorCase kCases[] = {
    {"missing selector selects nothing", std::nullopt, {{"expose", "me"}}, false},
    {"empty selector selects nothing", Labels{}, {{"expose", "me"}}, false},
    {"one pair matches", Labels{{"expose", "me"}}, {{"expose", "me"}, {"app", "x"}}, true},
    {"value differs", Labels{{"expose", "me"}}, {{"expose", "you"}}, false},
    {"key missing", Labels{{"expose", "me"}}, {{"app", "x"}}, false},
    {"every pair must match", Labels{{"expose", "me"}, {"app", "x"}}, {{"expose", "me"}}, false},
    {"all pairs match",
     Labels{{"expose", "me"}, {"app", "x"}},
     {{"expose", "me"}, {"app", "x"}, {"tier", "db"}},
     true},
    {"empty value matches empty value", Labels{{"flag", ""}}, {{"flag", ""}}, true},
    {"no labels", Labels{{"expose", "me"}}, {}, false},
};

class SelectorTest : public testing::TestWithParam<SelectorCase> {};

TEST_P(SelectorTest, Matches) {
  const SelectorCase& c = GetParam();
  EXPECT_EQ(selector_matches(c.selector, c.labels), c.matches) << c.rule;
}

INSTANTIATE_TEST_SUITE_P(Table, SelectorTest, testing::ValuesIn(kCases));

}  // namespace
}  // namespace vmdns::cluster
