// The label pairs' blocks of SelectorIndex (selector_index.h): a pair's key and its lists of
// names in one exact-size block, each list's common prefix once, the names in name order by
// offset; how a block is read, searched, and written again when a name comes or goes.

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

#include "builder/selector_index.h"

namespace vmdns::builder {
namespace {

// A name in a pair's block: one octet of length, or kLongName and four octets of it, then the
// text.
constexpr uint8_t kLongName = 255;

size_t entry_size(size_t length) { return (length < kLongName ? 1 : 1 + 4) + length; }

uint32_t load_u32(const uint8_t* at) {
  uint32_t value;
  std::memcpy(&value, at, sizeof value);
  return value;
}

void store_u32(uint8_t* at, uint32_t value) { std::memcpy(at, &value, sizeof value); }

std::string_view entry_at(const uint8_t* at) {
  size_t length = *at++;
  if (length == kLongName) {
    length = load_u32(at);
    at += 4;
  }
  return {reinterpret_cast<const char*>(at), length};
}

uint8_t* write_entry(uint8_t* at, std::string_view name) {
  if (name.size() < kLongName) {
    *at++ = static_cast<uint8_t>(name.size());
  } else {
    *at++ = kLongName;
    store_u32(at, static_cast<uint32_t>(name.size()));
    at += 4;
  }
  std::memcpy(at, name.data(), name.size());
  return at + name.size();
}



// A name of a list: the list's prefix, then the entry's text.
struct SplitName {
  std::string_view prefix;
  std::string_view rest;
  std::string whole() const { return std::string(prefix).append(rest); }
};

// <0, 0, >0 as `name` sorts before, as, after the split name.
int compare(std::string_view name, const SplitName& split) {
  size_t head = std::min(name.size(), split.prefix.size());
  if (int c = name.substr(0, head).compare(split.prefix.substr(0, head)); c != 0) {
    return c;
  }
  if (name.size() < split.prefix.size()) {
    return -1;  // a proper prefix of the split name
  }
  return name.substr(split.prefix.size()).compare(split.rest);
}

size_t common_prefix(std::string_view a, std::string_view b) {
  size_t n = std::min(a.size(), b.size());
  return static_cast<size_t>(std::mismatch(a.begin(), a.begin() + n, b.begin()).first - a.begin());
}

}  // namespace

size_t SelectorIndex::head_size(const Pair& pair) {
  return pair.key_size + pair.prefix_size[0] + pair.prefix_size[1] + pair.prefix_size[2];
}

std::string_view SelectorIndex::key_of(const Pair& pair) {
  return {reinterpret_cast<const char*>(pair.block.get()) + 4 * size_t{pair.names()},
          pair.key_size};
}

std::string_view SelectorIndex::prefix_of(const Pair& pair, List list) {
  size_t at = 4 * size_t{pair.names()} + pair.key_size;
  for (int l = 0; l < list; ++l) {
    at += pair.prefix_size[l];
  }
  return {reinterpret_cast<const char*>(pair.block.get()) + at, pair.prefix_size[list]};
}

uint32_t SelectorIndex::first_of(const Pair& pair, List list) {
  uint32_t first = 0;
  for (int l = 0; l < list; ++l) {
    first += pair.count[l];
  }
  return first;
}

std::string SelectorIndex::name_at(const Pair& pair, List list, uint32_t index) {
  const uint8_t* names = pair.block.get() + 4 * size_t{pair.names()} + head_size(pair);
  std::string_view rest =
      entry_at(names + load_u32(pair.block.get() + 4 * size_t{first_of(pair, list) + index}));
  return SplitName{prefix_of(pair, list), rest}.whole();
}

uint32_t SelectorIndex::lower_bound(const Pair& pair, List list, std::string_view name,
                                    bool& found) {
  uint32_t first = first_of(pair, list);
  const uint8_t* names = pair.block.get() + 4 * size_t{pair.names()} + head_size(pair);
  std::string_view prefix = prefix_of(pair, list);
  auto at = [&](uint32_t i) {
    return SplitName{prefix, entry_at(names + load_u32(pair.block.get() + 4 * size_t{first + i}))};
  };
  uint32_t low = 0;
  uint32_t high = pair.count[list];
  while (low < high) {
    uint32_t mid = low + (high - low) / 2;
    if (compare(name, at(mid)) > 0) {
      low = mid + 1;
    } else {
      high = mid;
    }
  }
  found = low < pair.count[list] && compare(name, at(low)) == 0;
  return low;
}

bool SelectorIndex::contains_name(const Pair& pair, List list, std::string_view name) {
  bool found = false;
  lower_bound(pair, list, name, found);
  return found;
}

bool SelectorIndex::insert_name(Pair& pair, List list, std::string_view name) {
  bool found = false;
  uint32_t index = lower_bound(pair, list, name, found);
  if (found) {
    return false;
  }
  std::string_view prefix = prefix_of(pair, list);
  if (pair.count[list] == 0 || common_prefix(prefix, name) < prefix.size()) {
    rewrite_with(pair, list, index, name);  // the list's prefix changes
    return true;
  }
  index += first_of(pair, list);
  uint32_t names = pair.names();
  const uint8_t* old = pair.block.get();
  size_t old_tail = pair.bytes - 4 * size_t{names};  // the key, the prefixes and the names
  std::string_view rest = name.substr(prefix.size());
  size_t bytes = pair.bytes + 4 + entry_size(rest.size());
  auto block = std::make_unique_for_overwrite<uint8_t[]>(bytes);
  uint8_t* at = block.get();
  std::memcpy(at, old, 4 * size_t{index});
  store_u32(at + 4 * size_t{index}, static_cast<uint32_t>(old_tail - head_size(pair)));
  std::memcpy(at + 4 * (size_t{index} + 1), old + 4 * size_t{index},
              4 * size_t{names - index});
  at += 4 * (size_t{names} + 1);
  std::memcpy(at, old + 4 * size_t{names}, old_tail);
  write_entry(at + old_tail, rest);
  pair.block = std::move(block);
  pair.bytes = static_cast<uint32_t>(bytes);
  ++pair.count[list];
  return true;
}

void SelectorIndex::rewrite_with(Pair& pair, List list, uint32_t index, std::string_view name) {
  // The list's new prefix: what its names and `name` share (at most kMaxPrefix octets).
  size_t prefix_size = std::min(name.size(), kMaxPrefix);
  std::string_view old_prefix = prefix_of(pair, list);
  if (pair.count[list] > 0) {
    prefix_size = std::min(prefix_size, common_prefix(old_prefix, name));
  }
  // The names after the new prefix, each at most in two pieces, in block order.
  struct Piece {
    std::string_view head;
    std::string_view tail;
  };
  std::vector<Piece> pieces;
  pieces.reserve(pair.names() + 1);
  const uint8_t* names = pair.block.get() + 4 * size_t{pair.names()} + head_size(pair);
  for (int l = 0; l < 3; ++l) {
    // The list's old names lose less of their text than its old prefix (when it has names).
    std::string_view head = l == list && pair.count[l] > 0 ? old_prefix.substr(prefix_size)
                                                           : std::string_view();
    uint32_t first = first_of(pair, static_cast<List>(l));
    for (uint32_t i = 0; i <= pair.count[l]; ++i) {
      if (l == list && i == index) {
        pieces.push_back({name.substr(prefix_size), {}});
      }
      if (i < pair.count[l]) {
        pieces.push_back(
            {head, entry_at(names + load_u32(pair.block.get() + 4 * size_t{first + i}))});
      }
    }
  }
  std::string prefixes[3];
  for (int l = 0; l < 3; ++l) {
    prefixes[l] = l == list ? std::string(name.substr(0, prefix_size))
                            : std::string(prefix_of(pair, static_cast<List>(l)));
  }
  std::string key(key_of(pair));
  size_t names_size = 0;
  for (const Piece& piece : pieces) {
    names_size += entry_size(piece.head.size() + piece.tail.size());
  }
  size_t head = key.size() + prefixes[0].size() + prefixes[1].size() + prefixes[2].size();
  size_t bytes = 4 * pieces.size() + head + names_size;
  auto block = std::make_unique_for_overwrite<uint8_t[]>(bytes);
  uint8_t* offsets = block.get();
  uint8_t* at = offsets + 4 * pieces.size();
  std::memcpy(at, key.data(), key.size());
  at += key.size();
  for (const std::string& prefix : prefixes) {
    std::memcpy(at, prefix.data(), prefix.size());
    at += prefix.size();
  }
  uint8_t* first_name = at;
  std::string joined;
  for (const Piece& piece : pieces) {
    store_u32(offsets, static_cast<uint32_t>(at - first_name));
    offsets += 4;
    joined.assign(piece.head).append(piece.tail);
    at = write_entry(at, joined);
  }
  pair.block = std::move(block);
  pair.bytes = static_cast<uint32_t>(bytes);
  ++pair.count[list];
  for (int l = 0; l < 3; ++l) {
    pair.prefix_size[l] = static_cast<uint8_t>(prefixes[l].size());
  }
}

bool SelectorIndex::erase_name(Pair& pair, List list, std::string_view name) {
  bool found = false;
  uint32_t index = lower_bound(pair, list, name, found);
  if (!found) {
    return false;
  }
  // The list's prefix stays: still one its names share.
  index += first_of(pair, list);
  uint32_t names = pair.names();
  const uint8_t* old = pair.block.get();
  size_t head = head_size(pair);
  const uint8_t* old_names = old + 4 * size_t{names} + head;
  uint32_t gone_at = load_u32(old + 4 * size_t{index});
  auto gone_size = static_cast<uint32_t>(entry_size(entry_at(old_names + gone_at).size()));
  size_t old_names_size = pair.bytes - 4 * size_t{names} - head;
  size_t bytes = pair.bytes - 4 - gone_size;
  auto block = std::make_unique_for_overwrite<uint8_t[]>(bytes);
  uint8_t* at = block.get();
  for (uint32_t i = 0; i < names; ++i) {
    if (i != index) {
      uint32_t offset = load_u32(old + 4 * size_t{i});
      store_u32(at, offset > gone_at ? offset - gone_size : offset);
      at += 4;
    }
  }
  std::memcpy(at, old + 4 * size_t{names}, head);
  at += head;
  std::memcpy(at, old_names, gone_at);
  std::memcpy(at + gone_at, old_names + gone_at + gone_size, old_names_size - gone_at - gone_size);
  pair.block = std::move(block);
  pair.bytes = static_cast<uint32_t>(bytes);
  --pair.count[list];
  return true;
}

void SelectorIndex::write(Pair& pair, std::string_view key,
                          const std::vector<std::string_view> (&lists)[3]) {
  size_t prefix_sizes[3] = {0, 0, 0};
  size_t names = 0;
  size_t names_size = 0;
  for (size_t l = 0; l < 3; ++l) {
    if (!lists[l].empty()) {
      // Sorted: what the first and the last share, all share.
      prefix_sizes[l] =
          std::min(kMaxPrefix, common_prefix(lists[l].front(), lists[l].back()));
    }
    names += lists[l].size();
    for (std::string_view name : lists[l]) {
      names_size += entry_size(name.size() - prefix_sizes[l]);
    }
  }
  size_t head = key.size() + prefix_sizes[0] + prefix_sizes[1] + prefix_sizes[2];
  size_t bytes = 4 * names + head + names_size;
  auto block = std::make_unique_for_overwrite<uint8_t[]>(bytes);
  uint8_t* offsets = block.get();
  uint8_t* at = offsets + 4 * names;
  std::memcpy(at, key.data(), key.size());
  at += key.size();
  for (size_t l = 0; l < 3; ++l) {
    if (prefix_sizes[l] > 0) {
      std::memcpy(at, lists[l].front().data(), prefix_sizes[l]);
      at += prefix_sizes[l];
    }
  }
  uint8_t* first_name = at;
  for (size_t l = 0; l < 3; ++l) {
    for (std::string_view name : lists[l]) {
      store_u32(offsets, static_cast<uint32_t>(at - first_name));
      offsets += 4;
      at = write_entry(at, name.substr(prefix_sizes[l]));
    }
    pair.count[l] = static_cast<uint32_t>(lists[l].size());
    pair.prefix_size[l] = static_cast<uint8_t>(prefix_sizes[l]);
  }
  pair.block = std::move(block);
  pair.bytes = static_cast<uint32_t>(bytes);
  pair.key_size = static_cast<uint32_t>(key.size());
}

}  // namespace vmdns::builder
