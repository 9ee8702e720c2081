#include "kube/state_saver.h"

#include <spdlog/spdlog.h>

#include <chrono>

#include "kube/api_object.h"
#include "kube/state_file.h"

namespace vmdns::kube {
namespace {

constexpr auto kSaveInterval = std::chrono::seconds(1);

template <typename Map>
void merge_into(Map& into, const Map& from) {
  for (const auto& [key, value] : from) {
    into.insert_or_assign(key, value);
  }
}

}  // namespace

StateSaver::StateSaver(sources::ObjectSink& next, std::string path,
                       std::vector<std::string> origins, std::string restored_origin)
    : next_(next),
      path_(std::move(path)),
      expected_(origins.begin(), origins.end()),
      restored_origin_(std::move(restored_origin)) {
  thread_ = std::thread([this] { run(); });
}

StateSaver::~StateSaver() { stop(); }

void StateSaver::stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) {
    thread_.join();
  }
}

void StateSaver::replace_origin(const std::string& origin, cluster::State objects) {
  {
    std::lock_guard lock(mutex_);
    objects_[origin] = objects;
    dirty_ = true;
  }
  next_.replace_origin(origin, std::move(objects));
}

void StateSaver::upsert(const std::string& origin, sources::Object object) {
  {
    std::lock_guard lock(mutex_);
    put(objects_[origin], object);
    dirty_ = true;
  }
  next_.upsert(origin, std::move(object));
}

void StateSaver::remove(const std::string& origin, sources::ObjectRef ref) {
  {
    std::lock_guard lock(mutex_);
    sources::with_kind_type(ref.kind, [&](auto type) {
      using T = typename decltype(type)::type;
      if constexpr (std::is_same_v<T, cluster::Namespace>) {
        cluster::objects_of<T>(objects_[origin]).erase(ref.key.name);
      } else {
        cluster::objects_of<T>(objects_[origin]).erase(ref.key);
      }
    });
    dirty_ = true;
  }
  next_.remove(origin, ref);
}

void StateSaver::retain(const std::string& origin, sources::ObjectKind kind,
                        std::set<cluster::ObjectKey> keep) {
  {
    std::lock_guard lock(mutex_);
    sources::with_kind_type(kind, [&](auto type) {
      using T = typename decltype(type)::type;
      std::erase_if(cluster::objects_of<T>(objects_[origin]), [&keep](const auto& entry) {
        if constexpr (std::is_same_v<T, cluster::Namespace>) {
          return !keep.contains(cluster::ObjectKey{"", entry.first});
        } else {
          return !keep.contains(entry.first);
        }
      });
    });
    dirty_ = true;
  }
  next_.retain(origin, kind, std::move(keep));
}

void StateSaver::forget_origin(const std::string& origin) {
  {
    std::lock_guard lock(mutex_);
    objects_.erase(origin);
    dirty_ = true;
  }
  next_.forget_origin(origin);
}

void StateSaver::set_sync(const std::string& origin, sources::SyncState state) {
  bool forget_restored = false;
  {
    std::lock_guard lock(mutex_);
    if (state.status == sources::SyncStatus::Synced) {
      synced_.insert(origin);
    } else {
      synced_.erase(origin);
    }
    if (!all_synced_once_ && synced_.size() == expected_.size()) {
      all_synced_once_ = true;
      forget_restored = !restored_origin_.empty();
      dirty_ = true;
      wake_.notify_all();
    }
  }
  next_.set_sync(origin, std::move(state));
  if (forget_restored) {
    spdlog::info("kubernetes: synced; the state restored from disk is replaced by the API's");
    next_.forget_origin(restored_origin_);
  }
}

void StateSaver::run() {
  std::unique_lock lock(mutex_);
  while (!stopping_) {
    wake_.wait_for(lock, kSaveInterval);
    // Written only while every collection is in sync: a partial view must not replace the last
    // complete one on disk.
    if (stopping_ || !dirty_ || !all_synced_once_ || synced_.size() != expected_.size()) {
      continue;
    }
    cluster::State merged;
    for (const auto& [origin, state] : objects_) {
      merge_into(merged.namespaces, state.namespaces);
      merge_into(merged.services, state.services);
      merge_into(merged.endpoint_slices, state.endpoint_slices);
      merge_into(merged.vmis, state.vmis);
      merge_into(merged.pods, state.pods);
    }
    dirty_ = false;
    lock.unlock();
    std::string error;
    bool saved = save_state_file(merged, path_, &error);
    lock.lock();
    // A failed write (a full disk) left the last file in place; try again at the next tick,
    // and say so once rather than every second.
    if (!saved) {
      dirty_ = true;
      if (!failing_) {
        spdlog::warn("--state-dir: {}; the last state written stays in place, retrying", error);
      }
    } else if (failing_) {
      spdlog::info("--state-dir: {} written again", path_);
    }
    failing_ = !saved;
  }
}

}  // namespace vmdns::kube
