// LoopTick: a tick() returns only after the loop's round that took it has ended, and at once
// once the loop has ended.
//
// Behaviour checked:
//   - the round serving a tick sees what the ticking thread did before tick() (the clock it
//     moved), and tick() returns after served();
//   - several ticks asked before one round are served by it;
//   - after close(), tick() returns at once; open() makes it wait for the loop again.

#include "net/loop_tick.h"

#include <gtest/gtest.h>
#include <poll.h>

#include <atomic>
#include <thread>

namespace vmdns::net {
namespace {

// A loop of rounds: wait for the eventfd, take, read the "clock", serve; until stopped.
class Loop {
 public:
  explicit Loop(LoopTick& tick, std::atomic<int>& clock) : tick_(tick), clock_(clock) {
    thread_ = std::thread([this] {
      while (!stop_) {
        pollfd p{tick_.fd(), POLLIN, 0};
        if (poll(&p, 1, 10) != 1) {
          continue;
        }
        uint64_t ticket = tick_.take();
        seen_ = clock_.load();
        rounds_.fetch_add(1);
        tick_.served(ticket);
      }
      tick_.close();
    });
  }
  ~Loop() {
    stop_ = true;
    thread_.join();
  }
  int seen() const { return seen_.load(); }
  int rounds() const { return rounds_.load(); }

 private:
  LoopTick& tick_;
  std::atomic<int>& clock_;
  std::atomic<bool> stop_{false};
  std::atomic<int> seen_{-1};
  std::atomic<int> rounds_{0};
  std::thread thread_;
};

TEST(LoopTick, ReturnsAfterTheRoundThatSawTheMovedClock) {
  LoopTick tick;
  ASSERT_TRUE(tick.valid());
  std::atomic<int> clock{0};
  Loop loop(tick, clock);
  for (int t = 1; t <= 50; ++t) {
    clock = t;
    tick.tick();
    EXPECT_EQ(loop.seen(), t);
  }
  EXPECT_GE(loop.rounds(), 1);
}

TEST(LoopTick, TicksFromSeveralThreadsAreAllServed) {
  LoopTick tick;
  std::atomic<int> clock{7};
  Loop loop(tick, clock);
  std::thread others[4];
  for (auto& other : others) {
    other = std::thread([&] {
      for (int i = 0; i < 20; ++i) {
        tick.tick();
      }
    });
  }
  for (auto& other : others) {
    other.join();
  }
  EXPECT_EQ(loop.seen(), 7);
}

TEST(LoopTick, AfterCloseTickReturnsAtOnce) {
  LoopTick tick;
  tick.close();
  tick.tick();  // no loop runs: this would hang if it waited
  tick.open();
  std::atomic<int> clock{3};
  {
    Loop loop(tick, clock);
    tick.tick();
    EXPECT_EQ(loop.seen(), 3);
  }
  tick.tick();  // the loop has ended and closed it
}

}  // namespace
}  // namespace vmdns::net
