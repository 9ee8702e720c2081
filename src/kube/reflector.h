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
//   resourceVersion after a capped exponential backoff with jitter; a `Retry-After` (429, 503)
//   is waited at least. A list page that fails with 429, 5xx or a body cut off, or (past the
//   first page) gets no answer, is asked for again (same continue token, nothing of it
//   applied), up to four times in a row, before the list fails and starts over after the
//   backoff.
// - 403 Forbidden (RBAC lacks the verb or the kind) is logged once, as an error naming the
//   verb, the kind and the scope, reported Forbidden (so /ready says why), and retried with
//   the backoff: fixing the role brings the collection back without a restart. 401 makes the
//   token file be read again before the next try (ApiClient).
// - Every `resync_period` the collection is listed again in full, which repairs any event that
//   was missed.
//
// Invalid objects are logged and skipped; a MODIFIED object that became invalid keeps its last
// good version.

#include <chrono>
#include <functional>
#include <string>

#include <memory>
#include <optional>

#include "kube/api_kind.h"
#include "kube/api_transport.h"
#include "kube/backoff.h"
#include "kube/stop_signal.h"
#include "kube/wait_clock.h"
#include "sources/object_sink.h"

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
  Forbidden,    // 403: the client may not list or watch the collection (RBAC)
  BadStream,    // a watch stream held garbage, an error event, or ended mid-event; watched again
};

class Reflector {
 public:
  // `clock`: null for the steady clock, whose waits end at `stop`.
  Reflector(ReflectorOptions options, ApiTransport& client, sources::ObjectSink& sink,
            std::string origin, StopSignal& stop,
            std::function<void(ReflectorStatus, const std::string&)> on_status,
            WaitClock* clock = nullptr);

  void run();
  // "Service in all namespaces", for logs.
  std::string describe() const;

 private:
  enum class WatchEnd { Expired, Resync, Closed, Failed };

  bool list();
  WatchEnd watch();
  std::string query(bool watch_request) const;
  // A list or watch that failed: logged, reported, and its Retry-After kept for the wait.
  void failed(const std::string& verb, const HttpResult& result);
  // After a failure: the backoff, or the Retry-After when longer; false when stopped.
  bool wait_after_failure();

  ReflectorOptions options_;
  const ApiKind& kind_;
  std::string path_;
  ApiTransport& client_;
  sources::ObjectSink& sink_;
  std::string origin_;
  StopSignal& stop_;
  std::function<void(ReflectorStatus, const std::string&)> on_status_;
  std::unique_ptr<WaitClock> own_clock_;
  WaitClock& clock_;
  Backoff backoff_;
  std::optional<std::chrono::seconds> retry_after_;
  bool forbidden_ = false;  // the last failure was a 403, already logged
  std::string resource_version_;
  WaitClock::TimePoint next_resync_;
  bool listed_once_ = false;  // the sink holds this collection: the next list is a relist
};

}  // namespace vmdns::kube
