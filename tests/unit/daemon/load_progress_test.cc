// Progress of a long load: at most one line a second, with the objects read and the rate;
// nothing when disabled (stderr not a terminal) or after finish().

#include "daemon/load_progress.h"

#include <gtest/gtest.h>

#include <vector>

namespace vmdns::daemon {
namespace {

using Clock = LoadProgress::Clock;

TEST(LoadProgressTest, AtMostOneLineASecond) {
  Clock::time_point now{};
  std::vector<std::string> lines;
  LoadProgress progress(
      "loading", true, [&](const std::string& line) { lines.push_back(line); },
      [&] { return now; });
  struct Step {
    int at_ms;
    size_t objects;
    size_t lines_after;
  };
  const std::vector<Step> steps = {
      {0, 100, 0},     {500, 400, 0},   {999, 500, 0},   {1000, 1000, 1},
      {1500, 1000, 1}, {1999, 1000, 1}, {2000, 1000, 2}, {4000, 0, 3},
  };
  for (const Step& step : steps) {
    now = Clock::time_point{} + std::chrono::milliseconds(step.at_ms);
    progress.add(step.objects);
    EXPECT_EQ(lines.size(), step.lines_after) << step.at_ms;
  }
  ASSERT_EQ(lines.size(), 3u);
  EXPECT_EQ(lines[0], "loading: 2000 object(s) read, 2000 objects/s");
  EXPECT_EQ(lines[1], "loading: 5000 object(s) read, 2500 objects/s");
  EXPECT_EQ(lines[2], "loading: 5000 object(s) read, 1250 objects/s");
  progress.finish();
  now += std::chrono::seconds(5);
  progress.add(1);
  EXPECT_EQ(lines.size(), 3u);
}

TEST(LoadProgressTest, NothingWhenNotATerminal) {
  Clock::time_point now{};
  std::vector<std::string> lines;
  LoadProgress progress(
      "loading", false, [&](const std::string& line) { lines.push_back(line); },
      [&] { return now; });
  for (int i = 0; i < 5; ++i) {
    now += std::chrono::seconds(2);
    progress.add(10);
  }
  EXPECT_TRUE(lines.empty());
}

}  // namespace
}  // namespace vmdns::daemon
