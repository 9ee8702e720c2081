#include "daemon/serve_ops.h"

#include <spdlog/spdlog.h>

#include <vector>

namespace vmdns::daemon {
namespace {

ops::SyncState to_ops(sources::SyncStatus status) {
  switch (status) {
    case sources::SyncStatus::Synced:
      return ops::SyncState::Synced;
    case sources::SyncStatus::Lost:
      return ops::SyncState::Lost;
    case sources::SyncStatus::NotSynced:
      break;
  }
  return ops::SyncState::NotYet;
}

}  // namespace

std::function<void(const control::PublishReport&)> publish_to_ops(ServeMetrics& metrics,
                                                                  ops::ServingState& serving) {
  return [&metrics, &serving](const control::PublishReport& report) {
    metrics.snapshot_built(report.state, report.snapshot, report.generation, report.build_time);
    metrics.set_addresses_held(report.addresses_held);
    std::vector<ops::SourceReport> sources;
    for (const control::OriginStatus& origin : report.origins) {
      sources.push_back({origin.name, to_ops(origin.sync.status), origin.sync.reason});
    }
    serving.replace_sources(sources);
    serving.snapshot_published();
  };
}

void lameduck(std::chrono::milliseconds period, const sigset_t& signals,
              ops::ServingState& serving) {
  serving.enter_lameduck();
  if (period.count() == 0) {
    return;
  }
  spdlog::info("lame duck: answering queries for {} ms more", period.count());
  auto end = std::chrono::steady_clock::now() + period;
  for (;;) {
    auto left = end - std::chrono::steady_clock::now();
    if (left <= std::chrono::nanoseconds::zero()) {
      return;
    }
    auto seconds = std::chrono::duration_cast<std::chrono::seconds>(left);
    timespec timeout{static_cast<time_t>(seconds.count()),
                     static_cast<long>((left - seconds) / std::chrono::nanoseconds(1))};
    int signal = sigtimedwait(&signals, nullptr, &timeout);
    if (signal == SIGINT || signal == SIGTERM) {
      spdlog::info("signal {}: ending the lame duck period early", signal);
      return;
    }
  }
}

}  // namespace vmdns::daemon
