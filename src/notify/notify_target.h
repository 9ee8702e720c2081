#pragma once
// A secondary to NOTIFY, as `--notify ADDR:PORT[,key=NAME]` gives it.
//
//   std::string error;
//   auto target = parse_notify_target("192.0.2.53:53,key=xfr.example", &error);
//   target->address.to_string();   // "192.0.2.53:53"
//   target->key_name;              // "xfr.example." (empty: unsigned, or the only key)

#include <optional>
#include <string>
#include <string_view>

#include "dns/name.h"
#include "net/listen_address.h"

namespace vmdns::notify {

struct NotifyTarget {
  net::ListenAddress address;
  std::optional<dns::Name> key_name;  // ,key=NAME
};

// Errors name the part: `"192.0.2.53:53,kee=x": unknown option "kee=x" (key=NAME)`.
std::optional<NotifyTarget> parse_notify_target(std::string_view text, std::string* error);

}  // namespace vmdns::notify
