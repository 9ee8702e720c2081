#pragma once
// A relist and the watch that runs beside it, merged into one stream of changes for the sink,
// so that a long relist (100,000 objects take a minute from a busy API server) never freezes
// what is served: each page's objects reach the sink as the page arrives, and every change made
// since the list began reaches it as the watch tells it, not after the list.
//
//   RelistMerge merge(sink, origin, ObjectKind::Service);
//   merge.listed(object);            // list thread, page by page
//   merge.watched_upsert(object);    // watch thread, from the first page's resourceVersion on
//   merge.watched_remove(key);
//   merge.finish();                  // the list is complete: drop what neither told of
//
// The rules, for one key (the pages of a list are one consistent snapshot, and the watch
// started from that snapshot's resourceVersion, so anything the watch tells is newer):
// - listed, and the watch has told nothing of it since the relist began: the listed object;
// - the watch told of it (added, modified, deleted, or modified into an invalid object): the
//   watch's word, and the listed object is dropped whether it comes before or after;
// - neither listed nor told of by the end of the list: deleted (retain), as a relist must.
// No resourceVersion is compared: they are opaque (only the order of one watch stream counts).
// A watch that has to start over (410 Gone) tells nothing of what changed while it was away,
// so its keys are forgotten with `restart()` and the list starts over too.
//
// Thread-safe: one mutex orders the sink calls of both threads, so that a listed object
// checked as "not told of" is passed on before any watch event for its key.

#include <atomic>
#include <mutex>
#include <set>
#include <string>

#include "sources/object_sink.h"

namespace vmdns::kube {

class RelistMerge {
 public:
  RelistMerge(sources::ObjectSink& sink, std::string origin, sources::ObjectKind kind);

  // An object of a list page.
  void listed(sources::Object object);
  // The list starts over (its continue token expired): what it listed is forgotten; what the
  // watch told stays (the watch is still good).
  void list_restarted();
  // The watch starts over from a new list (410 Gone): every key it told of is forgotten too.
  void restart();

  // Watch events: passed on at once; while listing, their keys win over the list's.
  void watched_upsert(sources::Object object);
  void watched_remove(const cluster::ObjectKey& key);
  // An event whose object is not valid any more (it keeps its last good version): its key is
  // still the watch's, so that an older listed version does not replace the last good one.
  void watched(const cluster::ObjectKey& key);

  // The watch's resourceVersion expired (410 Gone), said as the watch reads it, so that the
  // list stops before its next page rather than finish a snapshot nobody can bring up to date.
  void watch_expired() { expired_ = true; }
  bool expired() const { return expired_; }

  // The list is complete: the sink keeps only what it listed or the watch told of; from now on
  // watch events go straight to the sink.
  size_t finish();  // the number of keys the watch told of
  bool listing() const;

  // Keys the watch told of during this relist (tests, the list's log line).
  size_t watched_keys() const;

 private:
  sources::ObjectSink& sink_;
  std::string origin_;
  sources::ObjectKind kind_;
  std::atomic<bool> expired_{false};
  mutable std::mutex mutex_;
  bool listing_ = true;
  std::set<cluster::ObjectKey> listed_;
  std::set<cluster::ObjectKey> watched_;
};

}  // namespace vmdns::kube
