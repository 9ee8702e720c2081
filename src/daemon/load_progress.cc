#include "daemon/load_progress.h"

#include <spdlog/spdlog.h>

namespace vmdns::daemon {

LoadProgress::LoadProgress(std::string what, bool enabled, Print print,
                           std::function<Clock::time_point()> now)
    : what_(std::move(what)),
      print_(print ? std::move(print) : [](const std::string& line) { spdlog::info("{}", line); }),
      now_(std::move(now)),
      active_(enabled),
      started_(now_()),
      last_line_(started_) {}

void LoadProgress::add(size_t objects) {
  std::string line;
  {
    std::lock_guard lock(mutex_);
    if (!active_) {
      return;
    }
    total_ += objects;
    Clock::time_point now = now_();
    if (now - last_line_ < std::chrono::seconds(1)) {
      return;
    }
    last_line_ = now;
    double seconds = std::chrono::duration<double>(now - started_).count();
    line = what_ + ": " + std::to_string(total_) + " object(s) read, " +
           std::to_string(static_cast<uint64_t>(static_cast<double>(total_) / seconds)) +
           " objects/s";
  }
  print_(line);
}

void LoadProgress::finish() {
  std::lock_guard lock(mutex_);
  active_ = false;
}

void ProgressSink::replace_origin(const std::string& origin, cluster::State objects) {
  progress_.add(objects.vmis.size() + objects.vms.size() + objects.pods.size() +
                objects.services.size() + objects.endpoint_slices.size() +
                objects.namespaces.size());
  next_.replace_origin(origin, std::move(objects));
}

}  // namespace vmdns::daemon
