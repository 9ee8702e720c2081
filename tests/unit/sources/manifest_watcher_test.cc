// The manifest watcher's settle window (`settle` of quiet, at most `max_delay` after the first
// change) on a clock the test moves: each case is a script of writes to a -f directory, moves of
// the clock and reloads, with after each step the files delivered to the sink so far. The
// watcher acts on each step before it is checked (tick(): the events before it read, the clock
// after it), so a check that nothing was delivered is made once the watcher has seen the step.
//
// Behaviour checked (settle 10 ms, max_delay 100 ms, one file "a.yaml" read at start):
//   - a write is delivered once the files have been quiet for 10 ms: not at 9 ms;
//   - writes 9 ms apart keep the window open, up to 100 ms after the first, then deliver;
//   - a reload (SIGHUP) re-reads every file at once, with no move of the clock;
//   - a file added and one removed are each delivered once their window closes.

#include <gtest/gtest.h>
#include <stdlib.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "sources/manifest_watcher.h"
#include "testing/moved_clock.h"

namespace vmdns::sources {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

// Counts the deliveries of each origin (a file's objects, read again).
class CountingSink : public ObjectSink {
 public:
  void replace_origin(const std::string&, cluster::State) override { ++deliveries; }
  void upsert(const std::string&, Object) override {}
  void remove(const std::string&, ObjectRef) override {}
  void retain(const std::string&, ObjectKind, std::set<cluster::ObjectKey>) override {}
  void forget_origin(const std::string&) override { ++deliveries; }
  void set_sync(const std::string&, SyncState) override {}

  std::atomic<int> deliveries{0};
};

enum class Act {
  Write,    // a.yaml, in place
  Add,      // b.yaml, new
  Remove,   // b.yaml
  Reload,   // reload() and wait_for_reloads()
  Advance,  // the clock moves by `by`
};

struct Step {
  Act act;
  std::chrono::milliseconds by{0};
  int deliveries;  // after the step, the read at start included
};

struct WatchCase {
  const char* name;
  std::vector<Step> steps;
};

// gtest prints a case by its name: ctest lists it by that, not by a dump of its bytes.
void PrintTo(const WatchCase& c, std::ostream* out) { *out << c.name; }

std::string vmi(int serial) {
  return "apiVersion: kubevirt.io/v1\nkind: VirtualMachineInstance\nmetadata: {name: vm" +
         std::to_string(serial) + "}\nstatus:\n  interfaces: [{ipAddress: 10.0.0." +
         std::to_string(serial % 250 + 1) + "}]\n";
}

class ManifestWatcherClock : public ::testing::TestWithParam<WatchCase> {
 protected:
  void SetUp() override {
    char pattern[] = "/tmp/vmdns-manifest-watch-XXXXXX";
    dir_ = mkdtemp(pattern);
    std::ofstream(dir_ / "a.yaml") << vmi(0);
  }
  void TearDown() override { fs::remove_all(dir_); }

  fs::path dir_;
};

TEST_P(ManifestWatcherClock, DeliversOnceTheWindowCloses) {
  testing::MovedClock clock;
  CountingSink sink;
  ManifestWatcher watcher({dir_.string()}, sink,
                          {.settle = 10ms, .max_delay = 100ms, .clock = clock.source()});
  watcher.start();
  int serial = 0;
  int index = 0;
  for (const Step& step : GetParam().steps) {
    switch (step.act) {
      case Act::Write:
        std::ofstream(dir_ / "a.yaml") << vmi(++serial);
        break;
      case Act::Add:
        std::ofstream(dir_ / "b.yaml") << vmi(++serial);
        break;
      case Act::Remove:
        fs::remove(dir_ / "b.yaml");
        break;
      case Act::Reload:
        watcher.reload();
        watcher.wait_for_reloads();
        break;
      case Act::Advance:
        clock.advance(step.by);
        break;
    }
    watcher.tick();
    EXPECT_EQ(sink.deliveries.load(), step.deliveries)
        << "step " << index << " at " << clock.elapsed_ms() << " ms";
    ++index;
  }
  watcher.stop();
}

constexpr auto W = Act::Write;
constexpr auto A = Act::Advance;

INSTANTIATE_TEST_SUITE_P(
    Cases, ManifestWatcherClock,
    ::testing::Values(
        WatchCase{"a_write_waits_for_quiet",
                  {{W, 0ms, 1}, {A, 9ms, 1}, {A, 1ms, 2}, {A, 10s, 2}}},
        WatchCase{"a_steady_stream_is_delivered_at_max_delay",
                  {{W, 0ms, 1},  {A, 9ms, 1}, {W, 0ms, 1},  {A, 9ms, 1},  {W, 0ms, 1},
                   {A, 9ms, 1},  {W, 0ms, 1}, {A, 9ms, 1},  {W, 0ms, 1},  {A, 9ms, 1},
                   {W, 0ms, 1},  {A, 9ms, 1}, {W, 0ms, 1},  {A, 9ms, 1},  {W, 0ms, 1},
                   {A, 9ms, 1},  {W, 0ms, 1}, {A, 9ms, 1},  {W, 0ms, 1},  {A, 9ms, 1},
                   {W, 0ms, 1},  {A, 9ms, 1},  // 99 ms after the first write
                   {W, 0ms, 1},  {A, 1ms, 2}}},
        WatchCase{"a_reload_reads_at_once",
                  {{Act::Reload, 0ms, 2}, {A, 10s, 2}, {Act::Reload, 0ms, 3}}},
        WatchCase{"added_and_removed_files",
                  {{Act::Add, 0ms, 1},
                   {A, 10ms, 2},
                   {Act::Remove, 0ms, 2},
                   {A, 9ms, 2},
                   {A, 1ms, 3}}}));

}  // namespace
}  // namespace vmdns::sources
