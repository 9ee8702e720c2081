// libFuzzer target: manifest text -> LoadResult. Whatever the bytes, loading must neither crash
// nor throw; every problem has to come back as a diagnostic.

#include <spdlog/spdlog.h>

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "sources/manifest_loader.h"

extern "C" int LLVMFuzzerInitialize(int* /*argc*/, char*** /*argv*/) {
  spdlog::set_level(spdlog::level::off);  // the skipped-kind debug lines are noise here
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  vmdns::sources::LoadResult result = vmdns::sources::load_manifest_text(text, "fuzz.yaml");
  // Formatting every diagnostic exercises quoting of hostile field values too.
  for (const vmdns::cluster::Diagnostic& d : result.diagnostics) {
    (void)d.to_string();
  }
  return 0;
}
