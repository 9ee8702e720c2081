// Fuzzes the serial kept in --state-dir (xfr::parse_serial_text): any text must never crash,
// and what it accepts prints back as the same decimal number.
//
//   fuzz_serial_text -max_total_time=60 fuzz/corpus/serial_text

#include <cstddef>
#include <cstdint>
#include <string>

#include "fuzz_check.h"
#include "xfr/serial.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {  // NOLINT
  std::string_view text = vmdns::fuzz::as_text(data, size);
  std::optional<uint32_t> serial = vmdns::xfr::parse_serial_text(text);
  if (serial) {
    vmdns::fuzz::check(vmdns::xfr::parse_serial_text(std::to_string(*serial)) == serial);
  }
  return 0;
}
