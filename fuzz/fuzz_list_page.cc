// libFuzzer target: the pages of a list (what the API server answers to `limit`/`continue`)
// -> slim objects, through list_collection, as the reflector and `explain --kubeconfig` read
// them. Whatever the bytes, neither the list nor the decoders may crash, throw or loop: every
// list ends, complete or with its reason. The first byte picks the kind; the rest is the
// server's pages, split at NUL bytes, each answered 200 unless it starts with "410 " (an
// expired continue token, the rest its body) or "429 " (throttled: its first line is read as a
// response header, Retry-After's parser included, and the page is asked for again up to three
// times). Past the last page, requests fail.

#include <spdlog/spdlog.h>

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "kube/api_client.h"
#include "kube/api_kind.h"
#include "kube/collection_list.h"

extern "C" int LLVMFuzzerInitialize(int* /*argc*/, char*** /*argv*/) {
  spdlog::set_level(spdlog::level::off);
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace vmdns::kube;
  if (size == 0) {
    return 0;
  }
  static const Kind kKinds[] = {Kind::Namespace, Kind::Service, Kind::EndpointSlice,
                                Kind::VirtualMachineInstance, Kind::Pod, Kind::VirtualMachine};
  const ApiKind& kind = api_kind(kKinds[data[0] % std::size(kKinds)]);
  std::string_view rest(reinterpret_cast<const char*>(data) + 1, size - 1);
  std::vector<std::string_view> pages;
  for (size_t start = 0;;) {
    size_t end = rest.find('\0', start);
    pages.push_back(rest.substr(start, end == std::string_view::npos ? end : end - start));
    if (end == std::string_view::npos) {
      break;
    }
    start = end + 1;
  }
  size_t next = 0;
  PageFetch fetch = [&](const std::string&) {
    HttpResult result;
    if (next >= pages.size()) {
      result.error = "no more pages";
      return result;
    }
    std::string_view page = pages[next++];
    if (page.starts_with("429 ")) {
      std::string_view answer = page.substr(4);
      size_t end_of_line = answer.find('\n');
      std::string_view header =
          end_of_line == std::string_view::npos ? answer : answer.substr(0, end_of_line + 1);
      result.status = 429;
      result.retry_after = retry_after_seconds(header);
      result.body = std::string(answer);
      return result;
    }
    result.status = page.starts_with("410 ") ? 410 : 200;
    result.body = std::string(result.status == 410 ? page.substr(4) : page);
    return result;
  };
  size_t objects = 0;
  ListCallbacks callbacks;
  callbacks.on_object = [&objects](vmdns::sources::Object) { ++objects; };
  callbacks.on_restart = [&objects] { objects = 0; };
  int retries = 0;
  callbacks.retry = [&retries](const HttpResult& failed) {
    return failed.status == 429 && ++retries <= 3;
  };
  CollectionRequest request{&kind, kind.collection_path(""), "", 2, "fuzz"};
  ListOutcome out = list_collection(request, fetch, callbacks);
  if (out.complete() && out.objects != objects) {
    __builtin_trap();  // every object counted was passed on, since the last restart
  }
  for (const vmdns::cluster::Diagnostic& d : out.diagnostics) {
    (void)d.to_string();
  }
  return 0;
}
