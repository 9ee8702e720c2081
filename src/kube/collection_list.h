#pragma once
// One collection listed completely: page after page (`limit`, `continue`) until the server gives
// no continue token, each page's items decoded into slim objects and the page's JSON dropped
// before the next one is fetched, so that a big collection's JSON is never held whole. The
// reflector lists with it before each watch; `vmdns explain` and `check` list each kind once.
//
//   CollectionRequest request{.kind = &api_kind(Kind::Service), .path = "/api/v1/services",
//                             .origin = "https://10.0.0.1:6443/api/v1/services"};
//   ListOutcome out = list_collection(request, fetch, {.on_object = [&](sources::Object o) {
//     put(state, std::move(o));
//   }});
//   if (!out.complete()) die(out.why);   // "HTTP 403: Forbidden: services is forbidden ..."
//
// `fetch` does one GET of a path and query (ApiClient::get in the program, a script in tests).
// A continue token that expired mid-list (410 Gone) starts the list over, at most three times,
// after `on_restart`: the objects passed on before it may be gone by now.

#include <cstddef>
#include <functional>
#include <string>
#include <vector>

#include "cluster/diagnostic.h"
#include "kube/api_client.h"
#include "kube/api_kind.h"
#include "sources/object_sink.h"

namespace vmdns::kube {

struct CollectionRequest {
  const ApiKind* kind = nullptr;
  std::string path;         // the collection's path: "/api/v1/namespaces/default/services"
  std::string selectors;    // "labelSelector=..&fieldSelector=..", URL-encoded; may be empty
  size_t page_size = 500;
  std::string origin;       // the Origin.file of every object listed
};

struct ListCallbacks {
  std::function<void(sources::Object)> on_object;
  // The list starts over (an expired continue token): forget what was passed on so far.
  std::function<void()> on_restart = nullptr;
  // After each page, with the objects decoded from it.
  std::function<void(size_t objects)> on_page = nullptr;
  // After each page, with its resourceVersion (the list's: every page is cut from one
  // snapshot): a relist starts its watch from the first page's.
  std::function<void(const std::string& resource_version)> on_version = nullptr;
  // Checked after each page: true ends the list, Stopped.
  std::function<bool()> stopped = nullptr;
  // A page that failed (not an expired continue token): true, once it has waited as long as
  // it wants, asks for the same page again (a 429, a 5xx, a connection cut off mid-page: the
  // continue token is still good); false ends the list, Failed. Nothing of a failed page is
  // passed on. Empty: never retried.
  std::function<bool(const HttpResult& failed)> retry = nullptr;
};

struct ListOutcome {
  enum class End { Complete, Failed, NotJson, Stopped };
  End end = End::Failed;
  std::string resource_version;  // the list's, when Complete
  size_t objects = 0;            // decoded and passed on (since the last restart)
  std::vector<cluster::Diagnostic> diagnostics;  // objects skipped as invalid, and warnings
  HttpResult failure;            // the page that failed, when Failed (its body is kept)
  std::string failed_path;       // the path and query of that page
  std::string why;               // Failed, NotJson: "HTTP 403: Forbidden: ...", a curl error

  bool complete() const { return end == End::Complete; }
};

using PageFetch = std::function<HttpResult(const std::string& path_and_query)>;

ListOutcome list_collection(const CollectionRequest& request, const PageFetch& fetch,
                            const ListCallbacks& callbacks);

// Why a request failed, in one line: curl's error, or "HTTP <status>: <the Status message>"
// (the body's first 200 bytes when it is not a Status).
std::string failure_text(const HttpResult& result);

}  // namespace vmdns::kube
