#include "zone/name_table.h"

#include <cstring>
#include <stdexcept>

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

// Names are 10 to 80 octets; eight at a time with a multiply-xor step, then a final mix whose
// upper half is well spread in all its bits: it is both the slot and the stored tag.
uint32_t NameTable::hash(std::string_view key) {
  uint64_t h = 0x9e3779b97f4a7c15ULL ^ key.size();
  size_t i = 0;
  for (; i + 8 <= key.size(); i += 8) {
    h = (h ^ load_u64(key.data() + i, 8)) * 0x100000001b3ULL;
    h ^= h >> 29;
  }
  if (i < key.size()) {
    h = (h ^ load_u64(key.data() + i, key.size() - i)) * 0x100000001b3ULL;
  }
  return static_cast<uint32_t>(mix(h) >> 32);
}

uint32_t NameTable::index_at(size_t entry) const {
  uint32_t index;
  std::memcpy(&index, key_data() + entry, kIndexSize);
  return index;
}

uint32_t NameTable::first_entry(uint32_t h) const {
  size_t count = slot_count();
  if (count == 0) {
    return UINT32_MAX;
  }
  const uint64_t* slots = slot_data();
  size_t mask = count - 1;
  for (size_t i = h & mask;; i = (i + 1) & mask) {
    uint64_t slot = slots[i];
    if (slot == 0) {
      return UINT32_MAX;
    }
    if ((slot >> 32) == h) {
      return static_cast<uint32_t>(slot) - 1;
    }
  }
}

uint32_t NameTable::find(std::string_view key, uint32_t h) const {
  size_t count = slot_count();
  if (count == 0) {
    return kMissing;
  }
  const uint64_t* slots = slot_data();
  size_t mask = count - 1;
  for (size_t i = h & mask;; i = (i + 1) & mask) {
    uint64_t slot = slots[i];
    if (slot == 0) {
      return kMissing;
    }
    if ((slot >> 32) == h) {
      size_t entry = static_cast<uint32_t>(slot) - 1;
      std::string_view candidate = key_at(entry);
      if (candidate.size() == key.size() &&
          std::memcmp(candidate.data(), key.data(), key.size()) == 0) {
        return index_at(entry);
      }
    }
  }
}

std::pair<uint32_t, bool> NameTable::insert(std::string_view key) {
  if (frozen_slots_ != nullptr) {
    throw std::logic_error("insert into a frozen name table");  // our own invariant
  }
  if ((offsets_.size() + 1) * 4 > slots_.size() * 3) {
    resize_slots(slots_.empty() ? kInitialSlots : slots_.size() * 2);
  }
  uint32_t h = hash(key);
  size_t mask = slots_.size() - 1;
  size_t i = h & mask;
  for (;; i = (i + 1) & mask) {
    uint64_t slot = slots_[i];
    if (slot == 0) {
      break;
    }
    if ((slot >> 32) == h) {
      size_t entry = static_cast<uint32_t>(slot) - 1;
      std::string_view candidate = key_at(entry);
      if (candidate.size() == key.size() &&
          std::memcmp(candidate.data(), key.data(), key.size()) == 0) {
        return {index_at(entry), false};
      }
    }
  }
  auto index = static_cast<uint32_t>(offsets_.size());
  auto entry = static_cast<uint32_t>(keys_.size());
  offsets_.push_back(entry);
  keys_.append(reinterpret_cast<const char*>(&index), kIndexSize);
  keys_.push_back(static_cast<char>(key.size()));  // a wire name is at most 255 octets
  keys_.append(key);
  slots_[i] = (uint64_t{h} << 32) | (uint64_t{entry} + 1);
  return {index, true};
}

void NameTable::reserve(size_t names, size_t key_bytes) {
  keys_.reserve(key_bytes + names * (kIndexSize + 1));
  offsets_.reserve(names);
  size_t wanted = slots_.empty() ? kInitialSlots : slots_.size();
  while (names * 4 > wanted * 3) {
    wanted *= 2;
  }
  if (wanted != slots_.size()) {
    resize_slots(wanted);
  }
}

// Every slot keeps its tag, which is where its probe starts: no key is read, none hashed.
void NameTable::resize_slots(size_t count) {
  std::vector<uint64_t> old(count, 0);
  old.swap(slots_);
  size_t mask = count - 1;
  for (uint64_t slot : old) {
    if (slot == 0) {
      continue;
    }
    size_t i = (slot >> 32) & mask;
    while (slots_[i] != 0) {
      i = (i + 1) & mask;
    }
    slots_[i] = slot;
  }
}

}  // namespace vmdns::zone

namespace vmdns::zone {

void NameTable::freeze_into(std::byte* at) {
  size_t slot_bytes = slots_.size() * sizeof(uint64_t);
  if (!slots_.empty()) {
    std::memcpy(at, slots_.data(), slot_bytes);
  }
  if (!keys_.empty()) {
    std::memcpy(at + slot_bytes, keys_.data(), keys_.size());
  }
  frozen_slot_count_ = slots_.size();
  frozen_slots_ = reinterpret_cast<const uint64_t*>(at);
  frozen_keys_ = reinterpret_cast<const char*>(at + slot_bytes);
  std::vector<uint64_t>().swap(slots_);
  std::string().swap(keys_);
  offsets_.shrink_to_fit();
}

}  // namespace vmdns::zone
