// NotifySchedule on a fake clock: each case is a table of steps (a new serial, an answer, a call
// of due() at a time) and the sends each due() must give, in order.

#include "notify/notify_schedule.h"

#include <gtest/gtest.h>

#include <map>
#include <string>
#include <utility>
#include <vector>

namespace vmdns::notify {
namespace {

using Kind = NotifySend::Kind;
using std::chrono::milliseconds;

const char* kZones[] = {"cluster.local.", "10.10.in-addr.arpa."};

struct Expect {
  Kind kind;
  size_t zone;
  size_t target;
  uint32_t serial;
  unsigned attempt;
};

struct Step {
  enum Op { Serial, Answer, WrongAnswer, Due };
  Op op;
  int at_ms;
  size_t zone = 0;
  uint32_t serial = 0;             // Serial
  size_t target = 0;               // Answer, WrongAnswer
  std::vector<Expect> sends = {};  // Due
  bool ends = true;                // Answer: what answered() returns
};

struct Case {
  std::string name;
  size_t targets;
  std::vector<Step> steps;
};

// gtest prints a case by its name: ctest lists it by that, not by a dump of its bytes.
void PrintTo(const Case& c, std::ostream* out) { *out << c.name; }

Step serial(int at, size_t zone, uint32_t s) {
  return {Step::Serial, at, zone, s};
}
Step answer(int at, size_t zone, size_t target, bool ends = true) {
  return {Step::Answer, at, zone, 0, target, {}, ends};
}
Step wrong_answer(int at, size_t zone, size_t target) {
  return {Step::WrongAnswer, at, zone, 0, target, {}, false};
}
Step due(int at, std::vector<Expect> sends = {}) {
  return {Step::Due, at, 0, 0, 0, std::move(sends)};
}

// first_retry 1 s, max_retry 4 s, 4 tries.
const ScheduleOptions kOptions{milliseconds(1000), milliseconds(4000), 4};

const Case kCases[] = {
    {"first send at once, an answer ends it",
     1,
     {serial(0, 0, 10), due(0, {{Kind::First, 0, 0, 10, 1}}), answer(5, 0, 0), due(5000, {})}},
    {"backoff doubles up to the bound, then the exchange fails",
     1,
     {serial(0, 0, 10), due(0, {{Kind::First, 0, 0, 10, 1}}), due(999, {}),
      due(1000, {{Kind::Retry, 0, 0, 10, 2}}), due(2999, {}),
      due(3000, {{Kind::Retry, 0, 0, 10, 3}}), due(6999, {}),
      due(7000, {{Kind::Retry, 0, 0, 10, 4}}), due(10999, {}),
      due(11000, {{Kind::Failed, 0, 0, 10, 4}}), due(60000, {})}},
    {"serials arriving in flight coalesce: the newest is sent once answered",
     1,
     {serial(0, 0, 10), due(0, {{Kind::First, 0, 0, 10, 1}}), serial(100, 0, 11),
      serial(100, 0, 12), due(100, {}), answer(200, 0, 0), due(200, {{Kind::First, 0, 0, 12, 1}}),
      answer(300, 0, 0), due(9000, {})}},
    {"a retry carries the newest serial",
     1,
     {serial(0, 0, 10), due(0, {{Kind::First, 0, 0, 10, 1}}), serial(500, 0, 11),
      due(1000, {{Kind::Retry, 0, 0, 11, 2}}), answer(1100, 0, 0), due(9000, {})}},
    {"the serial in flight again is not sent again",
     1,
     {serial(0, 0, 10), due(0, {{Kind::First, 0, 0, 10, 1}}), serial(10, 0, 10), answer(20, 0, 0),
      due(20, {}), due(9000, {})}},
    {"an answer with another ID ends nothing",
     1,
     {serial(0, 0, 10), due(0, {{Kind::First, 0, 0, 10, 1}}), wrong_answer(10, 0, 0),
      due(1000, {{Kind::Retry, 0, 0, 10, 2}}), answer(1010, 0, 0), due(9000, {})}},
    {"an answer when nothing is in flight ends nothing",
     1,
     {serial(0, 0, 10), due(0, {{Kind::First, 0, 0, 10, 1}}), answer(10, 0, 0),
      answer(20, 0, 0, false)}},
    {"targets are independent",
     2,
     {serial(0, 0, 10), due(0, {{Kind::First, 0, 0, 10, 1}, {Kind::First, 0, 1, 10, 1}}),
      answer(10, 0, 0), due(1000, {{Kind::Retry, 0, 1, 10, 2}}), answer(1010, 0, 1),
      due(9000, {})}},
    {"zones are independent",
     1,
     {serial(0, 0, 10), serial(0, 1, 7),
      due(0, {{Kind::First, 0, 0, 10, 1}, {Kind::First, 1, 0, 7, 1}}), answer(10, 1, 0),
      due(1000, {{Kind::Retry, 0, 0, 10, 2}})}},
    {"after a failure the next serial starts afresh",
     1,
     {serial(0, 0, 10), due(0, {{Kind::First, 0, 0, 10, 1}}),
      due(1000, {{Kind::Retry, 0, 0, 10, 2}}), due(3000, {{Kind::Retry, 0, 0, 10, 3}}),
      due(7000, {{Kind::Retry, 0, 0, 10, 4}}), due(11000, {{Kind::Failed, 0, 0, 10, 4}}),
      serial(12000, 0, 11), due(12000, {{Kind::First, 0, 0, 11, 1}})}},
};

std::string describe(const NotifySend& s) {
  const char* kinds[] = {"First", "Retry", "Failed"};
  return std::string(kinds[static_cast<int>(s.kind)]) + " zone " + std::to_string(s.zone) +
         " target " + std::to_string(s.target) + " serial " + std::to_string(s.serial) + " try " +
         std::to_string(s.attempt);
}

class ScheduleCase : public ::testing::TestWithParam<Case> {};

TEST_P(ScheduleCase, SendsWhatTheTableSays) {
  const Case& c = GetParam();
  NotifySchedule schedule(c.targets, kOptions, 42);
  const Clock::time_point t0{};
  // Zone names in zones() order of first appearance: map the table's zone numbers to them.
  std::map<std::pair<size_t, size_t>, uint16_t> ids;  // (schedule zone, target) -> last ID sent
  std::map<size_t, size_t> index_of;                  // table zone -> schedule zone
  for (size_t i = 0; i < c.steps.size(); ++i) {
    const Step& step = c.steps[i];
    SCOPED_TRACE("step " + std::to_string(i) + " at " + std::to_string(step.at_ms) + " ms");
    Clock::time_point now = t0 + milliseconds(step.at_ms);
    dns::Name zone = *dns::Name::from_text(kZones[step.zone]);
    switch (step.op) {
      case Step::Serial:
        index_of[step.zone] = schedule.serial(zone, step.serial);
        break;
      case Step::Answer:
      case Step::WrongAnswer: {
        uint16_t id = ids[{index_of[step.zone], step.target}];
        if (step.op == Step::WrongAnswer) {
          ++id;
        }
        EXPECT_EQ(schedule.answered(step.target, id, zone, now), step.ends);
        break;
      }
      case Step::Due: {
        if (step.sends.empty()) {
          std::optional<Clock::time_point> next = schedule.next_deadline();
          EXPECT_TRUE(!next || *next > now) << "next_deadline says something is due";
        }
        std::vector<NotifySend> got = schedule.due(now);
        std::vector<std::string> got_text;
        std::vector<std::string> want_text;
        for (const NotifySend& s : got) {
          got_text.push_back(describe(s));
          if (s.kind != Kind::Failed) {
            if (s.kind == Kind::Retry) {
              EXPECT_EQ(s.id, (ids[{s.zone, s.target}])) << "a retry keeps the exchange's ID";
            }
            ids[{s.zone, s.target}] = s.id;
          }
        }
        for (const Expect& e : step.sends) {
          NotifySend want{e.kind, index_of[e.zone], e.target, 0, e.serial, e.attempt};
          want_text.push_back(describe(want));
        }
        EXPECT_EQ(got_text, want_text);
        break;
      }
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Table, ScheduleCase, ::testing::ValuesIn(kCases));

TEST(NotifySchedule, NextDeadlineFollowsTheRetries) {
  NotifySchedule schedule(1, kOptions, 1);
  const Clock::time_point t0{};
  EXPECT_FALSE(schedule.next_deadline());
  schedule.serial(*dns::Name::from_text("cluster.local."), 3);
  ASSERT_TRUE(schedule.next_deadline());
  EXPECT_LE(*schedule.next_deadline(), t0);  // due at once
  ASSERT_EQ(schedule.due(t0).size(), 1u);
  EXPECT_EQ(*schedule.next_deadline(), t0 + milliseconds(1000));
}

}  // namespace
}  // namespace vmdns::notify
