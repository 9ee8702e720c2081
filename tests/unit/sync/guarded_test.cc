// Guarded<T>: the value is reached only with its mutex held.
//
// Behaviour checked:
//   - lock()-> and * reach the value; a const Guarded gives a const view; with() returns what
//     its function returns.
//   - while a handle lives, another thread cannot reach the value; it can once the handle is
//     gone (increments from several threads are not lost).
//   - wait(), wait_for() and wait_until() release the lock while waiting and return with it
//     held once the predicate holds; wait_for() gives up with false after its timeout.
//   - unlocked() lets another thread reach the value while its function runs, and holds the
//     lock again afterwards.

#include "sync/guarded.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <string>
#include <thread>
#include <type_traits>
#include <vector>

namespace vmdns::sync {
namespace {

using namespace std::chrono_literals;

struct Account {
  std::string owner;
  int balance = 0;
};

TEST(Guarded, ReachesTheValueThroughTheLock) {
  Guarded<Account> account(Account{"ada", 5});
  account.lock()->balance += 10;
  EXPECT_EQ((*account.lock()).balance, 15);
  EXPECT_EQ(account.with([](Account& a) { return a.owner; }), "ada");

  const Guarded<Account>& view = account;
  static_assert(std::is_const_v<std::remove_reference_t<decltype(*view.lock())>>);
  EXPECT_EQ(view.lock()->balance, 15);
  EXPECT_EQ(view.with([](const Account& a) { return a.balance * 2; }), 30);
}

TEST(Guarded, ConstructsTheValueFromArguments) {
  Guarded<std::vector<int>> numbers(3, 7);
  EXPECT_EQ(numbers.lock()->size(), 3u);
  Guarded<int> zero;
  EXPECT_EQ(*zero.lock(), 0);
}

TEST(Guarded, AHandleExcludesOtherThreads) {
  Guarded<int> value(0);
  std::atomic<bool> reached{false};
  std::thread other;
  {
    auto held = value.lock();
    other = std::thread([&] {
      *value.lock() += 1;
      reached = true;
    });
    // The other thread cannot get in while `held` lives: its increment comes after ours.
    *held = 100;
    EXPECT_FALSE(reached.load());
  }
  other.join();
  EXPECT_TRUE(reached.load());
  EXPECT_EQ(*value.lock(), 101);
}

TEST(Guarded, NoIncrementIsLost) {
  Guarded<long> total(0);
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 10000; ++i) {
        total.with([](long& n) { ++n; });
      }
    });
  }
  for (std::thread& thread : threads) {
    thread.join();
  }
  EXPECT_EQ(*total.lock(), 40000);
}

TEST(Guarded, WaitReleasesTheLockUntilThePredicateHolds) {
  struct Queue {
    std::vector<int> items;
    bool stopping = false;
  };
  Guarded<Queue> queue;
  std::condition_variable changed;
  std::thread producer([&] {
    queue.lock()->items.push_back(42);  // only possible while the consumer waits
    changed.notify_all();
  });
  auto q = queue.lock();
  q.wait(changed, [](const Queue& v) { return !v.items.empty(); });
  EXPECT_EQ(q->items.front(), 42);
  q->stopping = true;
  producer.join();
}

TEST(Guarded, WaitForAndWaitUntilGiveUp) {
  Guarded<bool> ready(false);
  std::condition_variable changed;
  auto handle = ready.lock();
  EXPECT_FALSE(handle.wait_for(changed, 1ms, [](bool v) { return v; }));
  EXPECT_FALSE(handle.wait_until(changed, std::chrono::steady_clock::now() + 1ms,
                                 [](bool v) { return v; }));
  *handle = true;
  EXPECT_TRUE(handle.wait_for(changed, 1ms, [](bool v) { return v; }));
}

TEST(Guarded, UnlockedLetsOthersIn) {
  Guarded<int> value(1);
  auto handle = value.lock();
  int seen = handle.unlocked([&] {
    *value.lock() = 2;  // would deadlock if the handle still held the lock
    return 7;
  });
  EXPECT_EQ(seen, 7);
  EXPECT_EQ(*handle, 2);
}

}  // namespace
}  // namespace vmdns::sync
