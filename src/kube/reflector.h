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
//   its origin. A relist (after 410 Gone, or a resync) passes each page's objects on as the
//   page arrives (upsert: an unchanged object is no change) and, from its first page on, runs
//   the watch beside it on a second thread and connection, from that page's resourceVersion:
//   what changes during a long relist is served as it changes, not after the list
//   (relist_merge.h: the watch's word wins over the list's for a key it told of). At its end,
//   the sink drops what neither the list nor the watch named (retain), so that the sink and the
//   relist never hold two copies of a big collection. A watch beside a list that gets 410 Gone
//   starts the list over, and itself again from the new list's first page.
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

#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "kube/api_kind.h"
#include "kube/api_transport.h"
#include "kube/backoff.h"
#include "kube/collection_list.h"
#include "kube/relist_merge.h"
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
  // `clock`: null for the steady clock, whose waits end at `stop`. `watch_client`: the
  // connection watches use (a relist's watch runs beside the list); null: `client`, which must
  // then take requests from two threads at once (a scripted transport does).
  Reflector(ReflectorOptions options, ApiTransport& client, sources::ObjectSink& sink,
            std::string origin, StopSignal& stop,
            std::function<void(ReflectorStatus, const std::string&)> on_status,
            WaitClock* clock = nullptr, ApiTransport* watch_client = nullptr);

  void run();
  // "Service in all namespaces", for logs.
  std::string describe() const;

 private:
  enum class WatchEnd { Expired, Resync, Closed, Failed };
  // A backoff and the Retry-After of the last failure: one for lists, one for watches, as
  // they run on two threads during a relist.
  struct Pacing {
    Backoff backoff;
    std::optional<std::chrono::seconds> retry_after;
  };

  // The first list, whole to the sink; false when it failed (reported) or stopped.
  bool first_list();
  // A relist with the watch beside it. Returns how that watch ended after the list: Expired,
  // Resync, or Closed when stopped.
  WatchEnd relist();
  // One list, its failures reported and its pages retried. `on_version`: after each page, with
  // its resourceVersion; `abandon`: true ends the list (Stopped) before the next page.
  ListOutcome list_pages(const std::function<void(sources::Object)>& on_object,
                         const std::function<void()>& on_restart,
                         const std::function<void(const std::string&)>& on_version,
                         const std::function<bool()>& abandon);
  // Logs and reports a complete list.
  void listed(const ListOutcome& outcome, WaitClock::TimePoint started, size_t watched);
  // Watches, again and again, until the resourceVersion expires, a resync is due, or stop
  // (Closed). Through `merge` during a relist; straight to the sink when it is null.
  WatchEnd watch_loop(RelistMerge* merge);
  WatchEnd watch(RelistMerge* merge);
  std::string query(bool watch_request) const;
  static void log_diagnostics(const std::vector<cluster::Diagnostic>& diagnostics);
  // A list or watch that failed: logged, reported, and its Retry-After kept for the wait.
  void failed(const std::string& verb, const HttpResult& result, Pacing& pacing);
  // After a failure: the backoff, or the Retry-After when longer; false when stopped.
  bool wait_after_failure(Pacing& pacing);

  ReflectorOptions options_;
  const ApiKind& kind_;
  std::string path_;
  ApiTransport& client_;
  ApiTransport& watch_client_;
  sources::ObjectSink& sink_;
  std::string origin_;
  StopSignal& stop_;
  std::function<void(ReflectorStatus, const std::string&)> on_status_;
  std::unique_ptr<WaitClock> own_clock_;
  WaitClock& clock_;
  Pacing list_pacing_;
  Pacing watch_pacing_;  // the watch thread's during a relist
  std::atomic<bool> forbidden_{false};  // the last failure was a 403, already logged
  // The watch's (its thread's during a relist: set before it starts, read after it ends).
  std::string resource_version_;
  WaitClock::TimePoint next_resync_;  // set before a relist's watch starts
};

}  // namespace vmdns::kube
