#include "control/control_loop.h"

#include <pthread.h>

#include <spdlog/spdlog.h>

#include <algorithm>
#include <future>
#include <set>
#include <utility>

namespace vmdns::control {

using Clock = std::chrono::steady_clock;

ControlLoop::ControlLoop(zone::SnapshotHolder& holder, rules::ZoneConfig config,
                         ControlOptions options)
    : holder_(holder),
      config_(std::move(config)),
      options_(std::move(options)),
      holds_(options_.address_hold) {}

std::chrono::steady_clock::time_point ControlLoop::now() const {
  return options_.clock ? options_.clock() : Clock::now();
}

cluster::VirtualMachineInstance ControlLoop::held(const std::string& origin,
                                                  const ClusterStore& store,
                                                  cluster::VirtualMachineInstance vmi) {
  if (!holds_.enabled()) {
    return vmi;
  }
  auto served = store.state().vmis.find(cluster::key_of(vmi.meta));
  return holds_.apply(origin, std::move(vmi),
                      served == store.state().vmis.end() ? nullptr : &served->second, now());
}

ControlLoop::~ControlLoop() {
  stop();
}

void ControlLoop::start() {
  std::lock_guard lock(mutex_);
  if (!thread_.joinable() && !stopping_) {
    running_ = true;
    thread_ = std::thread([this] {
      pthread_setname_np(pthread_self(), "vmdns-control");
      run();
    });
  }
}

void ControlLoop::stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) {
    thread_.join();
  }
}

void ControlLoop::enqueue(Change change) {
  {
    std::lock_guard lock(mutex_);
    queue_.push_back(std::move(change));
    ++queued_;
  }
  wake_.notify_one();
}

void ControlLoop::replace_origin(const std::string& origin, cluster::State objects) {
  enqueue([this, origin, objects = std::move(objects)](ClusterStore& store, auto&) mutable {
    // Copied, not moved: a source's objects lie scattered among what its parser freed (each
    // document's tree, each API page's JSON), and pages holding even one of them stay resident. Copied here, they are packed in this thread's heap, and the source's
    // arena empties and is given back (`HeapTrimmer`) after the build.
    cluster::State copy(std::as_const(objects));
    objects = cluster::State();
    large_batch_ = true;
    if (holds_.enabled()) {
      for (auto& [key, vmi] : copy.vmis) {
        vmi = held(origin, store, std::move(vmi));
      }
    }
    store.replace_origin(origin, std::move(copy));
  });
}

void ControlLoop::upsert(const std::string& origin, sources::Object object) {
  enqueue([this, origin, object = std::move(object)](ClusterStore& store, auto&) mutable {
    // Copied, not moved, for the reason replace_origin copies: a watch's or relist's object was
    // decoded on its reflector thread, amid that thread's page buffers and parser nodes, and
    // kept there it pins their pages after they are freed (the soak's resident size grew by the
    // reflector arenas' free space). The copy also sheds the decoder's spare capacity.
    sources::Object copy(std::as_const(object));
    object = sources::Object();
    if (auto* vmi = std::get_if<cluster::VirtualMachineInstance>(&copy)) {
      *vmi = held(origin, store, std::move(*vmi));
    }
    store.upsert(origin, std::move(copy));
  });
}

void ControlLoop::remove(const std::string& origin, sources::ObjectRef ref) {
  enqueue(
      [origin, ref = std::move(ref)](ClusterStore& store, auto&) { store.remove(origin, ref); });
}

void ControlLoop::forget_origin(const std::string& origin) {
  enqueue([this, origin](ClusterStore& store, auto& sync) {
    large_batch_ = true;
    store.forget_origin(origin);
    sync.erase(origin);
  });
}

void ControlLoop::retain(const std::string& origin, sources::ObjectKind kind,
                         std::set<cluster::ObjectKey> keep) {
  enqueue([this, origin, kind, keep = std::move(keep)](ClusterStore& store, auto&) {
    large_batch_ = true;  // a list's end: its pages, key sets and replaced objects are freed
    if (size_t removed = store.retain(origin, kind, keep); removed > 0) {
      spdlog::info("{}: {} object(s) no longer listed (deleted without a watch event), removed",
                   origin, removed);
    }
  });
}

void ControlLoop::set_sync(const std::string& origin, sources::SyncState state) {
  enqueue([origin, state = std::move(state)](ClusterStore&, auto& sync) { sync[origin] = state; });
}

void ControlLoop::replace_config(rules::ZoneConfig config) {
  enqueue([this, config = std::move(config)](ClusterStore&, auto&) {
    uint32_t serial = config_.serial;
    config_ = config;
    config_.serial = serial;
    config_replaced_ = true;
  });
}

void ControlLoop::rebuild() {
  enqueue([this](ClusterStore&, auto&) { rebuild_requested_ = true; });
}

