// libFuzzer target: bytes of a watch response -> events -> slim objects. Whatever the bytes,
// neither the decoder nor the JSON field reader may crash, throw or recurse without bound; a
// broken stream has to come back as the decoder's error. The first byte picks the size of the
// pieces the stream is fed in, so that event boundaries fall anywhere.

#include <spdlog/spdlog.h>

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "kube/api_object.h"
#include "kube/watch_stream.h"

extern "C" int LLVMFuzzerInitialize(int* /*argc*/, char*** /*argv*/) {
  spdlog::set_level(spdlog::level::off);
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) {
    return 0;
  }
  size_t piece = size_t{data[0]} + 1;
  std::string_view stream(reinterpret_cast<const char*>(data) + 1, size - 1);
  vmdns::kube::WatchStreamDecoder decoder(1 << 16);
  std::vector<vmdns::cluster::Diagnostic> diagnostics;
  auto on_event = [&](vmdns::kube::WatchEvent&& event) {
    for (const vmdns::kube::ApiKind& kind : vmdns::kube::api_kinds()) {
      (void)vmdns::kube::decode_api_object(event.object, kind, "fuzz", diagnostics);
      (void)vmdns::kube::key_of(event.object, kind);
    }
    (void)vmdns::kube::resource_version_of(event.object);
    (void)vmdns::kube::status_message(event.object);
    (void)vmdns::kube::status_code(event.object);
  };
  for (size_t at = 0; at < stream.size(); at += piece) {
    if (!decoder.feed(stream.substr(at, piece), on_event)) {
      break;
    }
  }
  for (const vmdns::cluster::Diagnostic& d : diagnostics) {
    (void)d.to_string();
  }
  return 0;
}
