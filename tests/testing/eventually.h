#pragma once
// Polls a condition until it holds, for tests that wait on another thread's work (a server's
// loop, a sender's retry): the bound only ends a hang, never decides a test on a loaded machine.
//
//   EXPECT_TRUE(vmdns::testing::eventually([&] { return server.connections() == 0; }));

#include <chrono>
#include <thread>

namespace vmdns::testing {

// True as soon as `done()` holds; false when it still does not after about 20 seconds.
template <typename F>
bool eventually(F done) {
  for (int i = 0; i < 20000; ++i) {
    if (done()) {
      return true;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  return done();
}

}  // namespace vmdns::testing
