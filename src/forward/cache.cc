#include "forward/cache.h"

#include "dns/header.h"

namespace vmdns::forward {

std::string_view Cache::key_of(const ClientQuery& client, KeyBuffer& buffer) {
  std::string_view wire = client.question.name.wire_view();
  size_t at = 0;
  for (char c : wire) {
    buffer[at++] = static_cast<char>(dns::ascii_lower(static_cast<uint8_t>(c)));
  }
  uint16_t type = static_cast<uint16_t>(client.question.type);
  buffer[at++] = static_cast<char>(type >> 8);
  buffer[at++] = static_cast<char>(type & 0xff);
  buffer[at++] = static_cast<char>(client.question.qclass >> 8);
  buffer[at++] = static_cast<char>(client.question.qclass & 0xff);
  buffer[at++] =
      static_cast<char>((client.dnssec_ok ? 1 : 0) | (client.checking_disabled() ? 2 : 0));
  return {buffer.data(), at};
}

bool is_denial_reply(std::span<const uint8_t> reply) {
  dns::Header header;
  if (!dns::read_header(reply, header)) {
    return false;
  }
  auto rcode = static_cast<dns::Rcode>(header.rcode_low());
  return rcode == dns::Rcode::NxDomain || (rcode == dns::Rcode::NoError && header.ancount == 0);
}

std::string Cache::key_of(const ClientQuery& client) {
  KeyBuffer buffer;
  return std::string(key_of(client, buffer));
}

void Cache::insert(std::string_view key, std::span<const uint8_t> response, uint32_t ttl_seconds,
                   Clock::time_point now) {
  if (max_entries_ == 0 || ttl_seconds == 0) {
    return;
  }
  Entry entry{std::string(key), std::vector<uint8_t>(response.begin(), response.end()), now,
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
  index_.emplace(lru_.front().key, lru_.begin());
}

std::optional<Cache::Hit> Cache::find(std::string_view key, Clock::time_point now) {
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
