#pragma once
// When to send which NOTIFY (RFC 1996 section 3.6), without sockets or a clock of its own: the
// caller gives the time, so tests drive it step by step.
//
// One exchange at most is in flight per zone and target; a newer serial that arrives meanwhile
// waits and replaces any older one waiting (the newest wins: under churn a secondary gets one
// NOTIFY per round trip, not one per serial). An unanswered NOTIFY is sent again after
// first_retry, then twice as long each time up to max_retry, at most max_attempts times in all,
// then given up (failed). An answer ends the exchange; a serial waiting is sent at once.
//
//   NotifySchedule schedule(targets, {});
//   schedule.serial(zone, 2026120701);
//   for (const NotifySend& s : schedule.due(now)) { ...send s... }
//   schedule.answered(target, id, zone, now);       // true: that exchange is over
//   schedule.next_deadline();                       // when to call due() again

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <random>
#include <vector>

#include "dns/name.h"

namespace vmdns::notify {

using Clock = std::chrono::steady_clock;

struct ScheduleOptions {
  std::chrono::milliseconds first_retry{2000};
  std::chrono::milliseconds max_retry{30000};
  unsigned max_attempts = 5;
};

struct NotifySend {
  enum class Kind { First, Retry, Failed };
  Kind kind = Kind::First;
  size_t zone = 0;  // index in zones()
  size_t target = 0;
  uint16_t id = 0;  // the message ID to send with (First, Retry) or that went unanswered
  uint32_t serial = 0;
  unsigned attempt = 1;  // 1 for the first send
};

class NotifySchedule {
 public:
  NotifySchedule(size_t targets, ScheduleOptions options, uint32_t seed = std::random_device{}());

  // A zone's new serial, to tell every target. Returns the zone's index in zones().
  size_t serial(const dns::Name& zone, uint32_t serial);
  // The sends due at `now` (first sends, retries) and the exchanges given up, in that order.
  std::vector<NotifySend> due(Clock::time_point now);
  // An answer from `target` with `id` for `zone`: true when it ends an exchange in flight.
  bool answered(size_t target, uint16_t id, const dns::Name& zone, Clock::time_point now);
  // When due() has something next; nullopt when nothing is in flight or waiting.
  std::optional<Clock::time_point> next_deadline() const;

  const std::vector<dns::Name>& zones() const { return zones_; }
  // The serial of the exchange in flight (or 0), for logs.
  uint32_t in_flight_serial(size_t zone, size_t target) const;

 private:
  struct Exchange {
    bool in_flight = false;
    uint16_t id = 0;
    uint32_t serial = 0;
    unsigned attempt = 0;
    Clock::time_point deadline{};
    std::optional<uint32_t> waiting;  // the newest serial not yet sent
  };
  Exchange& at(size_t zone, size_t target) { return exchanges_[zone * targets_ + target]; }
  std::chrono::milliseconds backoff(unsigned attempt) const;
  void start(size_t zone, size_t target, uint32_t serial, Clock::time_point now,
             std::vector<NotifySend>& out);

  size_t targets_;
  ScheduleOptions options_;
  std::vector<dns::Name> zones_;
  std::vector<Exchange> exchanges_;  // zones_ x targets_
  std::mt19937 random_;
};

}  // namespace vmdns::notify
