#include "notify/notify_schedule.h"

#include <algorithm>

namespace vmdns::notify {

NotifySchedule::NotifySchedule(size_t targets, ScheduleOptions options, uint32_t seed)
    : targets_(targets), options_(options), random_(seed) {}

size_t NotifySchedule::serial(const dns::Name& zone, uint32_t serial) {
  auto it = std::find(zones_.begin(), zones_.end(), zone);
  size_t index = static_cast<size_t>(it - zones_.begin());
  if (it == zones_.end()) {
    zones_.push_back(zone);
    exchanges_.resize(zones_.size() * targets_);
  }
  for (size_t t = 0; t < targets_; ++t) {
    Exchange& e = at(index, t);
    if (e.in_flight && e.serial == serial) {
      continue;  // already being told
    }
    e.waiting = serial;  // sent by due(): at once when nothing is in flight
  }
  return index;
}

std::chrono::milliseconds NotifySchedule::backoff(unsigned attempt) const {
  std::chrono::milliseconds wait = options_.first_retry;
  for (unsigned i = 1; i < attempt && wait < options_.max_retry; ++i) {
    wait *= 2;
  }
  return std::min(wait, options_.max_retry);
}

void NotifySchedule::start(size_t zone, size_t target, uint32_t serial, Clock::time_point now,
                           std::vector<NotifySend>& out) {
  Exchange& e = at(zone, target);
  e.in_flight = true;
  e.serial = serial;
  e.waiting.reset();
  e.attempt = 1;
  // A random ID, so that an answer cannot be guessed by someone off the path (RFC 5452's care).
  e.id = static_cast<uint16_t>(random_());
  e.deadline = now + backoff(1);
  out.push_back({NotifySend::Kind::First, zone, target, e.id, serial, 1});
}

std::vector<NotifySend> NotifySchedule::due(Clock::time_point now) {
  std::vector<NotifySend> sends;
  std::vector<NotifySend> failed;
  for (size_t z = 0; z < zones_.size(); ++z) {
    for (size_t t = 0; t < targets_; ++t) {
      Exchange& e = at(z, t);
      if (!e.in_flight) {
        if (e.waiting) {
          start(z, t, *e.waiting, now, sends);
        }
        continue;
      }
      if (now < e.deadline) {
        continue;
      }
      if (e.attempt >= options_.max_attempts) {
        failed.push_back({NotifySend::Kind::Failed, z, t, e.id, e.serial, e.attempt});
        e.in_flight = false;
        if (e.waiting) {
          start(z, t, *e.waiting, now, sends);
        }
        continue;
      }
      // The retry carries the newest serial: a secondary that missed the last NOTIFY needs only
      // to hear of the latest.
      if (e.waiting) {
        e.serial = *e.waiting;
        e.waiting.reset();
      }
      ++e.attempt;
      e.deadline = now + backoff(e.attempt);
      sends.push_back({NotifySend::Kind::Retry, z, t, e.id, e.serial, e.attempt});
    }
  }
  sends.insert(sends.end(), failed.begin(), failed.end());
  return sends;
}

bool NotifySchedule::answered(size_t target, uint16_t id, const dns::Name& zone,
                              Clock::time_point now) {
  auto it = std::find(zones_.begin(), zones_.end(), zone);
  if (it == zones_.end() || target >= targets_) {
    return false;
  }
  Exchange& e = at(static_cast<size_t>(it - zones_.begin()), target);
  if (!e.in_flight || e.id != id) {
    return false;
  }
  e.in_flight = false;
  if (e.waiting) {
    e.deadline = now;  // due() sends it next
  }
  return true;
}

std::optional<Clock::time_point> NotifySchedule::next_deadline() const {
  std::optional<Clock::time_point> next;
  for (const Exchange& e : exchanges_) {
    std::optional<Clock::time_point> when;
    if (e.in_flight) {
      when = e.deadline;
    } else if (e.waiting) {
      when = Clock::time_point::min();
    }
    if (when && (!next || *when < *next)) {
      next = when;
    }
  }
  return next;
}

uint32_t NotifySchedule::in_flight_serial(size_t zone, size_t target) const {
  const Exchange& e = exchanges_[zone * targets_ + target];
  return e.in_flight ? e.serial : 0;
}

}  // namespace vmdns::notify
