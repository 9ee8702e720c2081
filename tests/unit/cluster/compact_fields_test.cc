// Boxed<T> and SharedText, the model's compact fields: they read and compare as the
// std::optional and std::string they replace, and copies share what they should.

#include <gtest/gtest.h>

#include <optional>
#include <string>
#include <thread>

#include "cluster/boxed.h"
#include "cluster/model.h"
#include "cluster/shared_text.h"

namespace vmdns::cluster {
namespace {

TEST(Boxed, ReadsLikeAnOptional) {
  struct Case {
    const char* name;
    std::optional<MigrationState> a, b;
    bool equal;
  };
  MigrationState to_b;
  to_b.target_node = "b";
  MigrationState to_c;
  to_c.target_node = "c";
  const Case cases[] = {
      {"both unset", std::nullopt, std::nullopt, true},
      {"one set", to_b, std::nullopt, false},
      {"the same value", to_b, to_b, true},
      {"different values", to_b, to_c, false},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    Boxed<MigrationState> a = c.a, b = c.b;
    EXPECT_EQ(a.has_value(), c.a.has_value());
    EXPECT_EQ(static_cast<bool>(a), c.a.has_value());
    EXPECT_EQ(a == b, c.equal);
    EXPECT_EQ(a == std::nullopt, !c.a.has_value());
    if (c.a) {
      EXPECT_EQ(a->target_node, c.a->target_node);
      EXPECT_EQ(*a.get(), *c.a);
    } else {
      EXPECT_EQ(a.get(), nullptr);
    }
  }
}

TEST(Boxed, CopiesItsValue) {
  MigrationState to_b;
  to_b.target_node = "b";
  Boxed<MigrationState> a = to_b;
  Boxed<MigrationState> copy = a;
  copy->target_node = "c";
  EXPECT_EQ(a->target_node, "b");
  copy = a;
  EXPECT_EQ(copy, a);
  a.reset();
  EXPECT_FALSE(a);
  EXPECT_TRUE(copy);
  Boxed<MigrationState> moved = std::move(copy);
  EXPECT_EQ(moved->target_node, "b");
  // An unset one costs a pointer: the reason it exists.
  static_assert(sizeof(Boxed<MigrationState>) == sizeof(void*));
}

TEST(SharedText, ReadsLikeAString) {
  SharedText empty;
  EXPECT_TRUE(empty.empty());
  EXPECT_EQ(empty, "");
  SharedText file = std::string("cluster.yaml");
  EXPECT_EQ(file, "cluster.yaml");
  EXPECT_EQ(file, std::string("cluster.yaml"));
  EXPECT_EQ(file.size(), 12u);
  EXPECT_EQ("at " + file, "at cluster.yaml");
  EXPECT_EQ(file + ": document 3", "cluster.yaml: document 3");
  const std::string& text = file;
  EXPECT_EQ(text, "cluster.yaml");
  EXPECT_LT(SharedText("a.yaml"), SharedText("b.yaml"));
  EXPECT_EQ(SharedText("a.yaml"), SharedText(std::string_view("a.yaml")));
}

TEST(SharedText, OneCopyOfTheSameFileName) {
  // What a loader does: each object's origin made from the file's name in turn.
  SharedText first = std::string("/var/lib/manifests/cluster.yaml");
  SharedText second = std::string("/var/lib/manifests/cluster.yaml");
  EXPECT_EQ(first.c_str(), second.c_str());
  SharedText other = std::string("/var/lib/manifests/other.yaml");
  EXPECT_NE(other.c_str(), first.c_str());
  // Made on another thread: its own copy, equal all the same.
  SharedText elsewhere;
  std::thread([&elsewhere] { elsewhere = std::string("/var/lib/manifests/cluster.yaml"); }).join();
  EXPECT_EQ(elsewhere, first);
  Origin a{first, 1, 1}, b{elsewhere, 1, 1};
  EXPECT_EQ(a, b);
}

}  // namespace
}  // namespace vmdns::cluster
