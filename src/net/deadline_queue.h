#pragma once
// Deadlines that all share one timeout, kept in the order they were set: the oldest is always
// the next to expire, so finding it, setting a deadline and cancelling one are O(1) with no
// allocation. The items carry their own links (intrusive), so one item may sit in several
// queues, one per timeout, through different `Link` members.
//
//   struct Conn { DeadlineQueue<Conn>::Link idle; };
//   DeadlineQueue<Conn> idle(&Conn::idle, std::chrono::milliseconds(10000));
//   idle.restart(&conn, now);                  // expires at now + 10 s
//   while (Conn* c = idle.expired(now)) { close(c); }   // close() must remove(c)

#include <chrono>

namespace vmdns::net {

template <typename T>
class DeadlineQueue {
 public:
  using Clock = std::chrono::steady_clock;

  struct Link {
    Clock::time_point deadline{};
    T* older = nullptr;
    T* newer = nullptr;
    bool queued = false;
  };

  DeadlineQueue(Link T::*link, std::chrono::milliseconds timeout)
      : link_(link), timeout_(timeout) {}
  DeadlineQueue(const DeadlineQueue&) = delete;
  DeadlineQueue& operator=(const DeadlineQueue&) = delete;

  // (Re)sets `item` to expire one timeout after `now`. `now` never goes back, so appending
  // keeps the queue sorted.
  void restart(T* item, Clock::time_point now) {
    remove(item);
    Link& link = item->*link_;
    link.deadline = now + timeout_;
    link.older = newest_;
    link.newer = nullptr;
    link.queued = true;
    if (newest_ != nullptr) {
      (newest_->*link_).newer = item;
    } else {
      oldest_ = item;
    }
    newest_ = item;
  }

  // Sets `item` to expire one timeout after `now` unless it is already queued.
  void start(T* item, Clock::time_point now) {
    if (!queued(item)) {
      restart(item, now);
    }
  }

  void remove(T* item) {
    Link& link = item->*link_;
    if (!link.queued) {
      return;
    }
    if (link.older != nullptr) {
      (link.older->*link_).newer = link.newer;
    } else {
      oldest_ = link.newer;
    }
    if (link.newer != nullptr) {
      (link.newer->*link_).older = link.older;
    } else {
      newest_ = link.older;
    }
    link = Link{};
  }

  bool queued(const T* item) const { return (item->*link_).queued; }

  // The oldest item if its deadline has passed, else null. The caller removes it.
  T* expired(Clock::time_point now) const {
    return oldest_ != nullptr && (oldest_->*link_).deadline <= now ? oldest_ : nullptr;
  }

  // The earliest deadline, when anything is queued.
  bool next_deadline(Clock::time_point* out) const {
    if (oldest_ == nullptr) {
      return false;
    }
    *out = (oldest_->*link_).deadline;
    return true;
  }

  std::chrono::milliseconds timeout() const { return timeout_; }

  // Forgets every item without touching them (they are being destroyed together).
  void clear() {
    oldest_ = nullptr;
    newest_ = nullptr;
  }

 private:
  Link T::*link_;
  std::chrono::milliseconds timeout_;
  T* oldest_ = nullptr;
  T* newest_ = nullptr;
};

}  // namespace vmdns::net
