// The query string's key=value pairs, as GET /explain reads them.

#include "ops/http_query.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace vmdns::ops {
namespace {

TEST(HttpQuery, Table) {
  struct Case {
    std::string query;
    bool ok;
    std::vector<std::string> pairs;  // "key=value"
  };
  std::vector<Case> cases = {
      {"", true, {}},
      {"output=json", true, {"output=json"}},
      {"output=json&namespace=prod", true, {"output=json", "namespace=prod"}},
      {"a=1&&b=2&", true, {"a=1", "b=2"}},     // empty pairs skipped
      {"flag", true, {"flag="}},               // no '=': an empty value
      {"a=b=c", true, {"a=b=c"}},              // split on the first '='
      {"%41=1", true, {"%41=1"}},              // not decoded
      {"=x", false, {}},                       // a value without a key
      {std::string(17 * 4, 'x'), true, {std::string(17 * 4, 'x') + "="}},
  };
  std::string many;
  for (int i = 0; i < 17; ++i) {
    many += "k=v&";
  }
  cases.push_back({many, false, {}});  // past kMaxHttpQueryParameters
  for (const Case& c : cases) {
    auto parsed = parse_http_query(c.query);
    ASSERT_EQ(parsed.has_value(), c.ok) << c.query;
    if (!parsed) {
      continue;
    }
    std::vector<std::string> pairs;
    for (const HttpQueryParameter& p : *parsed) {
      pairs.push_back(std::string(p.key) + "=" + std::string(p.value));
    }
    EXPECT_EQ(pairs, c.pairs) << c.query;
  }
}

}  // namespace
}  // namespace vmdns::ops
