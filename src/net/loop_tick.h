#pragma once
// A wake-up that another thread sends an event loop and waits for: the loop reads its clock,
// runs its timeouts, and only then answers. With an injected clock (ServerOptions::clock,
// HttpLimits::clock) a test moves its time on, then ticks: when tick() returns, whatever the
// new time expires has been expired, so the test asserts on the loop's state, not on a sleep.
//
//   net::LoopTick tick;                           // the loop polls tick.fd() with its sockets
//   // the loop's thread, once per wake-up:
//   uint64_t ticket = 0;
//   ... for each ready fd: if (fd == tick.fd()) { ticket = tick.take(); now = clock(); } ...
//   expire(now);
//   tick.served(ticket);                          // 0: nothing to answer
//   tick.close();                                 // the loop ends: tick() returns at once
//   // another thread:
//   tick.tick();                                  // returns after that round of the loop

#include <condition_variable>
#include <cstdint>

#include "net/socket_util.h"
#include "sync/guarded.h"

namespace vmdns::net {

class LoopTick {
 public:
  LoopTick();
  LoopTick(const LoopTick&) = delete;
  LoopTick& operator=(const LoopTick&) = delete;

  // The eventfd the loop waits on; valid() is false when it could not be made.
  int fd() const { return fd_.get(); }
  bool valid() const { return fd_.valid(); }

  // Any thread but the loop's: wakes the loop and returns once it has finished a round that
  // began after this call (at once when the loop has ended).
  void tick();

  // The loop's thread, when fd() is readable: the ticket its round serves. The loop reads its
  // clock after this call, so that the time a test set before tick() is the time it expires by.
  uint64_t take();
  // The loop's thread, at the end of the round that took `ticket` (0: none taken).
  void served(uint64_t ticket);
  // The loop's thread, when it ends: a tick() waiting or to come returns at once.
  void close();
  // Before a loop that ended starts again.
  void open();

 private:
  struct State {
    uint64_t asked = 0;
    uint64_t served = 0;
    bool running = true;
  };
  UniqueFd fd_;
  sync::Guarded<State> state_;
  std::condition_variable done_;
};

}  // namespace vmdns::net
