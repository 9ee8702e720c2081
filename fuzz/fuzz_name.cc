// Fuzzes names: Name::from_text on arbitrary text must never crash, and what it accepts must
// round-trip through to_text(); Name::from_wire on the same bytes must accept only valid names.
//
//   fuzz_name -max_total_time=60 fuzz/corpus/name

#include <cstddef>
#include <cstdint>
#include <span>

#include "dns/name.h"
#include "fuzz_check.h"

// The libFuzzer entry point; its name is fixed by libFuzzer.
extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {  // NOLINT
  using vmdns::dns::Name;
  using vmdns::fuzz::check;
  auto name = vmdns::fuzz::check_round_trip(
      vmdns::fuzz::as_text(data, size), Name::from_text, [](const Name& n) { return n.to_text(); },
      [](const Name& n, const Name& again) {
        // Octet for octet, case included.
        return again.wire_view() == n.wire_view() && again.to_text() == n.to_text() &&
               again == n.lowercased() && vmdns::dns::canonical_compare(again, n) == 0;
      });
  if (name) {
    check(name->wire_length() >= 1 && name->wire_length() <= vmdns::dns::kMaxNameLength);
    check(name->is_subdomain_of(name->parent()));
  }

  if (auto wire = Name::from_wire(std::span<const uint8_t>(data, size))) {
    check(wire->wire_length() == size);
    auto back = Name::from_text(wire->to_text());
    check(back.has_value() && back->wire_view() == wire->wire_view());
  }
  return 0;
}
