#pragma once
// The running parts of a daemon in the order they were started, torn down in reverse: what is
// started later may use what was started before it, never the other way round, so unwinding
// the stack stops every user of a part before the part itself. No hand-written stop sequence.
//
//   ComponentStack stack;
//   auto& control = stack.emplace<control::ControlLoop>(holder, config);   // started first
//   auto& server = stack.emplace<server::Server>(options, factory);         // uses control's
//   stack.on_unwind([&] { forwarder.stop(); });  // runs before `server` is destroyed
//   stack.clear();   // (or the destructor) server first, then control

#include <functional>
#include <memory>
#include <utility>
#include <vector>

namespace vmdns::daemon {

class ComponentStack {
 public:
  ComponentStack() = default;
  ~ComponentStack() { clear(); }
  ComponentStack(const ComponentStack&) = delete;
  ComponentStack& operator=(const ComponentStack&) = delete;

  // Takes `part`, to be destroyed (its destructor stops it) when the stack unwinds past it.
  template <typename T>
  T& push(std::unique_ptr<T> part) {
    T& ref = *part;
    parts_.push_back(std::shared_ptr<void>(std::move(part)));
    return ref;
  }

  template <typename T, typename... Args>
  T& emplace(Args&&... args) {
    return push(std::make_unique<T>(std::forward<Args>(args)...));
  }

  // Runs `stop` when the stack unwinds to this point: for a part started earlier whose
  // activity must end before a part started later goes (its thread uses the later part).
  void on_unwind(std::function<void()> stop) {
    class Guard {
     public:
      explicit Guard(std::function<void()> stop) : stop_(std::move(stop)) {}
      ~Guard() { stop_(); }
      Guard(const Guard&) = delete;
      Guard& operator=(const Guard&) = delete;

     private:
      std::function<void()> stop_;
    };
    emplace<Guard>(std::move(stop));
  }

  // Destroys every part, the last pushed first.
  void clear() {
    while (!parts_.empty()) {
      parts_.pop_back();
    }
  }

  size_t size() const { return parts_.size(); }

 private:
  std::vector<std::shared_ptr<void>> parts_;
};

}  // namespace vmdns::daemon
