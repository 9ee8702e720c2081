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

NameTable::NameTable(const NameTable& other)
    : slots_(other.slots_),
      keys_(other.keys_),
      slot_count_(other.slot_count_),
      size_(other.size_) {
  if (other.growing_) {
    growing_ = std::make_unique<Growing>(*other.growing_);
    refresh();
  }
}

NameTable& NameTable::operator=(const NameTable& other) {
  if (this != &other) {
    NameTable copy(other);
    *this = std::move(copy);
  }
  return *this;
}

void NameTable::refresh() {
  slots_ = growing_->slots.data();
  keys_ = growing_->keys.data();
  slot_count_ = static_cast<uint32_t>(growing_->slots.size());
  size_ = static_cast<uint32_t>(growing_->offsets.size());
}

void NameTable::shrink_to_fit() {
  if (growing_) {
    growing_->keys.shrink_to_fit();
    growing_->offsets.shrink_to_fit();
    refresh();
  }
}

size_t NameTable::memory_bytes() const {
  if (!growing_) {
    return 0;
  }
  return growing_->keys.capacity() + growing_->offsets.capacity() * sizeof(uint32_t) +
         growing_->slots.capacity() * sizeof(uint64_t);
}

uint32_t NameTable::index_at(size_t entry) const {
  uint32_t index;
  std::memcpy(&index, keys_ + entry, kIndexSize);
  return index;
}

// h's probe, in narrow or wide slots: the entry of the first slot holding h that `accept`
// takes, UINT32_MAX at the first empty slot. One walk for first_entry() and find(), inlined
// into each.
template <typename Accept>
[[gnu::always_inline]] inline uint32_t NameTable::probe(uint32_t h, Accept accept) const {
  size_t count = slot_count_;
  if ((count & kNarrow) != 0) {
    count &= ~kNarrow;
    const auto* slots = reinterpret_cast<const uint32_t*>(slots_);
    size_t mask = count - 1;
    uint32_t tag = narrow_tag(h);
    for (size_t i = narrow_start(h, count / 2);; i = (i + 1) & mask) {
      uint32_t slot = slots[i];
      if (slot == 0) {
        return UINT32_MAX;
      }
      if ((slot >> 16) == tag) {
        uint32_t entry = (slot & kNarrowOffsets) - 1;
        if (accept(entry)) {
          return entry;
        }
      }
    }
  }
  if (count == 0) {
    return UINT32_MAX;
  }
  const uint64_t* slots = slots_;
  size_t mask = count - 1;
  for (size_t i = h & mask;; i = (i + 1) & mask) {
    uint64_t slot = slots[i];
    if (slot == 0) {
      return UINT32_MAX;
    }
    if ((slot >> 32) == h) {
      uint32_t entry = static_cast<uint32_t>(slot) - 1;
      if (accept(entry)) {
        return entry;
      }
    }
  }
}

uint32_t NameTable::first_entry(uint32_t h) const {
  return probe(h, [](uint32_t) { return true; });
}

uint32_t NameTable::find(std::string_view key, uint32_t h) const {
  uint32_t entry = probe(h, [this, key](uint32_t candidate_entry) {
    std::string_view candidate = key_at(candidate_entry);
    return candidate.size() == key.size() &&
           std::memcmp(candidate.data(), key.data(), key.size()) == 0;
  });
  return entry == UINT32_MAX ? kMissing : index_at(entry);
}

std::pair<uint32_t, bool> NameTable::insert(std::string_view key, uint32_t h) {
  if (!growing_) {
    if (slots_ != nullptr) {
      throw std::logic_error("insert into a frozen name table");  // our own invariant
    }
    growing_ = std::make_unique<Growing>();
  }
  Growing& g = *growing_;
  if ((g.offsets.size() + 1) * 4 > g.slots.size() * 3) {
    resize_slots(g.slots.empty() ? kInitialSlots : g.slots.size() * 2);
  }
  size_t mask = g.slots.size() - 1;
  size_t i = h & mask;
  for (;; i = (i + 1) & mask) {
    uint64_t slot = g.slots[i];
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
  auto index = static_cast<uint32_t>(g.offsets.size());
  auto entry = static_cast<uint32_t>(g.keys.size());
  g.offsets.push_back(entry);
  g.keys.append(reinterpret_cast<const char*>(&index), kIndexSize);
  g.keys.push_back(static_cast<char>(key.size()));  // a wire name is at most 255 octets
  g.keys.append(key);
  g.slots[i] = (uint64_t{h} << 32) | (uint64_t{entry} + 1);
  refresh();
  return {index, true};
}

void NameTable::reserve(size_t names, size_t key_bytes) {
  if (!growing_) {
    if (slots_ != nullptr) {
      return;  // frozen
    }
    growing_ = std::make_unique<Growing>();
  }
  Growing& g = *growing_;
  g.keys.reserve(key_bytes + names * (kIndexSize + 1));
  g.offsets.reserve(names);
  size_t wanted = g.slots.empty() ? kInitialSlots : g.slots.size();
  while (names * 4 > wanted * 3) {
    wanted *= 2;
  }
  if (wanted != g.slots.size()) {
    resize_slots(wanted);
  }
  refresh();
}

// Every slot keeps its tag, which is where its probe starts: no key is read, none hashed.
void NameTable::resize_slots(size_t count) {
  std::vector<uint64_t> old(count, 0);
  old.swap(growing_->slots);
  std::vector<uint64_t>& slots = growing_->slots;
  size_t mask = count - 1;
  for (uint64_t slot : old) {
    if (slot == 0) {
      continue;
    }
    size_t i = (slot >> 32) & mask;
    while (slots[i] != 0) {
      i = (i + 1) & mask;
    }
    slots[i] = slot;
  }
  refresh();
}

bool NameTable::freezes_narrow() const {
  // At least 16 slots (8 units), so that a probe's start leaves the stored bits alone.
  return growing_ && slot_count_ >= kInitialSlots && growing_->keys.size() <= kNarrowOffsets;
}

size_t NameTable::frozen_bytes() const {
  size_t slot_size = freezes_narrow() ? sizeof(uint32_t) : sizeof(uint64_t);
  return padded(size_t{slot_count_} * slot_size) + padded(growing_ ? growing_->keys.size() : 0);
}

void NameTable::freeze_into(std::byte* at) {
  size_t slot_bytes = 0;
  if (freezes_narrow()) {
    size_t count = slot_count_;
    slot_bytes = padded(count * sizeof(uint32_t));
    auto* slots = reinterpret_cast<uint32_t*>(at);
    std::memset(slots, 0, slot_bytes);
    size_t mask = count - 1;
    for (uint64_t wide : growing_->slots) {
      if (wide == 0) {
        continue;
      }
      auto h = static_cast<uint32_t>(wide >> 32);
      size_t i = narrow_start(h, count / 2);
      while (slots[i] != 0) {
        i = (i + 1) & mask;
      }
      slots[i] = (narrow_tag(h) << 16) | static_cast<uint32_t>(wide & 0xFFFF);
    }
    slot_count_ |= kNarrow;
  } else if (growing_) {
    slot_bytes = size_t{slot_count_} * sizeof(uint64_t);
    if (slot_bytes > 0) {
      std::memcpy(at, growing_->slots.data(), slot_bytes);
    }
  }
  if (growing_ && !growing_->keys.empty()) {
    std::memcpy(at + slot_bytes, growing_->keys.data(), growing_->keys.size());
  }
  slots_ = reinterpret_cast<const uint64_t*>(at);
  keys_ = reinterpret_cast<const char*>(at + slot_bytes);
  growing_.reset();
}

}  // namespace vmdns::zone
