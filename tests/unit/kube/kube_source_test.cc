// KubeSource: the collections it watches for each set of options, and the sync state each
// reports to the sink as its reflector meets the API server (over scripted transports): not
// synced until listed, a 403 reported with its reason while the other collections sync, Lost
// rather than NotSynced when a restored state is served.

#include "kube/kube_source.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "scripted_api.h"

namespace vmdns::kube {
namespace {

using testing::FakeClock;
using testing::RecordingSink;
using testing::ScriptedTransport;
using testing::status_body;

KubeConfig config() {
  KubeConfig out;
  out.server = "https://10.0.0.1:6443";
  out.description = "test";
  return out;
}

KubeSourceOptions scoped(std::vector<std::string> namespaces, std::string labels = "",
                         bool pods = false) {
  KubeSourceOptions out;
  out.namespaces = std::move(namespaces);
  out.label_selector = std::move(labels);
  out.pods = pods;
  return out;
}

TEST(KubeSourceTest, CollectionsForEachScope) {
  RecordingSink sink;
  struct Case {
    const char* rule;
    KubeSourceOptions options;
    std::vector<std::string> origins;
    std::vector<std::string> selectors;  // label|field of each collection
  };
  std::vector<Case> cases = {
      {"every namespace: one collection per kind, Pods only when asked",
       {},
       {"kubernetes /api/v1/namespaces", "kubernetes /api/v1/services",
        "kubernetes /apis/discovery.k8s.io/v1/endpointslices",
        "kubernetes /apis/kubevirt.io/v1/virtualmachineinstances"},
       {"|", "|", "|", "|"}},
      {"one namespace: Namespaces by name, the labels on the kinds that take them",
       scoped({"prod"}, "app=web", true),
       {"kubernetes /api/v1/namespaces", "kubernetes /api/v1/namespaces/prod/services",
        "kubernetes /apis/discovery.k8s.io/v1/namespaces/prod/endpointslices",
        "kubernetes /apis/kubevirt.io/v1/namespaces/prod/virtualmachineinstances",
        "kubernetes /api/v1/namespaces/prod/pods"},
       {"|metadata.name=prod", "app=web|", "app=web|", "app=web|", "app=web|"}},
      {"two namespaces: each namespaced kind in each; every Namespace (no OR of names)",
       scoped({"a", "b"}),
       {"kubernetes /api/v1/namespaces", "kubernetes /api/v1/namespaces/a/services",
        "kubernetes /api/v1/namespaces/b/services",
        "kubernetes /apis/discovery.k8s.io/v1/namespaces/a/endpointslices",
        "kubernetes /apis/discovery.k8s.io/v1/namespaces/b/endpointslices",
        "kubernetes /apis/kubevirt.io/v1/namespaces/a/virtualmachineinstances",
        "kubernetes /apis/kubevirt.io/v1/namespaces/b/virtualmachineinstances"},
       {"|", "|", "|", "|", "|", "|", "|"}},
  };
  for (const Case& c : cases) {
    KubeSource source(config(), c.options, sink);
    std::vector<std::string> origins = source.origins();
    std::vector<std::string> selectors;
    for (const ReflectorOptions& r : source.collections()) {
      selectors.push_back(r.label_selector + "|" + r.field_selector);
    }
    // Compared as sets: the order is the kinds' (api_kinds()), then the namespaces'.
    std::sort(origins.begin(), origins.end());
    std::vector<std::string> expected = c.origins;
    std::sort(expected.begin(), expected.end());
    EXPECT_EQ(origins, expected) << c.rule;
    std::sort(selectors.begin(), selectors.end());
    std::vector<std::string> expected_selectors = c.selectors;
    std::sort(expected_selectors.begin(), expected_selectors.end());
    EXPECT_EQ(selectors, expected_selectors) << c.rule;
  }
}

// A KubeSource whose reflectors talk to scripted transports (one per collection, by path) and
// wait on fake clocks; a transport played out waits for `release`.
class ScriptedSource {
 public:
  ScriptedSource(KubeSourceOptions options, RecordingSink& sink) {
    options.transport = [this](size_t i) -> std::unique_ptr<ApiTransport> {
      return std::make_unique<Forward>(*transports_.at(i));
    };
    options.clock = [this](size_t) { return std::make_unique<FakeClock>(clock_stop_); };
    source_ = std::make_unique<KubeSource>(config(), options, sink);
    std::vector<ReflectorOptions> collections = source_->collections();
    for (const ReflectorOptions& c : collections) {
      std::string path = api_kind(c.kind).collection_path(c.namespace_scope);
      transports_.push_back(std::make_unique<ScriptedTransport>(unused_, &release_));
      by_path_[path] = transports_.back().get();
    }
  }
  ~ScriptedSource() {
    std::thread stopper([this] { source_->stop(); });
    release_.stop();
    clock_stop_.stop();
    stopper.join();
  }
  ScriptedTransport& api(const std::string& path) { return *by_path_.at(path); }
  KubeSource& source() { return *source_; }

