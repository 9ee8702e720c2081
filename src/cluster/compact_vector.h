#pragma once
// CompactVector<T>: a short list of a model object's (a VMI's interfaces, an interface's
// addresses, label pairs) in one pointer. Empty costs 8 bytes and no allocation; set costs one
// exact-size heap block, the length and then the items. A std::vector is 24 bytes whether set or
// not, and its block is a second one beside the object's when the items hold lists of their own:
// at 100,000 VMIs the vectors of interfaces took the node of State::vmis past a size class
// (BENCHMARKS.md, memory per object). Reads like the std::vector it replaces (iteration, size,
// operator[], front, ==, <); every change makes a new block of the new size, as the lists are
// short and a model object is mostly replaced rather than edited.
//
//   cluster::CompactVector<IpAddress> addresses = {*IpAddress::parse("10.0.0.1")};
//   addresses.push_back(*IpAddress::parse("fd00::1"));   // a block of two
//   std::span<const IpAddress> view = addresses;          // what readers take

#include <algorithm>
#include <compare>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <initializer_list>
#include <iterator>
#include <memory>
#include <new>
#include <span>
#include <stdexcept>
#include <utility>
#include <vector>

namespace vmdns::cluster {

template <typename T>
class CompactVector {
 public:
  using value_type = T;
  using size_type = size_t;
  using difference_type = std::ptrdiff_t;
  using reference = T&;
  using const_reference = const T&;
  using pointer = T*;
  using const_pointer = const T*;
  using iterator = T*;
  using const_iterator = const T*;

  CompactVector() = default;
  CompactVector(std::initializer_list<T> items) { fill(items.begin(), items.size()); }
  CompactVector(const std::vector<T>& items) {  // NOLINT: reads like the vector it replaces
    fill(items.data(), items.size());
  }
  CompactVector(std::vector<T>&& items) {  // NOLINT
    if (items.empty()) {
      return;
    }
    block_ = allocate(items.size());
    std::uninitialized_move(items.begin(), items.end(), data());
  }
  template <typename It>
  CompactVector(It first, It last) {
    std::vector<T> items(first, last);
    *this = CompactVector(std::move(items));
  }
  CompactVector(const CompactVector& other) { fill(other.data(), other.size()); }
  CompactVector(CompactVector&& other) noexcept : block_(std::exchange(other.block_, nullptr)) {}
  CompactVector& operator=(const CompactVector& other) {
    if (this != &other) {
      CompactVector copy(other);
      std::swap(block_, copy.block_);
    }
    return *this;
  }
  CompactVector& operator=(CompactVector&& other) noexcept {
    std::swap(block_, other.block_);
    return *this;
  }
  ~CompactVector() { release(); }

  size_t size() const {
    if (block_ == nullptr) {
      return 0;
    }
    uint32_t size = 0;
    std::memcpy(&size, block_, sizeof size);
    return size;
  }
  bool empty() const { return block_ == nullptr; }
  T* data() {
    return block_ == nullptr ? nullptr : std::launder(reinterpret_cast<T*>(block_ + kOffset));
  }
  const T* data() const {
    return block_ == nullptr ? nullptr
                             : std::launder(reinterpret_cast<const T*>(block_ + kOffset));
  }
  iterator begin() { return data(); }
  iterator end() { return data() + size(); }
  const_iterator begin() const { return data(); }
  const_iterator end() const { return data() + size(); }
  T& operator[](size_t i) { return data()[i]; }
  const T& operator[](size_t i) const { return data()[i]; }
  T& front() { return data()[0]; }
  const T& front() const { return data()[0]; }
  T& back() { return data()[size() - 1]; }
  const T& back() const { return data()[size() - 1]; }
  const T& at(size_t i) const {
    if (i >= size()) {
      throw std::out_of_range("CompactVector::at");
    }
    return data()[i];
  }
  operator std::span<const T>() const { return {data(), size()}; }  // NOLINT: what readers take

  // Puts `value` before `at`; returns where it is.
  iterator insert(const_iterator at, T value) {
    size_t index = static_cast<size_t>(at - begin());
    size_t count = size();
    char* grown = allocate(count + 1);
    T* items = reinterpret_cast<T*>(grown + kOffset);
    std::uninitialized_move(begin(), begin() + index, items);
    ::new (static_cast<void*>(items + index)) T(std::move(value));
    std::uninitialized_move(begin() + index, end(), items + index + 1);
    release();
    block_ = grown;
    return data() + index;
  }
  void push_back(T value) { insert(end(), std::move(value)); }
  template <typename... Args>
  T& emplace_back(Args&&... args) {
    return *insert(end(), T(std::forward<Args>(args)...));
  }
  // Removes the item at `at`; returns where the next one is.
  iterator erase(const_iterator at) {
    size_t index = static_cast<size_t>(at - begin());
    size_t count = size();
    if (count == 1) {
      release();
      return nullptr;
    }
    char* shrunk = allocate(count - 1);
    T* items = reinterpret_cast<T*>(shrunk + kOffset);
    std::uninitialized_move(begin(), begin() + index, items);
    std::uninitialized_move(begin() + index + 1, end(), items + index);
    release();
    block_ = shrunk;
    return data() + index;
  }
  void clear() { release(); }

  friend bool operator==(const CompactVector& a, const CompactVector& b) {
    return std::equal(a.begin(), a.end(), b.begin(), b.end());
  }
  friend auto operator<=>(const CompactVector& a, const CompactVector& b) {
    return std::lexicographical_compare_three_way(a.begin(), a.end(), b.begin(), b.end());
  }

 private:
  // The length first, then the items at their alignment.
  static constexpr size_t kOffset = std::max(alignof(T), sizeof(uint32_t));
  static_assert(alignof(T) <= __STDCPP_DEFAULT_NEW_ALIGNMENT__);

  // A block for `count` items (count > 0), its length set, no item made yet.
  static char* allocate(size_t count) {
    char* block = static_cast<char*>(::operator new(kOffset + count * sizeof(T)));
    auto size = static_cast<uint32_t>(count);
    std::memcpy(block, &size, sizeof size);
    return block;
  }
  void fill(const T* items, size_t count) {
    if (count == 0) {
      return;
    }
    block_ = allocate(count);
    std::uninitialized_copy(items, items + count, reinterpret_cast<T*>(block_ + kOffset));
  }
  void release() {
    if (block_ != nullptr) {
      std::destroy(begin(), end());
      ::operator delete(std::exchange(block_, nullptr));
    }
  }

  char* block_ = nullptr;  // the length (4 bytes), then the items; null when empty
};

}  // namespace vmdns::cluster
