// Fuzzes the --notify parser: parse_notify_target on arbitrary text must never crash; what it
// accepts prints (ADDR:PORT[,key=NAME]) as a text that parses again to the same target, with a
// port other than 0, and what it refuses comes with a reason.
//
//   fuzz_notify_target -max_total_time=60 fuzz/corpus/notify_target

#include <cstddef>
#include <cstdint>
#include <string>

#include "fuzz_check.h"
#include "notify/notify_target.h"

// The libFuzzer entry point; its name is fixed by libFuzzer.
extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {  // NOLINT
  using vmdns::notify::NotifyTarget;
  auto target = vmdns::fuzz::check_round_trip(
      vmdns::fuzz::as_text(data, size), vmdns::notify::parse_notify_target,
      [](const NotifyTarget& t) {
        return t.address.to_string() + (t.key_name ? ",key=" + t.key_name->to_text() : "");
      },
      [](const NotifyTarget& t, const NotifyTarget& again) {
        return again.address.to_string() == t.address.to_string() &&
               again.key_name.has_value() == t.key_name.has_value() &&
               (!t.key_name || *again.key_name == *t.key_name);
      });
  if (target) {
    vmdns::fuzz::check(target->address.port() != 0);
  }
  return 0;
}
