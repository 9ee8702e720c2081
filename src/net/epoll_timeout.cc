#include "net/epoll_timeout.h"

#include <climits>

namespace vmdns::net {

int epoll_timeout_ms(std::optional<std::chrono::steady_clock::time_point> deadline,
                     std::chrono::steady_clock::time_point now) {
  if (!deadline) {
    return -1;
  }
  if (*deadline <= now) {
    return 0;
  }
  auto wait = std::chrono::ceil<std::chrono::milliseconds>(*deadline - now).count();
  return wait > INT_MAX ? INT_MAX : static_cast<int>(wait);
}

}  // namespace vmdns::net
