#pragma once
// One row of a decoding table: a manifest, the exact diagnostics it gives, and a check of what
// was loaded. The manifest is read as if it were the file "t.yaml".

#include <gtest/gtest.h>

#include <functional>
#include <ostream>
#include <span>
#include <string>
#include <vector>

#include "sources/manifest_loader.h"

namespace vmdns::sources {

struct DecodeCase {
  const char* rule;
  const char* yaml;
  std::vector<std::string> diagnostics;
  std::function<void(const LoadResult&)> check;
};

inline void PrintTo(const DecodeCase& c, std::ostream* out) {
  *out << c.rule;
}

inline std::vector<std::string> diagnostic_texts(const LoadResult& result) {
  std::vector<std::string> out;
  for (const cluster::Diagnostic& d : result.diagnostics) {
    out.push_back(d.to_string());
  }
  return out;
}

inline void run_decode_case(const DecodeCase& c) {
  SCOPED_TRACE(c.rule);
  LoadResult result = load_manifest_text(c.yaml, "t.yaml");
  EXPECT_EQ(diagnostic_texts(result), c.diagnostics);
  if (c.check) {
    c.check(result);
  }
}

inline std::vector<std::string> address_texts(std::span<const cluster::IpAddress> addresses) {
  std::vector<std::string> out;
  for (const cluster::IpAddress& a : addresses) {
    out.push_back(a.to_string());
  }
  return out;
}

}  // namespace vmdns::sources
