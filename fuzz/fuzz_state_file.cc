// libFuzzer target: the --state-dir file's text -> cluster state. The file is ours, but a disk,
// an editor or an older vmdns may leave anything in it; whatever the bytes, reading it back must
// neither crash nor throw, and whatever state it yields must encode and decode again.

#include <spdlog/spdlog.h>

#include <cstddef>
#include <cstdint>
#include <string>

#include "fuzz_check.h"
#include "kube/state_file.h"

extern "C" int LLVMFuzzerInitialize(int* /*argc*/, char*** /*argv*/) {
  spdlog::set_level(spdlog::level::off);  // skipped objects are logged as warnings
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string text(reinterpret_cast<const char*>(data), size);
  std::string error;
  auto state = vmdns::kube::decode_state(text, "state.json", &error);
  if (!state) {
    return 0;
  }
  // A state read back is written again as the saver would: that text must read back too.
  std::string again = vmdns::kube::encode_state(*state);
  vmdns::fuzz::check(vmdns::kube::decode_state(again, "state.json", &error).has_value());
  return 0;
}