 private:
  // The reflector owns its transport; the script stays with the test.
  struct Forward : ApiTransport {
    explicit Forward(ScriptedTransport& to) : to(to) {}
    HttpResult get(const std::string& p, std::chrono::seconds t, size_t m) override {
      return to.get(p, t, m);
    }
    HttpResult stream(const std::string& p, std::chrono::seconds t,
                      const std::function<void(long)>& a,
                      const std::function<bool(std::string_view)>& b) override {
      return to.stream(p, t, a, b);
    }
    ScriptedTransport& to;
  };

  StopSignal unused_;
  StopSignal release_;
  StopSignal clock_stop_;
  std::vector<std::unique_ptr<ScriptedTransport>> transports_;
  std::map<std::string, ScriptedTransport*> by_path_;
  std::unique_ptr<KubeSource> source_;
};

const std::string kEmpty = R"({"metadata":{"resourceVersion":"5"},"items":[]})";
const std::string kVmis = "/apis/kubevirt.io/v1/virtualmachineinstances";

TEST(KubeSourceTest, AForbiddenKindSaysWhyWhileTheOthersSync) {
  RecordingSink sink;
  ScriptedSource scripted({}, sink);
  for (const char* path : {"/api/v1/namespaces", "/api/v1/services",
                           "/apis/discovery.k8s.io/v1/endpointslices"}) {
    scripted.api(path).page(std::string(path) + "?limit=500", 200, kEmpty);
  }
  std::string forbidden = status_body(403, "Forbidden", "virtualmachineinstances is forbidden");
  scripted.api(kVmis)
      .page(kVmis + "?limit=500", 403, forbidden)
      .page(kVmis + "?limit=500", 403, forbidden)
      .page(kVmis + "?limit=500", 200, kEmpty);  // the role fixed
  scripted.source().announce();
  scripted.source().start();
  std::string origin = "kubernetes " + kVmis;
  sink.wait_for_line(origin, "sync synced");
  EXPECT_EQ(sink.lines_of(origin),
            (std::vector<std::string>{
                "sync not_synced: not listed yet",
                "sync not_synced: forbidden: may not list virtualmachineinstances.kubevirt.io "
                "in all namespaces (RBAC)",
                "replace", "sync synced"}));
  for (const char* other : {"kubernetes /api/v1/services", "kubernetes /api/v1/namespaces"}) {
    sink.wait_for_line(other, "sync synced");
    EXPECT_EQ(sink.lines_of(other),
              (std::vector<std::string>{"sync not_synced: not listed yet", "replace",
                                        "sync synced"}));
  }
}

TEST(KubeSourceTest, ARestoredStateIsLostNotUnsyncedUntilListed) {
  RecordingSink sink;
  KubeSourceOptions options;
  options.serving_restored_state = true;
  ScriptedSource scripted(options, sink);
  for (const char* path : {"/api/v1/namespaces", "/api/v1/services",
                           "/apis/discovery.k8s.io/v1/endpointslices"}) {
    scripted.api(path).page(std::string(path) + "?limit=500", 200, kEmpty);
  }
  scripted.api(kVmis)
      .page(kVmis + "?limit=500", 503, status_body(503, "ServiceUnavailable", "down"))
      .page(kVmis + "?limit=500", 503, status_body(503, "ServiceUnavailable", "down"))
      .page(kVmis + "?limit=500", 503, status_body(503, "ServiceUnavailable", "down"))
      .page(kVmis + "?limit=500", 503, status_body(503, "ServiceUnavailable", "down"))
      .page(kVmis + "?limit=500", 503, status_body(503, "ServiceUnavailable", "down"))
      .page(kVmis + "?limit=500", 200, kEmpty);
  scripted.source().announce();
  scripted.source().start();
  std::string origin = "kubernetes " + kVmis;
  sink.wait_for_line(origin, "sync synced");
  EXPECT_EQ(sink.lines_of(origin),
            (std::vector<std::string>{
                "sync lost: serving the state restored from disk",
                "sync lost: list /apis/kubevirt.io/v1/virtualmachineinstances: HTTP 503: "
                "ServiceUnavailable: down",
                "replace", "sync synced"}));
}

}  // namespace
}  // namespace vmdns::kube
