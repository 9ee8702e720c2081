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

LameduckClock signal_waits(const sigset_t& signals) {
  return {.now = [] { return std::chrono::steady_clock::now(); },
          .wait = [signals](std::chrono::nanoseconds timeout) {
            auto seconds = std::chrono::duration_cast<std::chrono::seconds>(timeout);
            timespec wait{static_cast<time_t>(seconds.count()),
                          static_cast<long>((timeout - seconds).count())};
            int signal = sigtimedwait(&signals, nullptr, &wait);
            return signal > 0 ? signal : 0;  // EAGAIN (the time is up) or EINTR
          }};
}

void lameduck(std::chrono::milliseconds period, const LameduckClock& clock,
              ops::ServingState& serving) {
  serving.enter_lameduck();
  if (period.count() <= 0) {
    return;
  }
  spdlog::info("lame duck: answering queries for {} ms more", period.count());
  auto end = clock.now() + period;
  for (;;) {
    auto left = end - clock.now();
    if (left <= std::chrono::nanoseconds::zero()) {
      return;
    }
    int signal = clock.wait(std::chrono::duration_cast<std::chrono::nanoseconds>(left));
    if (signal == SIGINT || signal == SIGTERM) {
      spdlog::info("signal {}: ending the lame duck period early", signal);
      return;
    }
  }
}

}  // namespace vmdns::daemon
