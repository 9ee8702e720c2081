// `--notify ADDR:PORT[,key=NAME]` read, and its errors.

#include "notify/notify_target.h"

#include <gtest/gtest.h>

#include <string>

namespace vmdns::notify {
namespace {

struct TargetCase {
  std::string text;
  std::string address;  // empty: an error containing `error`
  std::string key;
  std::string error;
};

const TargetCase kTargets[] = {
    {"127.0.0.1:5300", "127.0.0.1:5300", "", ""},
    {"[::1]:53", "[::1]:53", "", ""},
    {"192.0.2.53:53,key=XFR.Example", "192.0.2.53:53", "xfr.example.", ""},
    {"192.0.2.53:0", "", "", "port 0"},
    {"192.0.2.53:53,kee=x", "", "", "unknown option \"kee=x\""},
    {"192.0.2.53:53,key=", "", "", "key: empty"},
    {"192.0.2.53:53,key=a,key=b", "", "", "key= given twice"},
    {"not an address", "", "", "\"not an address\": "},
    {"192.0.2.53:53,key=a\\044b", "", "", "a key name is letters"},
    {"192.0.2.53:53,key=a b", "", "", "a key name is letters"},
};

TEST(NotifyTarget, ParsesTheTable) {
  for (const TargetCase& c : kTargets) {
    SCOPED_TRACE(c.text);
    std::string error;
    std::optional<NotifyTarget> target = parse_notify_target(c.text, &error);
    if (c.address.empty()) {
      EXPECT_FALSE(target);
      EXPECT_NE(error.find(c.error), std::string::npos) << error;
      continue;
    }
    ASSERT_TRUE(target) << error;
    EXPECT_EQ(target->address.to_string(), c.address);
    EXPECT_EQ(target->key_name ? target->key_name->to_text() : "", c.key);
  }
}

}  // namespace
}  // namespace vmdns::notify