std::optional<std::string> ControlLoop::inspect(
    std::function<std::string(const Inspection&)> look, std::chrono::milliseconds timeout) {
  {
    std::lock_guard lock(mutex_);
    if (!running_ || stopping_) {
      return std::nullopt;
    }
  }
  auto answer = std::make_shared<std::promise<std::string>>();
  std::future<std::string> future = answer->get_future();
  enqueue([this, look = std::move(look), answer](ClusterStore&, auto&) mutable {
    inspections_.push_back([look = std::move(look), answer](const Inspection& inspection) {
      try {
        answer->set_value(look(inspection));
      } catch (...) {
        answer->set_exception(std::current_exception());
      }
    });
  });
  if (future.wait_for(timeout) != std::future_status::ready) {
    return std::nullopt;
  }
  return future.get();
}

void ControlLoop::answer_inspections() {
  if (inspections_.empty()) {
    return;
  }
  std::shared_ptr<const zone::Snapshot> served = holder_.current();
  Inspection inspection{store_.state(), config_, served.get(), now()};
  for (auto& answer : std::exchange(inspections_, {})) {
    answer(inspection);
  }
}

void ControlLoop::tick() {
  std::unique_lock lock(mutex_);
  uint64_t ticket = ++ticks_asked_;
  wake_.notify_all();
  published_.wait(lock, [&] { return ticks_served_ >= ticket || !running_; });
}

void ControlLoop::flush() {
  std::unique_lock lock(mutex_);
  uint64_t target = queued_;
  flushes_wanted_ = std::max(flushes_wanted_, target);
  wake_.notify_all();
  published_.wait(lock, [&] { return applied_ >= target || !running_; });
}

std::vector<OriginStatus> ControlLoop::origins() const {
  std::lock_guard lock(mutex_);
  return origins_;
}

bool ControlLoop::synced() const {
  std::lock_guard lock(mutex_);
  return builds_ > 0 && std::all_of(origins_.begin(), origins_.end(), [](const OriginStatus& o) {
           return o.sync.status == sources::SyncStatus::Synced;
         });
}

uint64_t ControlLoop::builds() const {
  std::lock_guard lock(mutex_);
  return builds_;
}

void ControlLoop::run() {
  std::unique_lock lock(mutex_);
  // Serves the tick() calls asked before the clock was last read (`ticket`), and returns the
  // ticket of the next reading: the tick()s asked so far.
  auto serve_ticks = [&](uint64_t ticket) {
    if (ticket > ticks_served_) {
      ticks_served_ = ticket;
      published_.notify_all();
    }
    return ticks_asked_;
  };
  for (;;) {
    auto woken = [&] { return stopping_ || !queue_.empty() || ticks_asked_ != ticks_served_; };
    if (next_expiry_) {
      // A hold ends then: serve its VMI without the address, even if nothing else changes.
      wake_.wait_for(lock, *next_expiry_ - now(), woken);
    } else if (std::optional<Clock::time_point> due = trimmer_.next_check()) {
      // Quiet since the last batch: what it made old has been let go by now (a snapshot by
      // the workers), and the heap it freed can go back to the system. The heap's time is the
      // steady clock's, whatever clock the loop's changes are timed by.
      if (!wake_.wait_until(lock, *due, woken)) {
        lock.unlock();
        trimmer_.check(Clock::now());
        lock.lock();
        continue;
      }
    } else {
      wake_.wait(lock, woken);
    }
    uint64_t ticket = ticks_asked_;
    if (queue_.empty()) {
      if (next_expiry_ && now() >= *next_expiry_) {
        lock.unlock();
        apply_and_publish({}, queued_);
        lock.lock();
      }
      serve_ticks(ticket);
      if (stopping_) {
        break;  // nothing left to apply
      }
      continue;
    }
    // Coalesce a burst: wait for `settle` of quiet, at most `max_delay` after the first change,
    // on the loop's clock; stop(), or a flush() waiting for what is queued, ends it at once.
    Clock::time_point first = now();
    Clock::time_point last = first;
    uint64_t seen = queued_;
    while (!stopping_ && flushes_wanted_ <= applied_) {
      ticket = ticks_asked_;
      Clock::time_point at = now();
      if (queued_ != seen) {
        seen = queued_;
        last = at;
      }
      Clock::time_point due = std::min(last + options_.settle, first + options_.max_delay);
      if (at >= due) {
        break;
      }
      serve_ticks(ticket);
      wake_.wait_for(lock, due - at, [&] {
        return stopping_ || queued_ != seen || ticks_asked_ != ticket ||
               flushes_wanted_ > applied_;
      });
    }
    std::deque<Change> changes;
    changes.swap(queue_);
    uint64_t last_sequence = queued_;
    lock.unlock();
    apply_and_publish(std::move(changes), last_sequence);
    lock.lock();
    serve_ticks(ticket);
  }
  running_ = false;
  published_.notify_all();
}

}  // namespace vmdns::control
