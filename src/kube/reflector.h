#pragma once
// Keeps one collection (a kind, in one namespace or in all) in step with the API server, the way
// client-go's Reflector does: a paginated list, then a watch from the list's resourceVersion.
//
//   Reflector reflector(options, client, sink, "kubernetes /api/v1/services", stop, on_status);
//   reflector.run();   // until stop: list, watch, re-watch, relist, back off
//
// - The list is read page by page (`limit`, `continue`); each page's JSON is decoded into slim
//   objects and dropped before the next one is fetched, so a big cluster's JSON is never held
//   whole. The first list's objects go to the sink in one replace_origin(): the collection is
//   its origin. A relist passes each object on as it is decoded (upsert: an unchanged object is
//   no change), then has the sink drop what the list no longer holds (retain), so that the
//   sink and the relist never hold two copies of a big collection.
// - The watch (`watch=1&resourceVersion=..&allowWatchBookmarks=true`) is decoded as it arrives.
//   Every event and BOOKMARK moves the resourceVersion on, so that a new watch resumes where
//   the last one stopped.
// - `410 Gone` (an ERROR event or the HTTP status: the resourceVersion is older than the
//   server's history) relists at once; so does a continue token that expired mid-list.
// - A dropped connection, a server error or garbage in the stream re-watches from the last
//   resourceVersion after a capped exponential backoff with jitter.
// - Every `resync_period` the collection is listed again in full, which repairs any event that
//   was missed.
//
// Invalid objects are logged and skipped; a MODIFIED object that became invalid keeps its last
// good version.

#include <chrono>
#include <functional>
#include <string>

#include "kube/api_client.h"
#include "kube/api_kind.h"
#include "kube/backoff.h"
#include "sources/object_sink.h"
#include "kube/stop_signal.h"

namespace vmdns::kube {

struct ReflectorOptions {
  Kind kind = Kind::Service;
  std::string namespace_scope;  // "" for all namespaces
  std::string label_selector;   // --labels, for the kinds that take it
  std::string field_selector;
  size_t page_size = 500;
  std::chrono::seconds resync_period{600};
  // The watch's timeoutSeconds; the server ends the watch after it and we start another.
  std::chrono::seconds watch_timeout{300};
  Backoff::Duration backoff_initial{200};
  Backoff::Duration backoff_cap{30000};
  // After each page of a list, with the objects it held (progress of a long list); may be empty.
  std::function<void(size_t objects)> on_page = nullptr;
};

// What the reflector tells its owner, besides the objects (with a reason for Unreachable).
enum class ReflectorStatus {
  Listed,       // a full list was delivered
  Watching,     // a watch request was answered 200
  Unreachable,  // a request failed (connection, TLS, timeout, server error)
  BadStream,    // a watch stream held garbage, an error event, or ended mid-event; watched again
};

class Reflector {
 public:
  Reflector(ReflectorOptions options, ApiClient& client, sources::ObjectSink& sink,
            std::string origin, StopSignal& stop,
            std::function<void(ReflectorStatus, const std::string&)> on_status);

  void run();
  // "Service in all namespaces", for logs.
  std::string describe() const;

 private:
  enum class WatchEnd { Expired, Resync, Closed, Failed };

  bool list();
  WatchEnd watch();
  std::string query(bool watch_request) const;
  void failed(const std::string& what, const HttpResult& result);

  ReflectorOptions options_;
  const ApiKind& kind_;
  std::string path_;
  ApiClient& client_;
  sources::ObjectSink& sink_;
  std::string origin_;
  StopSignal& stop_;
  std::function<void(ReflectorStatus, const std::string&)> on_status_;
  Backoff backoff_;
  std::string resource_version_;
  std::chrono::steady_clock::time_point next_resync_;
  bool listed_once_ = false;  // the sink holds this collection: the next list is a relist
};

}  // namespace vmdns::kube
