#include "sources/manifest_watcher.h"

#include <poll.h>
#include <spdlog/spdlog.h>
#include <sys/eventfd.h>
#include <sys/inotify.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>

namespace vmdns::sources {
namespace {

using Clock = std::chrono::steady_clock;

// Everything that can change which files exist or what they hold. IN_MODIFY alone would do for
// content, but IN_CLOSE_WRITE makes the settle delay end at the writer's close.
constexpr uint32_t kWatchMask = IN_CREATE | IN_DELETE | IN_MOVED_FROM | IN_MOVED_TO |
                                IN_CLOSE_WRITE | IN_MODIFY | IN_ATTRIB | IN_DELETE_SELF |
                                IN_MOVE_SELF | IN_ONLYDIR | IN_EXCL_UNLINK;

}  // namespace

ManifestWatcher::ManifestWatcher(std::vector<std::string> paths, ObjectSink& sink,
                                 WatchOptions options)
    : files_(std::move(paths), sink), options_(options) {
  tick_.close();  // until the watching thread runs, tick() returns at once
}

ManifestWatcher::~ManifestWatcher() {
  stop();
  if (inotify_fd_ >= 0) {
    ::close(inotify_fd_);
  }
  if (wake_fd_ >= 0) {
    ::close(wake_fd_);
  }
}

RescanSummary ManifestWatcher::start() {
  wake_fd_ = ::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
  if (wake_fd_ < 0 || !tick_.valid()) {
    spdlog::critical("eventfd: {}", std::strerror(errno));
    std::abort();
  }
  inotify_fd_ = ::inotify_init1(IN_CLOEXEC | IN_NONBLOCK);
  if (inotify_fd_ < 0) {
    spdlog::warn("cannot watch the manifest files (inotify: {}); SIGHUP reloads them",
                 std::strerror(errno));
  } else {
    update_watches();  // before reading, so that no change between the two is missed
  }
  RescanSummary summary = files_.rescan(Rescan::All);
  if (options_.on_errors && !summary.errors.empty()) {
    options_.on_errors(summary.errors);
  }
  reloads_.lock()->running = true;
  tick_.open();
  thread_ = std::thread([this] { run(); });
  return summary;
}

void ManifestWatcher::reload() {
  ++reloads_.lock()->asked;
  reload_requested_ = true;
  uint64_t one = 1;
  if (wake_fd_ >= 0) {
    [[maybe_unused]] ssize_t n = ::write(wake_fd_, &one, sizeof one);
  }
}

void ManifestWatcher::wait_for_reloads() {
  auto reloads = reloads_.lock();
  uint64_t ticket = reloads->asked;
  reloads.wait(reload_done_, [&](const Reloads& r) { return r.done >= ticket || !r.running; });
}

void ManifestWatcher::tick() {
  tick_.tick();
}

Clock::time_point ManifestWatcher::now() const {
  return options_.clock ? options_.clock() : Clock::now();
}

void ManifestWatcher::stop() {
  if (!thread_.joinable()) {
    return;
  }
  stop_requested_ = true;
  uint64_t one = 1;
  [[maybe_unused]] ssize_t n = ::write(wake_fd_, &one, sizeof one);
  thread_.join();
  reloads_.lock()->running = false;
  reload_done_.notify_all();
}

void ManifestWatcher::update_watches() {
  std::map<int, std::pair<std::string, std::set<std::string>>> watches;
  for (auto& [directory, names] : files_.watch_list()) {
    int wd = ::inotify_add_watch(inotify_fd_, directory.c_str(), kWatchMask);
    if (wd < 0) {
      if ((errno == ENOSPC || errno == ENOMEM) && !limit_warned_) {
        limit_warned_ = true;  // once: every rescan would repeat it
        spdlog::warn(
            "cannot watch {} (inotify: {}; see fs.inotify.max_user_watches); SIGHUP "
            "reloads what is not watched",
            directory, std::strerror(errno));
      }
      continue;  // a directory that is gone: its parent's watch sees it come back
    }
    auto [it, added] = watches.try_emplace(wd, directory, names);
    if (!added && (names.empty() || it->second.second.empty())) {
      it->second.second.clear();  // two paths of one directory: the wider interest wins
    } else if (!added) {
      it->second.second.insert(names.begin(), names.end());
    }
  }
  for (const auto& [wd, watched] : watches_) {
    if (!watches.contains(wd)) {
      ::inotify_rm_watch(inotify_fd_, wd);
    }
  }
  watches_ = std::move(watches);
}

void ManifestWatcher::drain_events(bool& rescan_needed, bool& reread_all) {
  alignas(inotify_event) char buffer[16 * 1024];
  for (;;) {
    ssize_t length = ::read(inotify_fd_, buffer, sizeof buffer);
    if (length <= 0) {
      return;  // EAGAIN: drained
    }
    for (ssize_t at = 0; at < length;) {
      const auto* event = reinterpret_cast<const inotify_event*>(buffer + at);
      at += static_cast<ssize_t>(sizeof(inotify_event) + event->len);
      if (event->mask & IN_Q_OVERFLOW) {
        rescan_needed = reread_all = true;  // events were lost: trust nothing
        continue;
      }
      auto watched = watches_.find(event->wd);
      if (watched == watches_.end()) {
        continue;
      }
      if (event->mask & IN_IGNORED) {
        watches_.erase(watched);  // the directory is gone; the kernel dropped its watch
        rescan_needed = true;
        continue;
      }
      const auto& [directory, names] = watched->second;
      std::string name = event->len > 0 ? std::string(event->name) : std::string();
      if (!name.empty() && !names.empty() && !names.contains(name)) {
        continue;  // another file in the parent of a -f path
      }
      rescan_needed = true;
      if (!name.empty()) {
        files_.mark_changed((std::filesystem::path(directory) / name).string());
      }
    }
  }
}

void ManifestWatcher::run() {
  bool pending = false;
  bool reread_all = false;
  uint64_t reload_ticket = 0;  // the last reload() the next full re-read serves
  Clock::time_point first{}, last{};
  while (!stop_requested_) {
    int timeout = -1;
    if (pending) {
      auto due = std::min(last + options_.settle, first + options_.max_delay);
      auto wait = std::chrono::ceil<std::chrono::milliseconds>(due - now()).count();
      timeout = static_cast<int>(std::max<int64_t>(wait, 0));
    }
    // The inotify descriptor last: without inotify it is left out of the poll.
    pollfd fds[3] = {{wake_fd_, POLLIN, 0}, {tick_.fd(), POLLIN, 0}, {inotify_fd_, POLLIN, 0}};
    int ready = ::poll(fds, inotify_fd_ >= 0 ? 3 : 2, timeout);
    if (ready < 0 && errno != EINTR) {
      spdlog::critical("poll: {}", std::strerror(errno));
      std::abort();
    }
    if (ready > 0 && (fds[0].revents & POLLIN)) {
      uint64_t count = 0;
      [[maybe_unused]] ssize_t n = ::read(wake_fd_, &count, sizeof count);
      if (reload_requested_.exchange(false)) {
        reload_ticket = reloads_.lock()->asked;  // every reload asked so far: this re-read's
        reread_all = true;
        pending = true;
        first = last = now() - options_.max_delay;  // now: a reload waits for nothing
      }
    }
    // The tick()s asked so far: the events that came before them are in the queue read next.
    uint64_t tick_ticket = ready > 0 && (fds[1].revents & POLLIN) ? tick_.take() : 0;
    // Read even when only woken, so that a tick() sees the events that came before it.
    if (ready > 0 && inotify_fd_ >= 0) {
      bool relevant = false;
      drain_events(relevant, reread_all);
      if (relevant) {
        last = now();
        if (!pending) {
          first = last;
          pending = true;
        }
      }
    }
    if (pending && now() >= std::min(last + options_.settle, first + options_.max_delay)) {
      if (inotify_fd_ >= 0) {
        update_watches();
      }
      RescanSummary summary = files_.rescan(reread_all ? Rescan::All : Rescan::Changed);
      if (options_.on_errors && !summary.errors.empty()) {
        options_.on_errors(summary.errors);
      }
      if (reread_all) {
        spdlog::info("reloaded {} file(s): {} object(s)", summary.read, summary.objects);
        auto reloads = reloads_.lock();
        reloads->done = std::max(reloads->done, reload_ticket);
      }
      pending = reread_all = false;
    }
    tick_.served(tick_ticket);
    reload_done_.notify_all();
  }
  tick_.close();
}

}  // namespace vmdns::sources
