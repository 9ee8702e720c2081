#include "kube/kube_source.h"

#include <spdlog/spdlog.h>

#include <algorithm>

namespace vmdns::kube {

KubeSource::KubeSource(KubeConfig config, KubeSourceOptions options, ClusterSink& sink)
    : config_(std::move(config)),
      options_(std::move(options)),
      sink_(sink),
      token_(config_.token, config_.token_file) {}

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

void KubeSource::start() {
  std::vector<ReflectorOptions> all = collections();
  {
    std::lock_guard lock(mutex_);
    listed_.assign(all.size(), false);
    reachable_.assign(all.size(), true);
  }
  spdlog::info("kubernetes: {} at {}: watching {} collection(s)", config_.description,
               config_.server, all.size());
  for (size_t i = 0; i < all.size(); ++i) {
    threads_.emplace_back([this, i, options = all[i]] {
      ApiClient client(config_, token_, stop_.flag());
      Reflector reflector(options, client, sink_, stop_,
                          [this, i](ReflectorStatus status) { on_status(i, status); });
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

void KubeSource::on_status(size_t index, ReflectorStatus status) {
  SyncState next;
  {
    std::lock_guard lock(mutex_);
    if (status == ReflectorStatus::Listed) {
      listed_[index] = true;
    }
    reachable_[index] = status != ReflectorStatus::Unreachable;
    bool all_listed = std::all_of(listed_.begin(), listed_.end(), [](bool b) { return b; });
    bool all_reachable =
        std::all_of(reachable_.begin(), reachable_.end(), [](bool b) { return b; });
    if (!all_reachable) {
      next = SyncState::Disconnected;
    } else {
      next = all_listed ? SyncState::Synced : SyncState::Syncing;
    }
    if (next == state_) {
      return;
    }
    state_ = next;
  }
  switch (next) {
    case SyncState::Synced:
      spdlog::info("kubernetes: in sync with {}", config_.server);
      break;
    case SyncState::Disconnected:
      spdlog::warn("kubernetes: lost the API server {}; serving the last data until it answers",
                   config_.server);
      break;
    case SyncState::Syncing:
      spdlog::info("kubernetes: connected to {}, listing", config_.server);
      break;
  }
  sink_.sync_state(next);
}

}  // namespace vmdns::kube
