#pragma once
// An open-addressing hash table from owner names (lowercased wire form) to dense indexes
// 0, 1, 2, ... in insertion order: the index of a snapshot's zone and of the builder filling it.
//
//   NameTable names;
//   auto [index, inserted] = names.insert(lowercased_wire);   // 0 for the first name
//   uint32_t found = names.find(lowercased_wire);             // NameTable::kMissing if absent
//
// Keys live back to back in one buffer, each after its index and its length octet, and the slots
// are one flat array holding 32 bits of the hash beside the key's offset. A lookup therefore
// touches one slot and, only when the stored hash bits agree, one key, which carries the index
// with it: no per-name allocation, no pointer chasing.
// That is what makes a million names cheap to build and fast to query (compare a node-based
// std::unordered_map<std::string, ...>: three allocations and three cache misses per name).
// A name's slot comes from the same 32 hash bits the slot stores, so that growing the table
// moves slots without reading a key or hashing again.
// Once no name will be added, freeze_into() moves the slots and the keys into memory its owner
// holds (a zone's record block), next to the records a lookup reads after them.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace vmdns::zone {

class NameTable {
 public:
  static constexpr uint32_t kMissing = UINT32_MAX;

  uint32_t find(std::string_view key) const { return find(key, hash(key)); }
  // find() for a key whose hash() the caller already has.
  uint32_t find(std::string_view key, uint32_t key_hash) const;
  std::pair<uint32_t, bool> insert(std::string_view key);
  // Room for `names` names holding `key_bytes` octets in all, so that inserting them does not
  // grow the table.
  void reserve(size_t names, size_t key_bytes);

  // The octets freeze_into() needs: a multiple of 8.
  size_t frozen_bytes() const { return slots_.size() * sizeof(uint64_t) + padded(keys_.size()); }
  // Moves the slots and the keys to `at` (frozen_bytes() octets, 8-aligned), which the caller
  // keeps alive and in place as long as this table; no name may be inserted afterwards. A
  // frozen table is moved with the memory it points into, never copied (Zone owns both).
  void freeze_into(std::byte* at);

  size_t size() const { return offsets_.size(); }
  // The slots (a power of two of them): a lookup of a key whose hash is h reads
  // slot_data()[h & (slot_count() - 1)] first. The vector while names are added, the owner's
  // memory once frozen.
  const uint64_t* slot_data() const { return frozen_slots_ ? frozen_slots_ : slots_.data(); }
  size_t slot_count() const { return frozen_slots_ ? frozen_slot_count_ : slots_.size(); }
  std::string_view key(uint32_t index) const { return key_at(offsets_[index]); }
  // For a staged prefetch: the entry of the first slot of `key_hash`'s probe that holds that
  // hash (the key to compare first), loading it; UINT32_MAX when the probe ends first.
  uint32_t first_entry(uint32_t key_hash) const;
  const char* entry_data(uint32_t entry) const { return key_data() + entry; }
  uint32_t entry_index(uint32_t entry) const { return index_at(entry); }
  // The 32 hash bits a key is filed under; the same for every table.
  static uint32_t hash(std::string_view key);
  // Gives back the growth slack of the key buffer once no more names will be added.
  void shrink_to_fit() { keys_.shrink_to_fit(); offsets_.shrink_to_fit(); }
  size_t memory_bytes() const {
    return keys_.capacity() + offsets_.capacity() * sizeof(uint32_t) +
           slots_.capacity() * sizeof(uint64_t);
  }

 private:
  // An entry of keys_: the index (4 octets, host order), the length octet, the key.
  static constexpr size_t kIndexSize = 4;
  std::string_view key_at(size_t entry) const {
    const char* keys = key_data();
    return {keys + entry + kIndexSize + 1, static_cast<uint8_t>(keys[entry + kIndexSize])};
  }
  static size_t padded(size_t bytes) { return (bytes + 7) & ~size_t{7}; }
  // The keys: the string while names are added, the owner's memory once frozen.
  const char* key_data() const { return frozen_keys_ ? frozen_keys_ : keys_.data(); }
  uint32_t index_at(size_t entry) const;
  void resize_slots(size_t count);

  // Set by freeze_into(); slots_ and keys_ are then empty. First: what find() reads first.
  const uint64_t* frozen_slots_ = nullptr;
  size_t frozen_slot_count_ = 0;
  const char* frozen_keys_ = nullptr;
  // hash << 32 | (offset of the key's entry in keys_ + 1); 0 marks an empty slot. A power of
  // two in size, at most 3/4 full; a name's probe starts at hash & (size - 1).
  std::vector<uint64_t> slots_;
  std::string keys_;               // <index><length octet><key> per name
  std::vector<uint32_t> offsets_;  // index -> offset of its entry in keys_, for key(index)
};

}  // namespace vmdns::zone
