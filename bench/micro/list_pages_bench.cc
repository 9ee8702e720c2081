// What the Kubernetes API's list pages cost the client: pages of VMIs shaped as
// `kubectl get vmi -o json` prints them (the unit tests' vmi-fedora.json, renamed, as the API
// server writes it: compact), served from bytes rendered once, through kube::list_collection:
// parse, decode into slim objects, drop the page. No server, no network, no snapshot build:
// the client's share of a first sync.
//
//   build/bench/micro/vmdns_micro_bench --benchmark_filter=ListPages

#include <benchmark/benchmark.h>

#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "kube/collection_list.h"
#include "sources/json_value.h"

namespace vmdns::bench {
namespace {

constexpr size_t kPageSize = 500;

std::string replace_all(std::string text, const std::string& from, const std::string& to) {
  for (size_t at = text.find(from); at != std::string::npos; at = text.find(from, at + to.size())) {
    text.replace(at, from.size(), to);
  }
  return text;
}

// `pages` pages of kPageSize VMIs each, every VMI named apart; each page but the last carries a
// continue token naming the next.
std::vector<std::string> render_pages(size_t pages) {
  std::ifstream in(VMDNS_VMI_JSON);
  std::stringstream text;
  text << in.rdbuf();
  sources::JsonDocument document;
  if (!document.parse(text.str())) {
    return {};
  }
  const std::string vmi = document.root().text();
  std::vector<std::string> out;
  for (size_t p = 0; p < pages; ++p) {
    std::string page = R"({"kind":"VirtualMachineInstanceList","apiVersion":"kubevirt.io/v1",)";
    page += R"("metadata":{"resourceVersion":"7")";
    if (p + 1 < pages) {
      page += R"(,"continue":")" + std::to_string(p + 1) + "\"";
    }
    page += R"(},"items":[)";
    for (size_t i = 0; i < kPageSize; ++i) {
      page += i == 0 ? "" : ",";
      page += replace_all(vmi, "vmi-fedora", "vm-" + std::to_string(p * kPageSize + i));
    }
    page += "]}";
    out.push_back(std::move(page));
  }
  return out;
}

void BM_ListPages(benchmark::State& state) {
  const std::vector<std::string> pages = render_pages(static_cast<size_t>(state.range(0)));
  kube::CollectionRequest request{.kind = &kube::api_kind(kube::Kind::VirtualMachineInstance),
                                  .path = "/apis/kubevirt.io/v1/virtualmachineinstances",
                                  .selectors = "",
                                  .page_size = kPageSize,
                                  .origin = "bench"};
  size_t objects = 0;
  size_t bytes = 0;
  for (auto _ : state) {
    size_t next = 0;
    auto fetch = [&](const std::string&) {
      kube::HttpResult result;
      result.status = 200;
      result.body = pages[next++];  // a copy, as a body read from the socket is
      bytes += result.body.size();
      return result;
    };
    kube::ListOutcome out = kube::list_collection(
        request, fetch, {.on_object = [](sources::Object o) { benchmark::DoNotOptimize(&o); }});
    if (!out.complete() || out.objects != pages.size() * kPageSize) {
      state.SkipWithError("the list did not decode every VMI");
      return;
    }
    objects += out.objects;
  }
  state.SetItemsProcessed(static_cast<int64_t>(objects));
  state.SetBytesProcessed(static_cast<int64_t>(bytes));
}
BENCHMARK(BM_ListPages)->Arg(20)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace vmdns::bench
