#pragma once
// Boxed<T>: an optional value kept on the heap, for the fields of a model object that most
// objects leave unset (a VMI's status.migrationState, a spec.dnsConfig). An unset one costs the
// object one pointer instead of the value's full size: at 100,000 VMIs that is the difference
// between 648 and 440 bytes a VMI (BENCHMARKS.md, memory per object). It reads like
// std::optional, and copies its value (a model object is a value).
//
//   cluster::Boxed<MigrationState> migration;        // unset: 8 bytes, no allocation
//   migration = decode_migration_state(reader, status);  // from a std::optional
//   if (migration && migration->in_progress()) { ... }

#include <memory>
#include <optional>
#include <utility>

namespace vmdns::cluster {

template <typename T>
class Boxed {
 public:
  Boxed() = default;
  Boxed(std::nullopt_t) {}  // NOLINT(google-explicit-constructor): reads like std::optional
  Boxed(T value) : value_(std::make_unique<T>(std::move(value))) {}  // NOLINT
  Boxed(std::optional<T> value)  // NOLINT(google-explicit-constructor)
      : value_(value ? std::make_unique<T>(std::move(*value)) : nullptr) {}
  Boxed(const Boxed& other) : value_(other ? std::make_unique<T>(*other) : nullptr) {}
  Boxed(Boxed&&) noexcept = default;
  Boxed& operator=(const Boxed& other) {
    if (this != &other) {
      value_ = other ? std::make_unique<T>(*other) : nullptr;
    }
    return *this;
  }
  Boxed& operator=(Boxed&&) noexcept = default;

  bool has_value() const { return value_ != nullptr; }
  explicit operator bool() const { return has_value(); }
  T& operator*() { return *value_; }
  const T& operator*() const { return *value_; }
  T* operator->() { return value_.get(); }
  const T* operator->() const { return value_.get(); }
  // The value, or null when unset.
  const T* get() const { return value_.get(); }
  void reset() { value_.reset(); }

  friend bool operator==(const Boxed& a, const Boxed& b) {
    return a.has_value() == b.has_value() && (!a.has_value() || *a == *b);
  }
  friend bool operator==(const Boxed& a, std::nullopt_t) { return !a.has_value(); }

 private:
  std::unique_ptr<T> value_;
};

}  // namespace vmdns::cluster
