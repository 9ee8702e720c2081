// /health and /ready from the serving state: ready after the first snapshot once every source
// that reported has synced; a source lost after its sync keeps the server ready; lame duck
// fails both.

#include "ops/serving_state.h"

#include <gtest/gtest.h>

namespace vmdns::ops {
namespace {

struct Step {
  std::string what;
  std::function<void(ServingState&)> act;
  bool healthy;
  bool ready;
  std::string reason_contains = "";
};

TEST(ServingStateTest, ThroughStartupSyncAndShutdown) {
  ServingState state;
  std::vector<Step> steps = {
      {"start", [](ServingState&) {}, true, false, "first snapshot"},
      {"api listing",
       [](ServingState& s) { s.report_source("kubernetes", SyncState::NotYet, "listing"); }, true,
       false, "first snapshot"},
      {"snapshot from files",
       [](ServingState& s) {
         s.report_source("files", SyncState::Synced, "");
         s.snapshot_published();
       },
       true, false, "kubernetes: not_synced (listing)"},
      {"api synced", [](ServingState& s) { s.report_source("kubernetes", SyncState::Synced, ""); },
       true, true},
      {"api lost", [](ServingState& s) { s.report_source("kubernetes", SyncState::Lost, "EOF"); },
       true, true},
      {"a new source", [](ServingState& s) { s.report_source("extra", SyncState::NotYet, ""); },
       true, false, "extra: not_synced"},
      {"it syncs", [](ServingState& s) { s.report_source("extra", SyncState::Synced, ""); }, true,
       true},
      {"SIGTERM", [](ServingState& s) { s.enter_lameduck(); }, false, false, "shutting down"},
  };
  for (const Step& step : steps) {
    step.act(state);
    EXPECT_EQ(state.health().ok, step.healthy) << step.what;
    Status ready = state.readiness();
    EXPECT_EQ(ready.ok, step.ready) << step.what << ": " << ready.reason;
    EXPECT_NE(ready.reason.find(step.reason_contains), std::string::npos)
        << step.what << ": " << ready.reason;
  }
}

TEST(ServingStateTest, SourcesKeepErrorsAndLastSync) {
  ServingState state;
  state.count_source_errors("files", "manifest", 2);
  state.count_source_errors("files", "manifest", 1);
  state.report_source("files", SyncState::Synced, "");
  auto sources = state.sources();
  ASSERT_EQ(sources.size(), 1u);
  EXPECT_EQ(state.source_errors().at("files").at("manifest"), 3u);
  EXPECT_NE(sources[0].last_sync, std::chrono::system_clock::time_point{});
}

TEST(ServingStateTest, ErrorsOutliveTheirSourceAndDoNotHoldReadinessBack) {
  ServingState state;
  state.snapshot_published();
  state.count_source_errors("gone.yaml", "manifest", 1);
  EXPECT_TRUE(state.readiness().ok) << state.readiness().reason;
  EXPECT_TRUE(state.sources().empty());
  state.replace_sources({{"other.yaml", SyncState::Synced, ""}});
  EXPECT_EQ(state.source_errors().at("gone.yaml").at("manifest"), 1u);
}

}  // namespace
}  // namespace vmdns::ops
