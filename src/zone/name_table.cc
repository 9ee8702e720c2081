#include "zone/name_table.h"

#include <cstring>

namespace vmdns::zone {
namespace {

constexpr size_t kInitialSlots = 16;

uint64_t load_u64(const char* p, size_t n) {
  uint64_t v = 0;
  std::memcpy(&v, p, n);
  return v;
}

uint64_t mix(uint64_t h) {
  h ^= h >> 33;
  h *= 0xff51afd7ed558ccdULL;
  h ^= h >> 33;
  h *= 0xc4ceb9fe1a85ec53ULL;
  h ^= h >> 33;
  return h;
}

}  // namespace

// Names are 10 to 80 octets; eight at a time with a multiply-xor step, then a final mix so that
// both the low bits (slot) and the high bits (stored tag) are well spread.
uint64_t NameTable::hash(std::string_view key) {
  uint64_t h = 0x9e3779b97f4a7c15ULL ^ key.size();
  size_t i = 0;
  for (; i + 8 <= key.size(); i += 8) {
    h = (h ^ load_u64(key.data() + i, 8)) * 0x100000001b3ULL;
    h ^= h >> 29;
  }
  if (i < key.size()) {
    h = (h ^ load_u64(key.data() + i, key.size() - i)) * 0x100000001b3ULL;
  }
  return mix(h);
}

uint32_t NameTable::find(std::string_view key) const {
  if (slots_.empty()) {
    return kMissing;
  }
  uint64_t h = hash(key);
  uint64_t tag = h >> 32;
  size_t mask = slots_.size() - 1;
  for (size_t i = h & mask;; i = (i + 1) & mask) {
    uint64_t slot = slots_[i];
    if (slot == 0) {
      return kMissing;
    }
    if ((slot >> 32) == tag) {
      auto index = static_cast<uint32_t>(slot) - 1;
      std::string_view candidate = this->key(index);
      if (candidate.size() == key.size() &&
          std::memcmp(candidate.data(), key.data(), key.size()) == 0) {
        return index;
      }
    }
  }
}

std::pair<uint32_t, bool> NameTable::insert(std::string_view key) {
  if (uint32_t found = find(key); found != kMissing) {
    return {found, false};
  }
  if ((offsets_.size() + 1) * 4 > slots_.size() * 3) {
    grow();
  }
  auto index = static_cast<uint32_t>(offsets_.size());
  offsets_.push_back(static_cast<uint32_t>(keys_.size()));
  keys_.push_back(static_cast<char>(key.size()));  // a wire name is at most 255 octets
  keys_.append(key);
  place(hash(key), index);
  return {index, true};
}

void NameTable::place(uint64_t h, uint32_t index) {
  size_t mask = slots_.size() - 1;
  size_t i = h & mask;
  while (slots_[i] != 0) {
    i = (i + 1) & mask;
  }
  slots_[i] = ((h >> 32) << 32) | (uint64_t{index} + 1);
}

void NameTable::grow() {
  slots_.assign(slots_.empty() ? kInitialSlots : slots_.size() * 2, 0);
  for (uint32_t index = 0; index < offsets_.size(); ++index) {
    place(hash(key(index)), index);
  }
}

}  // namespace vmdns::zone
