// The config-file watcher's settle window on a clock the test moves: each case is a script of
// writes to the directory and moves of the clock, with after each step the number of times the
// watcher has called back. The watcher acts on each step before it is checked (tick(): the
// events before it read, the clock after it), so a check that nothing was called is made once
// the watcher has seen the step, however slow the machine.
//
// Behaviour checked (settle 100 ms):
//   - a write calls back once the directory has been quiet for 100 ms: not at 99 ms;
//   - another write to the file, or to another file of the directory, while the window is open
//     starts it again; writes to other files alone call nothing;
//   - a file replaced by a rename (as editors save), removed, or a ConfigMap's `..data` link
//     swapped each call back once.

#include <gtest/gtest.h>
#include <stdlib.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "daemon/config_watcher.h"
#include "testing/moved_clock.h"

namespace vmdns::daemon {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

enum class Act {
  Write,         // the watched file, in place
  WriteOther,    // another file of the directory
  Rename,        // a new file renamed over the watched one
  Remove,        // the watched file removed
  SwapData,      // a ConfigMap volume's ..data link swapped
  Advance,       // the clock moves by `by`
};

struct Step {
  Act act;
  std::chrono::milliseconds by{0};
  int calls;  // expected after the step
};

struct WatchCase {
  const char* name;
  std::vector<Step> steps;
};

// gtest prints a case by its name: ctest lists it by that, not by a dump of its bytes.
void PrintTo(const WatchCase& c, std::ostream* out) { *out << c.name; }

void write_file(const fs::path& path, const std::string& text) {
  std::ofstream(path) << text;
}

class ConfigWatcherClock : public ::testing::TestWithParam<WatchCase> {
 protected:
  void SetUp() override {
    char pattern[] = "/tmp/vmdns-config-watch-XXXXXX";
    dir_ = mkdtemp(pattern);
    write_file(dir_ / "vmdns.yaml", "a: 1\n");
  }
  void TearDown() override { fs::remove_all(dir_); }

  void act(const Step& step, testing::MovedClock& clock) {
    static int serial = 0;
    ++serial;
    switch (step.act) {
      case Act::Write:
        write_file(dir_ / "vmdns.yaml", "a: " + std::to_string(serial) + "\n");
        break;
      case Act::WriteOther:
        write_file(dir_ / "other.yaml", std::to_string(serial));
        break;
      case Act::Rename:
        write_file(dir_ / ".vmdns.yaml.swp", "b: 1\n");
        fs::rename(dir_ / ".vmdns.yaml.swp", dir_ / "vmdns.yaml");
        break;
      case Act::Remove:
        fs::remove(dir_ / "vmdns.yaml");
        break;
      case Act::SwapData: {
        fs::path target = "..data_" + std::to_string(serial);
        fs::create_directory(dir_ / target);
        fs::create_directory_symlink(target, dir_ / "..data_tmp");
        fs::rename(dir_ / "..data_tmp", dir_ / "..data");
        break;
      }
      case Act::Advance:
        clock.advance(step.by);
        break;
    }
  }

  fs::path dir_;
};

TEST_P(ConfigWatcherClock, CallsBackOnceTheDirectoryIsQuiet) {
  testing::MovedClock clock;
  std::atomic<int> calls{0};
  ConfigWatcher watcher((dir_ / "vmdns.yaml").string(), [&] { ++calls; }, 100ms,
                        clock.source());
  std::string error;
  ASSERT_TRUE(watcher.start(&error)) << error;
  int index = 0;
  for (const Step& step : GetParam().steps) {
    act(step, clock);
    watcher.tick();
    EXPECT_EQ(calls.load(), step.calls)
        << "step " << index << " at " << clock.elapsed_ms() << " ms";
    ++index;
  }
  watcher.stop();
}

constexpr auto W = Act::Write;
constexpr auto O = Act::WriteOther;
constexpr auto A = Act::Advance;

INSTANTIATE_TEST_SUITE_P(
    Cases, ConfigWatcherClock,
    ::testing::Values(
        WatchCase{"a_write_waits_for_quiet",
                  {{W, 0ms, 0}, {A, 99ms, 0}, {A, 1ms, 1}, {A, 10s, 1}}},
        WatchCase{"writes_in_the_window_start_it_again",
                  {{W, 0ms, 0},
                   {A, 60ms, 0},
                   {W, 0ms, 0},
                   {A, 60ms, 0},
                   {O, 0ms, 0},   // another file, while pending: still the directory's noise
                   {A, 99ms, 0},
                   {A, 1ms, 1}}},
        WatchCase{"other_files_alone_call_nothing",
                  {{O, 0ms, 0}, {A, 100ms, 0}, {O, 0ms, 0}, {A, 10s, 0}, {W, 0ms, 0},
                   {A, 100ms, 1}}},
        WatchCase{"replaced_removed_and_swapped_each_call_once",
                  {{Act::Rename, 0ms, 0},
                   {A, 100ms, 1},
                   {Act::Remove, 0ms, 1},
                   {A, 100ms, 2},
                   {Act::SwapData, 0ms, 2},
                   {A, 100ms, 3},
                   {A, 10s, 3}}}));

}  // namespace
}  // namespace vmdns::daemon
