// ComponentStack: parts are destroyed in the reverse order of their pushing, guards included.

#include "daemon/component_stack.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace vmdns::daemon {
namespace {

struct Part {
  Part(std::string name, std::vector<std::string>& log) : name(std::move(name)), log(log) {}
  ~Part() { log.push_back(name); }
  std::string name;
  std::vector<std::string>& log;
};

TEST(ComponentStackTest, UnwindsInReverse) {
  std::vector<std::string> log;
  {
    ComponentStack stack;
    stack.emplace<Part>("control", log);
    Part& forwarder = stack.emplace<Part>("forwarder", log);
    stack.emplace<Part>("server", log);
    stack.on_unwind([&log, &forwarder] { log.push_back("stop " + forwarder.name); });
    stack.emplace<Part>("watcher", log);
    EXPECT_EQ(stack.size(), 5u);
  }
  EXPECT_EQ(log, (std::vector<std::string>{"watcher", "stop forwarder", "server", "forwarder",
                                           "control"}));
}

}  // namespace
}  // namespace vmdns::daemon
