#include "daemon/config_watcher.h"

#include <poll.h>
#include <sys/eventfd.h>
#include <sys/inotify.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

namespace vmdns::daemon {

ConfigWatcher::ConfigWatcher(std::string path, std::function<void()> on_change,
                             std::chrono::milliseconds settle)
    : path_(std::move(path)), on_change_(std::move(on_change)), settle_(settle) {
  std::filesystem::path normal = std::filesystem::path(path_).lexically_normal();
  directory_ = normal.parent_path().empty() ? "." : normal.parent_path().string();
  name_ = normal.filename().string();
}

ConfigWatcher::~ConfigWatcher() {
  stop();
}

bool ConfigWatcher::start(std::string* error) {
  inotify_fd_ = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
  wake_fd_ = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  if (inotify_fd_ < 0 || wake_fd_ < 0) {
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
  thread_ = std::thread([this] { run(); });
  return true;
}

void ConfigWatcher::stop() {
  if (thread_.joinable()) {
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

bool ConfigWatcher::drain() {
  bool concerned = false;
  alignas(inotify_event) char buffer[4096];
  for (;;) {
    ssize_t n = read(inotify_fd_, buffer, sizeof buffer);
    if (n <= 0) {
      return concerned;
    }
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

void ConfigWatcher::run() {
  pollfd fds[2] = {{wake_fd_, POLLIN, 0}, {inotify_fd_, POLLIN, 0}};
  bool pending = false;
  for (;;) {
    int timeout = pending ? static_cast<int>(settle_.count()) : -1;
    int ready = poll(fds, 2, timeout);
    if (ready < 0 && errno != EINTR) {
      return;
    }
    if (fds[0].revents != 0) {
      return;
    }
    if (ready > 0 && fds[1].revents != 0) {
      pending = drain() || pending;
      continue;  // wait for `settle` of quiet
    }
    if (ready == 0 && pending) {
      pending = false;
      on_change_();
    }
  }
}

}  // namespace vmdns::daemon
