// The lame-duck period on SIGTERM (serve_ops.h) on a clock the test moves: each case is a
// period and the signals that come during it, and says when the period ends. Nothing waits: the
// script's wait moves the clock to the next signal, or by the whole timeout when none comes.
//
// Behaviour checked:
//   - /health fails from the start, and stays failed;
//   - the period lasts exactly its length when no signal comes, whatever the waits' slices;
//   - a second SIGTERM or a SIGINT ends it at once; a SIGHUP does not;
//   - a wait cut short (EINTR) waits again for what is left;
//   - a period of 0 returns at once, without waiting.

#include <gtest/gtest.h>
#include <signal.h>

#include <chrono>
#include <string>
#include <vector>

#include "daemon/serve_ops.h"
#include "ops/serving_state.h"

namespace vmdns::daemon {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

// Something that happens at `at` after SIGTERM: a signal, or (signal 0) a wait cut short.
struct Event {
  std::chrono::milliseconds at;
  int signal;
};

struct Case {
  const char* name;
  std::chrono::milliseconds period;
  std::vector<Event> events;
  std::chrono::milliseconds ends_at;
  int waits;  // how many times it waited
};

// gtest prints a case by its name: ctest lists it by that, not by a dump of its bytes.
void PrintTo(const Case& c, std::ostream* out) { *out << c.name; }

const Case kCases[] = {
    {"ZeroReturnsAtOnce", 0ms, {}, 0ms, 0},
    {"NoSignalLastsThePeriod", 4000ms, {}, 4000ms, 1},
    {"SecondSigtermEndsItEarly", 4000ms, {{1500ms, SIGTERM}}, 1500ms, 1},
    {"SigintEndsItEarly", 4000ms, {{10ms, SIGINT}}, 10ms, 1},
    {"SighupIsIgnored", 4000ms, {{1000ms, SIGHUP}}, 4000ms, 2},
    {"ACutShortWaitWaitsForTheRest", 4000ms, {{300ms, 0}, {300ms, 0}, {3999ms, 0}}, 4000ms, 4},
    {"SignalAtTheLastMomentStillEndsIt", 500ms, {{499ms, SIGHUP}, {499ms, SIGTERM}}, 499ms, 2},
};

class LameduckTest : public ::testing::TestWithParam<Case> {};

TEST_P(LameduckTest, Script) {
  const Case& c = GetParam();
  const Clock::time_point start = Clock::time_point{} + 1000s;
  Clock::time_point now = start;
  size_t next = 0;
  int waits = 0;
  ops::ServingState serving;
  serving.snapshot_published();
  ASSERT_TRUE(serving.health().ok);
  LameduckClock clock{
      .now = [&] { return now; },
      .wait =
          [&](std::chrono::nanoseconds timeout) {
            ++waits;
            EXPECT_FALSE(serving.health().ok) << "healthy during the period";
            EXPECT_GT(timeout, 0ns);
            Clock::time_point until = now + timeout;
            if (next < c.events.size() && start + c.events[next].at <= until) {
              now = start + c.events[next].at;
              return c.events[next++].signal;
            }
            now = until;
            return 0;
          },
  };
  lameduck(c.period, clock, serving);
  EXPECT_EQ(std::chrono::duration_cast<std::chrono::milliseconds>(now - start), c.ends_at);
  EXPECT_EQ(waits, c.waits);
  EXPECT_EQ(next, c.events.size()) << "events left unseen";
  EXPECT_FALSE(serving.health().ok);
  EXPECT_FALSE(serving.readiness().ok);
  EXPECT_TRUE(serving.lameduck());
}

INSTANTIATE_TEST_SUITE_P(Table, LameduckTest, ::testing::ValuesIn(kCases));

}  // namespace
}  // namespace vmdns::daemon
