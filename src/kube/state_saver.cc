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
  state_.lock()->stopping = true;
  wake_.notify_all();
  if (thread_.joinable()) {
    thread_.join();
  }
}

void StateSaver::replace_origin(const std::string& origin, cluster::State objects) {
  {
    auto held = state_.lock();
    held->objects[origin] = objects;
    held->dirty = true;
  }
  next_.replace_origin(origin, std::move(objects));
}

void StateSaver::upsert(const std::string& origin, sources::Object object) {
  {
    auto held = state_.lock();
    put(held->objects[origin], object);
    held->dirty = true;
  }
  next_.upsert(origin, std::move(object));
}

void StateSaver::remove(const std::string& origin, sources::ObjectRef ref) {
  {
    auto held = state_.lock();
    sources::with_kind_type(ref.kind, [&](auto type) {
      using T = typename decltype(type)::type;
      if constexpr (std::is_same_v<T, cluster::Namespace>) {
        cluster::objects_of<T>(held->objects[origin]).erase(ref.key.name);
      } else {
        cluster::objects_of<T>(held->objects[origin]).erase(ref.key);
      }
    });
    held->dirty = true;
  }
  next_.remove(origin, ref);
}

void StateSaver::retain(const std::string& origin, sources::ObjectKind kind,
                        std::set<cluster::ObjectKey> keep) {
  {
    auto held = state_.lock();
    sources::with_kind_type(kind, [&](auto type) {
      using T = typename decltype(type)::type;
      std::erase_if(cluster::objects_of<T>(held->objects[origin]), [&keep](const auto& entry) {
        if constexpr (std::is_same_v<T, cluster::Namespace>) {
          return !keep.contains(cluster::ObjectKey{"", entry.first});
        } else {
          return !keep.contains(entry.first);
        }
      });
    });
    held->dirty = true;
  }
  next_.retain(origin, kind, std::move(keep));
}

void StateSaver::forget_origin(const std::string& origin) {
  {
    auto held = state_.lock();
    held->objects.erase(origin);
    held->dirty = true;
  }
  next_.forget_origin(origin);
}

void StateSaver::set_sync(const std::string& origin, sources::SyncState state) {
  bool forget_restored = false;
  {
    auto held = state_.lock();
    if (state.status == sources::SyncStatus::Synced) {
      held->synced.insert(origin);
    } else {
      held->synced.erase(origin);
    }
    if (!held->all_synced_once && held->synced.size() == expected_.size()) {
      held->all_synced_once = true;
      forget_restored = !restored_origin_.empty();
      held->dirty = true;
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
  auto state = state_.lock();
  while (!state->stopping) {
    state.wait_for(wake_, kSaveInterval);
    // Written only while every collection is in sync: a partial view must not replace the last
    // complete one on disk.
    if (state->stopping || !state->dirty || !state->all_synced_once ||
        state->synced.size() != expected_.size()) {
      continue;
    }
    cluster::State merged;
    for (const auto& [origin, objects] : state->objects) {
      merge_into(merged.namespaces, objects.namespaces);
      merge_into(merged.services, objects.services);
      merge_into(merged.endpoint_slices, objects.endpoint_slices);
      merge_into(merged.vmis, objects.vmis);
      merge_into(merged.pods, objects.pods);
    }
    state->dirty = false;
    std::string error;
    bool saved = state.unlocked([&] { return save_state_file(merged, path_, &error); });
    // A failed write (a full disk) left the last file in place; try again at the next tick,
    // and say so once rather than every second.
    if (!saved) {
      state->dirty = true;
      if (!state->failing) {
        spdlog::warn("--state-dir: {}; the last state written stays in place, retrying", error);
      }
    } else if (state->failing) {
      spdlog::info("--state-dir: {} written again", path_);
    }
    state->failing = !saved;
  }
}

}  // namespace vmdns::kube
