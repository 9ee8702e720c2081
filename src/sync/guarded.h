#pragma once
// A value that owns the mutex guarding it: the value can only be reached through a handle that
// holds the lock, so "which mutex guards this field?" is answered by the type, not by a comment,
// and forgetting to lock does not compile.
//
//   struct Queue { std::vector<Job> jobs; bool stopping = false; };
//   sync::Guarded<Queue> queue;
//
//   queue.lock()->jobs.push_back(job);               // locked for this one statement
//   {
//     auto q = queue.lock();                         // locked until q goes out of scope
//     if (!q->stopping) { q->jobs.push_back(job); }
//   }
//   size_t n = queue.with([](const Queue& q) { return q.jobs.size(); });
//
//   std::condition_variable wake;                    // waiting: the lock is released meanwhile
//   auto q = queue.lock();
//   q.wait(wake, [](const Queue& v) { return v.stopping || !v.jobs.empty(); });
//   std::vector<Job> batch = std::move(q->jobs);
//   q.unlocked([&] { run(batch); });                 // slow work without the lock
//
// A handle must not outlive the Guarded it came from, nor be kept across a call that may lock
// the same Guarded again (std::mutex is not recursive). Not for the query path's hot data: the
// workers share nothing there (sync/published.h publishes to them without a lock).

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <type_traits>
#include <utility>

namespace vmdns::sync {

template <typename T>
class Guarded {
 public:
  // The lock and the value it opens: `->` and `*` reach the value while the handle lives.
  // `U` is T, or const T for a handle from a const Guarded.
  template <typename U>
  class Locked {
   public:
    U* operator->() const { return value_; }
    U& operator*() const { return *value_; }

    // Releases the lock until `cv` is notified and `ready(value)` holds, then holds it again.
    template <typename Predicate>
    void wait(std::condition_variable& cv, Predicate ready) {
      cv.wait(lock_, [&] { return ready(static_cast<U&>(*value_)); });
    }
    // As wait(), giving up after `timeout`; returns ready(value).
    template <typename Rep, typename Period, typename Predicate>
    bool wait_for(std::condition_variable& cv, std::chrono::duration<Rep, Period> timeout,
                  Predicate ready) {
      return cv.wait_for(lock_, timeout, [&] { return ready(static_cast<U&>(*value_)); });
    }
    // As wait(), giving up at `deadline`; returns ready(value).
    template <typename Clock, typename Duration, typename Predicate>
    bool wait_until(std::condition_variable& cv,
                    std::chrono::time_point<Clock, Duration> deadline, Predicate ready) {
      return cv.wait_until(lock_, deadline, [&] { return ready(static_cast<U&>(*value_)); });
    }

    // Releases the lock until `cv` is notified or `timeout` passes (or a spurious wake-up),
    // then holds it again: for a loop that looks at the value on every wake-up.
    template <typename Rep, typename Period>
    std::cv_status wait_for(std::condition_variable& cv,
                            std::chrono::duration<Rep, Period> timeout) {
      return cv.wait_for(lock_, timeout);
    }

    // Runs `f()` with the lock released (slow work on a copy taken under the lock), then holds
    // it again. The value may have changed meanwhile.
    template <typename F>
    decltype(auto) unlocked(F&& f) {
      lock_.unlock();
      struct Relock {
        std::unique_lock<std::mutex>& lock;
        ~Relock() { lock.lock(); }
      } relock{lock_};
      return std::forward<F>(f)();
    }

   private:
    friend class Guarded;
    Locked(std::mutex& mutex, U* value) : lock_(mutex), value_(value) {}

    std::unique_lock<std::mutex> lock_;
    U* value_;
  };

  // The value, constructed from `args`.
  template <typename... Args>
    requires std::is_constructible_v<T, Args...>
  explicit Guarded(Args&&... args) : value_(std::forward<Args>(args)...) {}
  Guarded(const Guarded&) = delete;
  Guarded& operator=(const Guarded&) = delete;

  // Blocks until the lock is free; the value is reachable while the handle lives.
  [[nodiscard]] Locked<T> lock() { return Locked<T>(mutex_, &value_); }
  [[nodiscard]] Locked<const T> lock() const { return Locked<const T>(mutex_, &value_); }

  // Calls `f(value)` with the lock held and returns what it returns.
  template <typename F>
  decltype(auto) with(F&& f) {
    std::lock_guard hold(mutex_);
    return std::forward<F>(f)(value_);
  }
  template <typename F>
  decltype(auto) with(F&& f) const {
    std::lock_guard hold(mutex_);
    return std::forward<F>(f)(static_cast<const T&>(value_));
  }

 private:
  mutable std::mutex mutex_;
  T value_;
};

}  // namespace vmdns::sync
