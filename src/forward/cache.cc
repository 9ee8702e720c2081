#include "forward/cache.h"

namespace vmdns::forward {

std::string Cache::key_of(const ClientQuery& client) {
  dns::Name name = client.question.name.lowercased();
  std::string key(name.wire_view());
  uint16_t type = static_cast<uint16_t>(client.question.type);
  key.push_back(static_cast<char>(type >> 8));
  key.push_back(static_cast<char>(type & 0xff));
  key.push_back(static_cast<char>(client.question.qclass >> 8));
  key.push_back(static_cast<char>(client.question.qclass & 0xff));
  key.push_back(static_cast<char>((client.dnssec_ok ? 1 : 0) | (client.checking_disabled() ? 2 : 0)));
  return key;
}

void Cache::insert(const std::string& key, std::span<const uint8_t> response, uint32_t ttl_seconds,
                   Clock::time_point now) {
  if (max_entries_ == 0 || ttl_seconds == 0) {
    return;
  }
  Entry entry{key, std::vector<uint8_t>(response.begin(), response.end()), now,
              now + std::chrono::seconds(ttl_seconds)};
  auto found = index_.find(key);
  if (found != index_.end()) {
    *found->second = std::move(entry);
    lru_.splice(lru_.begin(), lru_, found->second);
    return;
  }
  while (index_.size() >= max_entries_ && !lru_.empty()) {
    index_.erase(lru_.back().key);
    lru_.pop_back();
  }
  lru_.push_front(std::move(entry));
  index_.emplace(key, lru_.begin());
}

std::optional<Cache::Hit> Cache::find(const std::string& key, Clock::time_point now) {
  auto found = index_.find(key);
  if (found == index_.end()) {
    return std::nullopt;
  }
  Lru::iterator entry = found->second;
  if (now >= entry->expires) {
    lru_.erase(entry);
    index_.erase(found);
    return std::nullopt;
  }
  lru_.splice(lru_.begin(), lru_, entry);
  auto age = std::chrono::duration_cast<std::chrono::seconds>(now - entry->stored).count();
  return Hit{entry->response, static_cast<uint32_t>(age < 0 ? 0 : age)};
}

}  // namespace vmdns::forward
