#include "ops/serving_state.h"

namespace vmdns::ops {

std::string_view sync_state_name(SyncState state) {
  switch (state) {
    case SyncState::Synced:
      return "synced";
    case SyncState::Lost:
      return "lost";
    case SyncState::NotYet:
      break;
  }
  return "not_synced";
}

void ServingState::snapshot_published() {
  std::lock_guard lock(mutex_);
  published_ = true;
}

void ServingState::report_source(const std::string& source, SyncState state,
                                 const std::string& reason) {
  std::lock_guard lock(mutex_);
  SourceStatus& status = sources_[source];
  status.name = source;
  status.state = state;
  status.reason = reason;
  if (state == SyncState::Synced) {
    status.last_sync = SystemClock::now();
  }
}

void ServingState::replace_sources(const std::vector<SourceReport>& sources) {
  std::lock_guard lock(mutex_);
  std::map<std::string, SourceStatus> kept;
  for (const SourceReport& report : sources) {
    SourceStatus status;
    if (auto old = sources_.find(report.name); old != sources_.end()) {
      status = std::move(old->second);
    }
    status.name = report.name;
    status.state = report.state;
    status.reason = report.reason;
    if (report.state == SyncState::Synced) {
      status.last_sync = SystemClock::now();
    }
    kept[report.name] = std::move(status);
  }
  sources_ = std::move(kept);
}

void ServingState::count_source_errors(const std::string& source, const std::string& kind,
                                       uint64_t n) {
  std::lock_guard lock(mutex_);
  errors_[source][kind] += n;
}

std::map<std::string, std::map<std::string, uint64_t>> ServingState::source_errors() const {
  std::lock_guard lock(mutex_);
  return errors_;
}

void ServingState::enter_lameduck() {
  std::lock_guard lock(mutex_);
  lameduck_ = true;
}

bool ServingState::lameduck() const {
  std::lock_guard lock(mutex_);
  return lameduck_;
}

Status ServingState::health() const {
  std::lock_guard lock(mutex_);
  if (lameduck_) {
    return {false, "shutting down"};
  }
  return {true, ""};
}

Status ServingState::readiness() const {
  std::lock_guard lock(mutex_);
  if (lameduck_) {
    return {false, "shutting down"};
  }
  if (!published_) {
    return {false, "the first snapshot is not built yet"};
  }
  std::string reasons;
  for (const auto& [name, source] : sources_) {
    // Once synced, a source that loses its connection keeps serving its last objects and does
    // not take the server out of rotation (as CoreDNS's kubernetes plugin): every replica would
    // lose the same API server at once, and none would be left to answer.
    if (source.state == SyncState::Synced || source.last_sync != SystemClock::time_point{}) {
      continue;
    }
    reasons += (reasons.empty() ? "" : "; ") + name + ": " +
               std::string(sync_state_name(source.state)) +
               (source.reason.empty() ? "" : " (" + source.reason + ")");
  }
  if (!reasons.empty()) {
    return {false, reasons};
  }
  return {true, ""};
}

std::vector<SourceStatus> ServingState::sources() const {
  std::lock_guard lock(mutex_);
  std::vector<SourceStatus> out;
  for (const auto& [name, source] : sources_) {
    out.push_back(source);
  }
  return out;
}

}  // namespace vmdns::ops
