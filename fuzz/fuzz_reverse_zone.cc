// Fuzzes the --reverse-zone parser: parse_reverse_zone on arbitrary text (a CIDR or a name) must
// never crash; what it accepts is a lowercased name at or below in-addr.arpa or ip6.arpa that
// parses again to itself, and what it refuses comes with a reason.
//
//   fuzz_reverse_zone -max_total_time=60 fuzz/corpus/reverse_zone

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "dns/name.h"
#include "zone/reverse_zone.h"

namespace {

void check(bool condition) {
  if (!condition) {
    std::abort();
  }
}

}  // namespace

// The libFuzzer entry point; its name is fixed by libFuzzer.
extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {  // NOLINT
  using vmdns::dns::Name;
  static const Name kInAddr = *Name::from_text("in-addr.arpa");
  static const Name kIp6 = *Name::from_text("ip6.arpa");
  std::string_view text(reinterpret_cast<const char*>(data), size);
  std::string error;
  auto zone = vmdns::zone::parse_reverse_zone(text, &error);
  if (!zone) {
    check(!error.empty());
    return 0;
  }
  check(zone->is_subdomain_of(kInAddr) || zone->is_subdomain_of(kIp6));
  check(zone->wire_view() == zone->lowercased().wire_view());
  std::string again_error;
  auto again = vmdns::zone::parse_reverse_zone(zone->to_text(), &again_error);
  check(again.has_value() && again->wire_view() == zone->wire_view());
  return 0;
}
