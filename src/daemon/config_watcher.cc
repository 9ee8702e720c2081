#include "daemon/config_watcher.h"

#include <poll.h>
#include <sys/eventfd.h>
#include <sys/inotify.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <optional>

namespace vmdns::daemon {

ConfigWatcher::ConfigWatcher(std::string path, std::function<void()> on_change,
                             std::chrono::milliseconds settle,
                             std::function<Clock::time_point()> clock)
    : path_(std::move(path)),
      on_change_(std::move(on_change)),
      settle_(settle),
      clock_(std::move(clock)) {
  std::filesystem::path normal = std::filesystem::path(path_).lexically_normal();
  directory_ = normal.parent_path().empty() ? "." : normal.parent_path().string();
  name_ = normal.filename().string();
  tick_.close();
}

ConfigWatcher::~ConfigWatcher() {
  stop();
}

bool ConfigWatcher::start(std::string* error) {
  inotify_fd_ = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
  wake_fd_ = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  if (inotify_fd_ < 0 || wake_fd_ < 0 || !tick_.valid()) {
    *error = std::string("inotify: ") + std::strerror(errno);
    stop();
    return false;
  }
  uint32_t mask =
      IN_CLOSE_WRITE | IN_MOVED_TO | IN_MOVED_FROM | IN_CREATE | IN_DELETE | IN_ATTRIB | IN_MODIFY;
  if (inotify_add_watch(inotify_fd_, directory_.c_str(), mask) < 0) {
    *error = "inotify on " + directory_ + ": " + std::strerror(errno);
    stop();
    return false;
  }
  stopping_ = false;
  tick_.open();
  thread_ = std::thread([this] { run(); });
  return true;
}

void ConfigWatcher::stop() {
  if (thread_.joinable()) {
    stopping_ = true;
    uint64_t one = 1;
    [[maybe_unused]] ssize_t written = write(wake_fd_, &one, sizeof one);
    thread_.join();
  }
  for (int* fd : {&inotify_fd_, &wake_fd_}) {
    if (*fd >= 0) {
      close(*fd);
      *fd = -1;
    }
  }
}

bool ConfigWatcher::drain(bool* any) {
  bool concerned = false;
  alignas(inotify_event) char buffer[4096];
  for (;;) {
    ssize_t n = read(inotify_fd_, buffer, sizeof buffer);
    if (n <= 0) {
      return concerned;
    }
    *any = true;
    for (ssize_t offset = 0; offset < n;) {
      const auto* event = reinterpret_cast<const inotify_event*>(buffer + offset);
      std::string name = event->len > 0 ? std::string(event->name) : std::string();
      // A ConfigMap volume swaps its `..data` symlink; the file is a link through it.
      if (name == name_ || name == "..data" || (event->mask & IN_Q_OVERFLOW) != 0) {
        concerned = true;
      }
      offset += static_cast<ssize_t>(sizeof(inotify_event) + event->len);
    }
  }
}

void ConfigWatcher::tick() {
  tick_.tick();
}

void ConfigWatcher::run() {
  pollfd fds[3] = {{wake_fd_, POLLIN, 0}, {inotify_fd_, POLLIN, 0}, {tick_.fd(), POLLIN, 0}};
  // While a change is pending: the time of the directory's last event.
  std::optional<Clock::time_point> last;
  while (!stopping_) {
    int timeout = -1;
    if (last) {
      auto wait = std::chrono::ceil<std::chrono::milliseconds>(*last + settle_ - now()).count();
      timeout = static_cast<int>(std::max<int64_t>(wait, 0));
    }
    int ready = poll(fds, 3, timeout);
    if (ready < 0 && errno != EINTR) {
      break;
    }
    if (ready > 0 && fds[0].revents != 0) {
      uint64_t count = 0;
      [[maybe_unused]] ssize_t n = read(wake_fd_, &count, sizeof count);
    }
    // The tick()s asked so far: their events are in the queue drained next.
    uint64_t ticket = ready > 0 && fds[2].revents != 0 ? tick_.take() : 0;
    if (ready > 0) {  // read even when only woken: a tick() must see what came before it
      // Any event in the directory while a change is pending keeps the window open.
      bool any = false;
      if (drain(&any) || (any && last)) {
        last = now();
      }
    }
    if (last && now() >= *last + settle_) {
      last.reset();
      on_change_();
    }
    tick_.served(ticket);
  }
  tick_.close();
}

}  // namespace vmdns::daemon
