// Fuzzes names: Name::from_text on arbitrary text must never crash, and what it accepts must
// round-trip through to_text(); Name::from_wire on the same bytes must accept only valid names.
//
//   fuzz_name -max_total_time=60 fuzz/corpus/name

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <span>
#include <string_view>

#include "dns/name.h"

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
  std::string_view text(reinterpret_cast<const char*>(data), size);
  std::string error;
  if (auto name = Name::from_text(text, &error)) {
    check(name->wire_length() >= 1 && name->wire_length() <= vmdns::dns::kMaxNameLength);
    std::string printed = name->to_text();
    auto again = Name::from_text(printed);
    check(again.has_value());
    // Octet for octet, case included.
    check(again->wire_view() == name->wire_view());
    check(again->to_text() == printed);
    check(*again == name->lowercased());
    check(vmdns::dns::canonical_compare(*again, *name) == 0);
    check(name->is_subdomain_of(name->parent()));
  } else {
    check(!error.empty());
  }

  if (auto wire = Name::from_wire(std::span<const uint8_t>(data, size))) {
    check(wire->wire_length() == size);
    auto back = Name::from_text(wire->to_text());
    check(back.has_value() && back->wire_view() == wire->wire_view());
  }
  return 0;
}
