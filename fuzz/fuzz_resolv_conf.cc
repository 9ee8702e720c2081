// libFuzzer target: resolv.conf text (`vmdns lookup --resolv-conf FILE`) -> ResolvConf. Whatever
// the bytes, parsing must neither crash nor throw, and the text it writes back must parse to
// the same configuration.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "fuzz_check.h"
#include "resolvconf/resolv_conf.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text = vmdns::fuzz::as_text(data, size);
  std::vector<std::string> warnings;
  vmdns::resolvconf::ResolvConf conf = vmdns::resolvconf::parse_resolv_conf(text, &warnings);
  (void)conf.ndots();
  std::string written = conf.to_text();
  vmdns::resolvconf::ResolvConf again = vmdns::resolvconf::parse_resolv_conf(written);
  vmdns::fuzz::check(again.to_text() == written);
  return 0;
}
