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
  state_.lock()->published = true;
}

void ServingState::report_source(const std::string& source, SyncState state,
                                 const std::string& reason) {
  auto held = state_.lock();
  SourceStatus& status = held->sources[source];
  status.name = source;
  status.state = state;
  status.reason = reason;
  if (state == SyncState::Synced) {
    status.last_sync = SystemClock::now();
  }
}

void ServingState::replace_sources(const std::vector<SourceReport>& sources) {
  auto state = state_.lock();
  std::map<std::string, SourceStatus> kept;
  for (const SourceReport& report : sources) {
    SourceStatus status;
    if (auto old = state->sources.find(report.name); old != state->sources.end()) {
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
  state->sources = std::move(kept);
}

void ServingState::count_source_errors(const std::string& source, const std::string& kind,
                                       uint64_t n) {
  state_.lock()->errors[source][kind] += n;
}

std::map<std::string, std::map<std::string, uint64_t>> ServingState::source_errors() const {
  return state_.lock()->errors;
}

void ServingState::enter_lameduck() {
  state_.lock()->lameduck = true;
}

bool ServingState::lameduck() const {
  return state_.lock()->lameduck;
}

Status ServingState::health() const {
  if (state_.lock()->lameduck) {
    return {false, "shutting down"};
  }
  return {true, ""};
}

Status ServingState::readiness() const {
  auto state = state_.lock();
  if (state->lameduck) {
    return {false, "shutting down"};
  }
  if (!state->published) {
    return {false, "the first snapshot is not built yet"};
  }
  std::string reasons;
  for (const auto& [name, source] : state->sources) {
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
  auto state = state_.lock();
  std::vector<SourceStatus> out;
  for (const auto& [name, source] : state->sources) {
    out.push_back(source);
  }
  return out;
}

}  // namespace vmdns::ops
