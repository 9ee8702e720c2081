#include "kube/kube_source.h"

#include <pthread.h>
#include <spdlog/spdlog.h>

#include <algorithm>

#include "heap/allocator.h"

namespace vmdns::kube {

KubeSource::KubeSource(KubeConfig config, KubeSourceOptions options, sources::ObjectSink& sink)
    : config_(std::move(config)),
      options_(std::move(options)),
      sink_(sink),
      token_(config_.token, config_.token_file) {
  size_t count = collections().size();
  auto state = sync_.lock();
  state->listed.assign(count, false);
  state->reachable.assign(count, true);
  state->reported.assign(count, "");
}

KubeSource::~KubeSource() { stop(); }

std::vector<ReflectorOptions> KubeSource::collections() const {
  std::vector<ReflectorOptions> out;
  for (const ApiKind& kind : api_kinds()) {
    if (kind.kind == Kind::Pod && !options_.pods) {
      continue;
    }
    ReflectorOptions base;
    base.kind = kind.kind;
    base.label_selector = kind.takes_label_selector ? options_.label_selector : "";
    base.resync_period = options_.resync_period;
    base.page_size = options_.page_size;
    base.on_page = options_.on_list_page;
    if (!kind.namespaced) {
      if (options_.namespaces.size() == 1) {
        base.field_selector = "metadata.name=" + options_.namespaces.front();
      }
      out.push_back(base);
      continue;
    }
    if (options_.namespaces.empty()) {
      out.push_back(base);
      continue;
    }
    for (const std::string& ns : options_.namespaces) {
      ReflectorOptions scoped = base;
      scoped.namespace_scope = ns;
      out.push_back(scoped);
    }
  }
  return out;
}

std::vector<std::string> KubeSource::origins() const {
  std::vector<std::string> out;
  for (const ReflectorOptions& c : collections()) {
    out.push_back("kubernetes " + api_kind(c.kind).collection_path(c.namespace_scope));
  }
  return out;
}

void KubeSource::announce() {
  for (const std::string& origin : origins()) {
    if (options_.serving_restored_state) {
      sink_.set_sync(origin, {sources::SyncStatus::Lost, "serving the state restored from disk"});
    } else {
      sink_.set_sync(origin, {sources::SyncStatus::NotSynced, "not listed yet"});
    }
  }
}

void KubeSource::start() {
  std::vector<ReflectorOptions> all = collections();
  std::vector<std::string> names = origins();
  spdlog::info("kubernetes: {} at {}: watching {} collection(s)", config_.description,
               config_.server, all.size());
  for (size_t i = 0; i < all.size(); ++i) {
    threads_.emplace_back([this, i, options = all[i], origin = names[i]] {
      // Named for top and the soak's CPU figures (15 characters at most).
      std::string name = "kube " + std::string(api_kind(options.kind).name);
      pthread_setname_np(pthread_self(), name.substr(0, 15).c_str());
      // What a reflector allocates lives until the control thread has copied it (page buffers,
      // parser nodes, decoded objects, their queue entries): apart from the long-lived blocks.
      heap::use_transient_arena();
      // Two connections: a relist's watch runs beside its list.
      auto make = [&]() -> std::unique_ptr<ApiTransport> {
        return options_.transport ? options_.transport(i)
                                  : std::make_unique<ApiClient>(config_, token_, stop_.flag());
      };
      std::unique_ptr<ApiTransport> lists = make();
      std::unique_ptr<ApiTransport> watches = make();
      std::unique_ptr<WaitClock> clock = options_.clock ? options_.clock(i) : nullptr;
      Reflector reflector(
          options, *lists, sink_, origin, stop_,
          [this, i](ReflectorStatus status, const std::string& reason) {
            on_status(i, status, reason);
          },
          clock.get(), watches.get());
      reflector.run();
    });
  }
}

void KubeSource::stop() {
  stop_.stop();
  for (std::thread& thread : threads_) {
    if (thread.joinable()) {
      thread.join();
    }
  }
  threads_.clear();
}

bool KubeSource::synced() const {
  auto state = sync_.lock();
  return std::all_of(state->listed.begin(), state->listed.end(), [](bool b) { return b; });
}

void KubeSource::on_status(size_t index, ReflectorStatus status, const std::string& reason) {
  std::string origin = origins()[index];
  bool unreachable =
      status == ReflectorStatus::Unreachable || status == ReflectorStatus::Forbidden;
  if (unreachable || status == ReflectorStatus::BadStream) {
    if (options_.on_error) {
      options_.on_error(origin);
    }
    if (status == ReflectorStatus::BadStream) {
      return;  // the connection answered: the sync state does not change
    }
  }
  auto state = sync_.lock();
  bool was_reachable = state->reachable[index];
  state->reachable[index] = !unreachable;
  auto report = [&](sources::SyncStatus sync, const std::string& why) {
    state->reported[index] = why;
    sink_.set_sync(origin, {sync, why});
  };
  if (status == ReflectorStatus::Listed) {
    state->listed[index] = true;
    report(sources::SyncStatus::Synced, "");
  } else if (status == ReflectorStatus::Watching && !was_reachable) {
    report(sources::SyncStatus::Synced, "");
  } else if (unreachable && (was_reachable || (status == ReflectorStatus::Forbidden &&
                                               state->reported[index] != reason))) {
    // A 403 is reported even when the collection was already unreachable, so that /ready
    // gives the reason that will last (the RBAC) rather than the first failure's.
    bool has_data = state->listed[index] || options_.serving_restored_state;
    report(has_data ? sources::SyncStatus::Lost : sources::SyncStatus::NotSynced, reason);
  }
  bool all_listed =
      std::all_of(state->listed.begin(), state->listed.end(), [](bool b) { return b; });
  bool all_reachable =
      std::all_of(state->reachable.begin(), state->reachable.end(), [](bool b) { return b; });
  if (all_listed && all_reachable && (!state->all_synced_logged || state->lost_logged)) {
    spdlog::info("kubernetes: in sync with {}", config_.server);
    state->all_synced_logged = true;
    state->lost_logged = false;
  } else if (!all_reachable && !state->lost_logged) {
    spdlog::warn("kubernetes: lost the API server {}; serving the last data until it answers",
                 config_.server);
    state->lost_logged = true;
  }
}

}  // namespace vmdns::kube
