// What the fuzz targets share: the check that stops the fuzzer on a broken property, and the
// frame of a parser that refuses with a reason and prints what it accepts in a form that
// parses again to the same value.
//
//   using vmdns::fuzz::check;
//   check(n <= limit);   // abort(): libFuzzer saves the input that broke it
//
//   auto zone = vmdns::fuzz::check_round_trip(
//       vmdns::fuzz::as_text(data, size), vmdns::zone::parse_reverse_zone,
//       [](const vmdns::dns::Name& z) { return z.to_text(); },
//       [](const vmdns::dns::Name& z, const vmdns::dns::Name& again) {
//         return again.wire_view() == z.wire_view();
//       });
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

namespace vmdns::fuzz {

// abort(), not assert(): the check must hold in every build type, and libFuzzer reports an
// abort as a crash with the input that caused it.
inline void check(bool condition) {
  if (!condition) {
    std::abort();
  }
}

// The fuzzer's bytes as the text a parser of user input reads.
inline std::string_view as_text(const uint8_t* data, size_t size) {
  return {reinterpret_cast<const char*>(data), size};
}

// Parses `text` with `parse(text, &error)` (which returns an optional). A refusal must give a
// reason; an accepted value must print, with `print(value)`, to a text that parses again to a
// value for which `same(value, again)` holds. Returns what the first parse returned.
template <typename Parse, typename Print, typename Same>
auto check_round_trip(std::string_view text, Parse parse, Print print, Same same) {
  std::string error;
  auto value = parse(text, &error);
  if (!value) {
    check(!error.empty());
    return value;
  }
  std::string again_error;
  auto again = parse(print(*value), &again_error);
  check(again.has_value() && same(*value, *again));
  return value;
}

}  // namespace vmdns::fuzz
