#include "net/loop_tick.h"

#include <sys/eventfd.h>
#include <unistd.h>

#include <cerrno>

namespace vmdns::net {

LoopTick::LoopTick() : fd_(eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC)) {}

void LoopTick::tick() {
  auto state = state_.lock();
  if (!state->running) {
    return;
  }
  uint64_t ticket = ++state->asked;
  uint64_t one = 1;
  while (write(fd_.get(), &one, sizeof(one)) < 0 && errno == EINTR) {
  }
  state.wait(done_, [&](const State& s) { return s.served >= ticket || !s.running; });
}

uint64_t LoopTick::take() {
  uint64_t count = 0;
  while (read(fd_.get(), &count, sizeof(count)) < 0 && errno == EINTR) {
  }
  // Every tick asked before this point is served by this round: one asked after the read above
  // has written the eventfd again, which wakes the loop for another round.
  return state_.lock()->asked;
}

void LoopTick::served(uint64_t ticket) {
  if (ticket == 0) {
    return;
  }
  state_.lock()->served = ticket;
  done_.notify_all();
}

void LoopTick::close() {
  state_.lock()->running = false;
  done_.notify_all();
}

void LoopTick::open() {
  state_.lock()->running = true;
}

}  // namespace vmdns::net
