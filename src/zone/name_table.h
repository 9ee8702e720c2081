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
// holds (a zone's record block), next to the records a lookup reads after them: a frozen table
// is four fields (32 octets) and no allocation of its own. A frozen table whose keys take less
// than 64 KiB (a Service's shard, a reverse zone's block) has slots of 4 octets, not 8: 16 bits
// of the hash beside a 16-bit offset of the key's entry. It keeps no index -> key offsets (4
// octets a name): its keys are read in index order, one after the other (for_each_key).

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace vmdns::zone {

class NameTable {
 public:
  static constexpr uint32_t kMissing = UINT32_MAX;

  NameTable() = default;
  NameTable(const NameTable& other);
  NameTable& operator=(const NameTable& other);
  NameTable(NameTable&&) noexcept = default;
  NameTable& operator=(NameTable&&) noexcept = default;

  uint32_t find(std::string_view key) const { return find(key, hash(key)); }
  // find() for a key whose hash() the caller already has.
  uint32_t find(std::string_view key, uint32_t key_hash) const;
  std::pair<uint32_t, bool> insert(std::string_view key) { return insert(key, hash(key)); }
  // insert() filed under `key_hash`, which may be the hash of more than the key: a zone keeps
  // each name's part below its apex and files it under the hash of the whole name, so that a
  // lookup hashes the name it was given once (Zone::find). Every insert and find of one table
  // must then hash the same way.
  std::pair<uint32_t, bool> insert(std::string_view key, uint32_t key_hash);
  // Room for `names` names holding `key_bytes` octets in all, so that inserting them does not
  // grow the table.
  void reserve(size_t names, size_t key_bytes);

  // The octets freeze_into() needs: a multiple of 8.
  size_t frozen_bytes() const;
  // Whether freeze_into() makes slots of 4 octets: keys whose entries' offsets fit 16 bits.
  bool freezes_narrow() const;
  // Moves the slots and the keys to `at` (frozen_bytes() octets, 8-aligned), which the caller
  // keeps alive and in place as long as this table; no name may be inserted afterwards, and the
  // table then holds no memory of its own (a zone's is a few pointers). A frozen table is moved
  // with the memory it points into, never copied (Zone owns both).
  void freeze_into(std::byte* at);

  size_t size() const { return size_; }
  // The slots as 8-octet units (a power of two of them, each one slot or two 4-octet ones): a
  // lookup of a key whose hash is h reads unit slot_data()[h & (slot_count() - 1)] first, which
  // is what a prefetch loads. The table's own while names are added, the owner's memory once
  // frozen.
  const uint64_t* slot_data() const { return slots_; }
  size_t slot_count() const {
    return (slot_count_ & kNarrow) != 0 ? (slot_count_ & ~kNarrow) / 2 : slot_count_;
  }
  // The key of `index`, while names are added (a frozen table reads its keys in order).
  std::string_view key(uint32_t index) const { return key_at(growing_->offsets[index]); }
  // Calls f(uint32_t index, std::string_view key) for each key, in index order.
  template <typename F>
  void for_each_key(F&& f) const {
    size_t entry = 0;
    for (uint32_t i = 0; i < size_; ++i) {
      std::string_view key = key_at(entry);
      f(i, key);
      entry += kIndexSize + 1 + key.size();
    }
  }
  // For a staged prefetch: the entry of the first slot of `key_hash`'s probe that holds that
  // hash (the key to compare first), loading it; UINT32_MAX when the probe ends first.
  uint32_t first_entry(uint32_t key_hash) const;
  const char* entry_data(uint32_t entry) const { return keys_ + entry; }
  uint32_t entry_index(uint32_t entry) const { return index_at(entry); }
  // The 32 hash bits a key is filed under; the same for every table.
  static uint32_t hash(std::string_view key);
  // Gives back the growth slack of the key buffer once no more names will be added.
  void shrink_to_fit();
  // The heap bytes of a table still growing; a frozen one's are its owner's.
  size_t memory_bytes() const;

 private:
  // An entry of the keys: the index (4 octets, host order), the length octet, the key.
  static constexpr size_t kIndexSize = 4;
  // slot_count_'s flag of a frozen table of 4-octet slots, each (hash bits << 16) | (offset of
  // the key's entry + 1). Slot i of 2n holds hash h when ((h & (n - 1)) << 1 | h >> 31) is
  // where its probe starts: in 8-octet unit h & (n - 1), as a wide table's would be, so that a
  // prefetch of the unit (slot_data()) is the same for both. The stored bits are the hash's
  // 15 to 30, which a probe's start of a table this small does not use.
  static constexpr uint32_t kNarrow = 1U << 31;
  static constexpr uint32_t kNarrowOffsets = 0xFFFF;  // entry offsets + 1 a narrow slot holds
  static size_t narrow_start(uint32_t h, size_t units) { return ((h & (units - 1)) << 1) | (h >> 31); }
  static uint32_t narrow_tag(uint32_t h) { return (h >> 15) & 0xFFFF; }
  std::string_view key_at(size_t entry) const {
    return {keys_ + entry + kIndexSize + 1, static_cast<uint8_t>(keys_[entry + kIndexSize])};
  }
  static size_t padded(size_t bytes) { return (bytes + 7) & ~size_t{7}; }
  uint32_t index_at(size_t entry) const;
  template <typename Accept>
  uint32_t probe(uint32_t key_hash, Accept accept) const;
  void resize_slots(size_t count);
  // Points the read fields at growing_'s containers (after they may have moved).
  void refresh();

  // What a lookup reads, first: the growing table's containers, or the owner's memory once
  // frozen.
  const uint64_t* slots_ = nullptr;  // hash << 32 | (offset of the key's entry + 1); 0: empty
  const char* keys_ = nullptr;       // <index><length octet><key> per name
  // A power of two, at most 3/4 full; a probe starts at hash & (count - 1). With kNarrow, the
  // count of 4-octet slots (see there).
  uint32_t slot_count_ = 0;
  uint32_t size_ = 0;
  // While names are added; null once frozen (and before the first insert). The index -> offset
  // of each key's entry lives here only: a frozen table needs none.
  struct Growing {
    std::vector<uint64_t> slots;
    std::string keys;
    std::vector<uint32_t> offsets;
  };
  std::unique_ptr<Growing> growing_;
};

}  // namespace vmdns::zone
