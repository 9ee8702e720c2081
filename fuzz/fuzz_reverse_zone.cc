// Fuzzes the --reverse-zone parser: parse_reverse_zone on arbitrary text (a CIDR or a name) must
// never crash; what it accepts is a lowercased name at or below in-addr.arpa or ip6.arpa that
// parses again to itself, and what it refuses comes with a reason.
//
//   fuzz_reverse_zone -max_total_time=60 fuzz/corpus/reverse_zone

#include <cstddef>
#include <cstdint>

#include "dns/name.h"
#include "fuzz_check.h"
#include "rules/reverse_zone.h"

// The libFuzzer entry point; its name is fixed by libFuzzer.
extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {  // NOLINT
  using vmdns::dns::Name;
  static const Name kInAddr = *Name::from_text("in-addr.arpa");
  static const Name kIp6 = *Name::from_text("ip6.arpa");
  using vmdns::fuzz::check;
  auto zone = vmdns::fuzz::check_round_trip(
      vmdns::fuzz::as_text(data, size), vmdns::rules::parse_reverse_zone,
      [](const Name& z) { return z.to_text(); },
      [](const Name& z, const Name& again) { return again.wire_view() == z.wire_view(); });
  if (!zone) {
    return 0;
  }
  check(zone->is_subdomain_of(kInAddr) || zone->is_subdomain_of(kIp6));
  check(zone->wire_view() == zone->lowercased().wire_view());
  return 0;
}
