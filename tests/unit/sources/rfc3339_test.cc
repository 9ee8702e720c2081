// RFC 3339 timestamps as the Kubernetes API writes them (RFC 3339 section 5.6), and what is not
// one.

#include "sources/rfc3339.h"

#include <gtest/gtest.h>

#include <vector>

namespace vmdns::sources {
namespace {

TEST(Rfc3339Test, Parses) {
  struct Case {
    const char* text;
    std::optional<int64_t> ns;
  };
  const std::vector<Case> cases = {
      {"1970-01-01T00:00:00Z", 0},
      {"1970-01-01T00:00:01.5Z", 1'500'000'000},
      {"1970-01-01T00:00:01.000000001Z", 1'000'000'001},
      {"2000-03-01T00:00:00Z", int64_t{951'868'800} * 1'000'000'000},
      {"2024-02-29T12:00:00Z", int64_t{1'709'208'000} * 1'000'000'000},
      {"2024-02-29T13:30:00+01:30", int64_t{1'709'208'000} * 1'000'000'000},
      {"2024-02-29T10:00:00-02:00", int64_t{1'709'208'000} * 1'000'000'000},
      {"2024-02-29t12:00:00z", int64_t{1'709'208'000} * 1'000'000'000},
      {"2023-02-29T00:00:00Z", std::nullopt},  // not a leap year
      {"1900-02-29T00:00:00Z", std::nullopt},
      {"1969-12-31T23:59:59Z", std::nullopt},
      {"2024-13-01T00:00:00Z", std::nullopt},
      {"2024-01-01T24:00:00Z", std::nullopt},
      {"2024-01-01T00:00:00", std::nullopt},  // no zone
      {"2024-01-01T00:00:00.Z", std::nullopt},
      {"2024-01-01T00:00:00.1234567891Z", std::nullopt},
      {"2024-01-01T00:00:00Zjunk", std::nullopt},
      {"2024-01-01 00:00:00Z", std::nullopt},
      {"2024-1-01T00:00:00Z", std::nullopt},
      {"", std::nullopt},
      {"9999-12-31T23:59:59Z", std::nullopt},
  };
  for (const Case& c : cases) {
    EXPECT_EQ(parse_rfc3339(c.text), c.ns) << c.text;
  }
}

}  // namespace
}  // namespace vmdns::sources
