// The reflector's watch: one watch request decoded as its bytes arrive, and the loop of them
// that runs until the resourceVersion expires, a resync is due, or stop. During a relist it
// runs on its own thread, beside the list (reflector.cc), its events through the RelistMerge.

#include "kube/reflector.h"

#include <spdlog/spdlog.h>

#include <random>

#include "kube/api_object.h"
#include "kube/watch_stream.h"

namespace vmdns::kube {
namespace {

// Added to the watch's own timeoutSeconds before curl gives up on a silent server.
constexpr std::chrono::seconds kWatchGrace{30};

}  // namespace

Reflector::WatchEnd Reflector::watch_loop(RelistMerge* merge) {
  while (!stop_.stopped()) {
    switch (watch(merge)) {
      case WatchEnd::Expired:
        return WatchEnd::Expired;
      case WatchEnd::Resync:
        return WatchEnd::Resync;
      case WatchEnd::Closed:
        break;
      case WatchEnd::Failed:
        if (!wait_after_failure(watch_pacing_)) {
          return WatchEnd::Closed;
        }
        break;
    }
  }
  return WatchEnd::Closed;
}

Reflector::WatchEnd Reflector::watch(RelistMerge* merge) {
  using namespace std::chrono;
  auto now = clock_.now();
  // A watch beside a list does not end for a resync: the list is one.
  const bool may_resync = merge == nullptr || !merge->listing();
  if (may_resync && now >= next_resync_) {
    return WatchEnd::Resync;
  }
  // client-go draws the watch timeout from [t, 2t) so that watches do not all end together.
  static thread_local std::mt19937 random(std::random_device{}());
  auto timeout = seconds(options_.watch_timeout.count() +
                         std::uniform_int_distribution<long>(0, options_.watch_timeout.count())(
                             random));
  if (may_resync) {
    timeout = std::min(timeout, duration_cast<seconds>(next_resync_ - now) + seconds(1));
  }
  std::string path = path_ + query(true) + "&timeoutSeconds=" + std::to_string(timeout.count());

  WatchStreamDecoder decoder;
  bool expired = false;
  bool resync = false;
  bool answered = false;
  std::vector<cluster::Diagnostic> diagnostics;
  auto on_event = [&](WatchEvent&& event) {
    if (event.type == WatchEvent::Type::Error) {
      if (status_code(event.object) == 410) {
        expired = true;
        if (merge != nullptr) {
          merge->watch_expired();
        }
      } else {
        spdlog::warn("kubernetes: watch {}: error event: {}", describe(),
                     status_message(event.object));
        on_status_(ReflectorStatus::BadStream, "watch " + path_ + ": error event");
      }
      return;
    }
    std::string version = resource_version_of(event.object);
    if (event.type == WatchEvent::Type::Deleted) {
      if (auto key = key_of(event.object, kind_)) {
        if (merge != nullptr) {
          merge->watched_remove(*key);
        } else {
          sink_.remove(origin_, sources::ObjectRef{object_kind(kind_.kind), *key});
        }
      }
    } else if (event.type != WatchEvent::Type::Bookmark) {
      // A MODIFIED object that is now invalid keeps its last good version.
      diagnostics.clear();
      auto object = decode_api_object(event.object, kind_, path_, diagnostics);
      if (merge == nullptr) {
        if (object) {
          sink_.upsert(origin_, std::move(*object));
        }
      } else if (object) {
        merge->watched_upsert(std::move(*object));
      } else if (auto key = key_of(event.object, kind_)) {
        merge->watched(*key);
      }
      log_diagnostics(diagnostics);
    }
    if (!version.empty()) {
      resource_version_ = std::move(version);
    }
  };
  auto on_answer = [&](long status) {
    if (status == 200 && !answered) {
      answered = true;
      if (forbidden_.exchange(false)) {
        spdlog::info("kubernetes: {}: watch allowed again", describe());
      }
      // Beside a relist, the list's end says the collection is whole again, not the watch.
      if (merge == nullptr || !merge->listing()) {
        on_status_(ReflectorStatus::Watching, "");
      }
    }
  };
  auto on_bytes = [&](std::string_view bytes) {
    if (!decoder.feed(bytes, on_event)) {
      return false;
    }
    if (decoder.events() > 0) {
      watch_pacing_.backoff.reset();
    }
    if (expired) {
      return false;  // the server closes after a 410 event anyway; do not wait for it
    }
    if (may_resync && clock_.now() >= next_resync_) {
      resync = true;
      return false;
    }
    return true;
  };
  HttpResult result = watch_client_.stream(path, timeout + kWatchGrace, on_answer, on_bytes);
  if (stop_.stopped()) {
    return WatchEnd::Closed;
  }
  if (expired || result.status == 410) {
    if (merge != nullptr) {
      merge->watch_expired();
    }
    return WatchEnd::Expired;
  }
  if (resync || (may_resync && clock_.now() >= next_resync_)) {
    return WatchEnd::Resync;
  }
  if (!decoder.error().empty()) {
    spdlog::warn("kubernetes: watch {}: {}; watching again from resourceVersion {}", describe(),
                 decoder.error(), resource_version_);
    on_status_(ReflectorStatus::BadStream, "watch " + path_ + ": " + decoder.error());
    return WatchEnd::Failed;
  }
  if (result.status != 200 || !result.error.empty()) {
    failed("watch", result, watch_pacing_);
    return WatchEnd::Failed;
  }
  if (!decoder.at_boundary()) {
    spdlog::warn("kubernetes: watch {}: the connection dropped in the middle of an event; "
                 "watching again from resourceVersion {}",
                 describe(), resource_version_);
    on_status_(ReflectorStatus::BadStream, "watch " + path_ + ": dropped mid-event");
    return WatchEnd::Failed;
  }
  if (decoder.events() == 0 && clock_.now() - now < seconds(1)) {
    // A watch that ends at once with nothing in it: not a failure, but do not spin on it.
    clock_.wait_for(watch_pacing_.backoff.next());
  }
  return WatchEnd::Closed;
}

}  // namespace vmdns::kube
