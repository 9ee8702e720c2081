#pragma once
// The timeout argument of epoll_wait for the next deadline of an event loop (the TCP loop's
// connection timeouts, the HTTP listeners' request timeouts).
//
//   std::optional<Clock::time_point> next = timeouts.next_deadline();
//   int ready = epoll_wait(epoll_fd, events, kMaxEvents, epoll_timeout_ms(next, Clock::now()));

#include <chrono>
#include <optional>

namespace vmdns::net {

// epoll_wait's timeout until `deadline`: -1 (none), 0 when passed, else the milliseconds left
// rounded up, so that the loop never wakes just before the deadline and spins.
int epoll_timeout_ms(std::optional<std::chrono::steady_clock::time_point> deadline,
                     std::chrono::steady_clock::time_point now);

}  // namespace vmdns::net
