// Boxed<T>, CompactVector<T>, SharedText, UniqueText and Labels, the model's compact fields: they read and compare
// as the std::optional, std::string and std::map they replace, and copies share what they should.

#include <gtest/gtest.h>

#include <algorithm>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <thread>
#include <vector>

#include "cluster/boxed.h"
#include "cluster/compact_vector.h"
#include "cluster/labels.h"
#include "cluster/model.h"
#include "cluster/shared_text.h"
#include "cluster/unique_text.h"

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

TEST(UniqueText, ReadsLikeAString) {
  struct Case {
    std::string text;
  };
  for (const Case& c : {Case{""}, Case{"vm-1"}, Case{std::string("a\0b", 3)},
                        Case{std::string(300, 'h')}}) {
    UniqueText text = c.text;
    EXPECT_EQ(text.empty(), c.text.empty());
    EXPECT_EQ(text.size(), c.text.size());
    EXPECT_EQ(text, c.text);
    EXPECT_EQ(text.str(), c.text);
    EXPECT_EQ(std::string_view(text), c.text);
    UniqueText copy = text;  // its own characters
    EXPECT_EQ(copy, text);
    EXPECT_TRUE(copy.empty() || copy.view().data() != text.view().data());
    UniqueText moved = std::move(copy);
    EXPECT_EQ(moved, c.text);
    copy = moved;
    EXPECT_EQ(copy, c.text);
  }
  EXPECT_NE(UniqueText("vm-1"), UniqueText("vm-2"));
  EXPECT_EQ(UniqueText(""), UniqueText());
  // A pointer, set or not: the reason it exists (a std::string is 32 bytes).
  static_assert(sizeof(UniqueText) == sizeof(void*));
}

TEST(CompactVector, ReadsAndChangesLikeAVector) {
  // Each step applied to a CompactVector and to a std::vector in turn: the two read the same.
  struct Step {
    const char* name;
    void (*apply)(CompactVector<std::string>&);
    void (*expect)(std::vector<std::string>&);
  };
  const Step steps[] = {
      {"push onto empty", [](auto& v) { v.push_back("b"); }, [](auto& v) { v.push_back("b"); }},
      {"insert first", [](auto& v) { v.insert(v.begin(), "a"); },
       [](auto& v) { v.insert(v.begin(), "a"); }},
      {"emplace last", [](auto& v) { v.emplace_back(2, 'c'); }, [](auto& v) { v.emplace_back(2, 'c'); }},
      {"insert between", [](auto& v) { v.insert(v.begin() + 1, "ab"); },
       [](auto& v) { v.insert(v.begin() + 1, "ab"); }},
      {"edit in place", [](auto& v) { v[2] += "!"; }, [](auto& v) { v[2] += "!"; }},
      {"erase the middle", [](auto& v) { v.erase(v.begin() + 1); },
       [](auto& v) { v.erase(v.begin() + 1); }},
      {"sort", [](auto& v) { std::sort(v.begin(), v.end(), std::greater<>()); },
       [](auto& v) { std::sort(v.begin(), v.end(), std::greater<>()); }},
      {"erase all but one", [](auto& v) { v.erase(v.begin()); v.erase(v.begin()); },
       [](auto& v) { v.erase(v.begin()); v.erase(v.begin()); }},
      {"erase the last", [](auto& v) { v.erase(v.begin()); }, [](auto& v) { v.erase(v.begin()); }},
      {"from a vector", [](auto& v) { v = std::vector<std::string>{"x", "y"}; },
       [](auto& v) { v = {"x", "y"}; }},
      {"clear", [](auto& v) { v.clear(); }, [](auto& v) { v.clear(); }},
  };
  CompactVector<std::string> compact;
  std::vector<std::string> plain;
  for (const Step& step : steps) {
    SCOPED_TRACE(step.name);
    step.apply(compact);
    step.expect(plain);
    EXPECT_EQ(std::vector<std::string>(compact.begin(), compact.end()), plain);
    EXPECT_EQ(compact.size(), plain.size());
    EXPECT_EQ(compact.empty(), plain.empty());
    CompactVector<std::string> copy = compact;
    EXPECT_EQ(copy, compact);
    EXPECT_FALSE(copy < compact);
    CompactVector<std::string> moved = std::move(copy);
    EXPECT_EQ(moved, compact);
  }
}

TEST(CompactVector, ComparesLikeAVector) {
  struct Case {
    const char* name;
    std::vector<int> a, b;
  };
  const Case cases[] = {
      {"both empty", {}, {}},
      {"empty first", {}, {1}},
      {"a prefix", {1, 2}, {1, 2, 3}},
      {"the same", {1, 2}, {1, 2}},
      {"first item differs", {2}, {1, 9}},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    CompactVector<int> a = c.a, b = c.b;
    EXPECT_EQ(a == b, c.a == c.b);
    EXPECT_EQ(a < b, c.a < c.b);
    EXPECT_EQ(b < a, c.b < c.a);
    std::span<const int> view = a;
    EXPECT_EQ(std::vector<int>(view.begin(), view.end()), c.a);
  }
  // One pointer, set or not; the length lives in the block with the items.
  static_assert(sizeof(CompactVector<IpAddress>) == sizeof(void*));
}

// What a node of State::vmis costs: 32 bytes of tree node, the key (40) and the VMI. At 152
// bytes the node is in jemalloc's 224-byte class; 8 more take it to 256 for every VMI.
static_assert(sizeof(VirtualMachineInstance) <= 152);
// The same for a node of State::services.
static_assert(sizeof(Service) <= 152);

// A VMI's addresses are its first interface's, kept once.
TEST(VirtualMachineInstance, AddressesAreTheFirstInterfaces) {
  VirtualMachineInstance vmi;
  EXPECT_TRUE(vmi.addresses().empty());
  vmi.set_addresses({});
  EXPECT_TRUE(vmi.interfaces.empty());  // nothing to set: no interface made up
  vmi.set_addresses({*IpAddress::parse("10.0.0.1")});
  ASSERT_EQ(vmi.interfaces.size(), 1u);
  EXPECT_TRUE(vmi.interfaces[0].name.empty());
  EXPECT_FALSE(vmi.interfaces[0].pod_network);
  EXPECT_EQ(vmi.addresses(), vmi.interfaces[0].addresses);
  vmi.interfaces = {{"default", {*IpAddress::parse("10.0.0.2")}, true},
                    {"net1", {*IpAddress::parse("10.128.0.2")}, false}};
  ASSERT_EQ(vmi.addresses().size(), 1u);
  EXPECT_EQ(vmi.addresses()[0].to_string(), "10.0.0.2");
  vmi.set_addresses({*IpAddress::parse("10.0.0.3")});
  EXPECT_EQ(vmi.interfaces[0].name, "default");
  EXPECT_EQ(vmi.addresses()[0].to_string(), "10.0.0.3");
  EXPECT_EQ(vmi.interfaces[1].addresses[0].to_string(), "10.128.0.2");
}

TEST(SharedText, OneCopyOfTheSameText) {
  // What a loader does: each object's origin made from the file's name in turn.
  SharedText first = std::string("/var/lib/manifests/cluster.yaml");
  SharedText second = std::string("/var/lib/manifests/cluster.yaml");
  EXPECT_EQ(first.c_str(), second.c_str());
  SharedText other = std::string("/var/lib/manifests/other.yaml");
  EXPECT_NE(other.c_str(), first.c_str());
  EXPECT_NE(other, first);
  // Made on another thread: the same copy.
  SharedText elsewhere;
  std::thread([&elsewhere] { elsewhere = std::string("/var/lib/manifests/cluster.yaml"); }).join();
  EXPECT_EQ(elsewhere.c_str(), first.c_str());
  Origin a{first, 1, 1}, b{elsewhere, 1, 1};
  EXPECT_EQ(a, b);
  static_assert(sizeof(SharedText) == sizeof(void*));
}

TEST(SharedText, TheLastHolderFreesTheText) {
  size_t before = SharedText::distinct();
  {
    SharedText a = "a text no other test makes";
    SharedText b = a;
    SharedText c = std::string("a text no other test makes");
    EXPECT_EQ(SharedText::distinct(), before + 1);
    SharedText moved = std::move(a);
    b = SharedText();
    EXPECT_EQ(SharedText::distinct(), before + 1);
    EXPECT_EQ(moved, c);
  }
  EXPECT_EQ(SharedText::distinct(), before);
  // Made and dropped on several threads at once: each text counted and freed once.
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([] {
      for (int i = 0; i < 2000; ++i) {
        SharedText text = std::string("shared-") + std::to_string(i % 7);
        SharedText copy = text;
      }
    });
  }
  for (std::thread& thread : threads) {
    thread.join();
  }
  EXPECT_EQ(SharedText::distinct(), before);
}

TEST(Labels, ReadsLikeAMapInKeyOrder) {
  Labels labels = {{"tier", "front"}, {"app", "web"}, {"tier", "back"}};
  ASSERT_EQ(labels.size(), 2u);
  EXPECT_EQ(labels.begin()->first, "app");
  EXPECT_EQ(labels.at("tier"), "back");  // the last of a key given twice
  EXPECT_EQ(labels.count("app"), 1u);
  EXPECT_EQ(labels.count("ap"), 0u);
  EXPECT_EQ(labels.find("zone"), labels.end());
  EXPECT_THROW(labels.at("zone"), std::out_of_range);

  labels["kubevirt.io"] = "virt-launcher";
  EXPECT_FALSE(labels.emplace("app", "other").second);
  EXPECT_TRUE(labels.emplace("zz", "last").second);
  std::vector<std::string> keys;
  for (const auto& [key, value] : labels) {
    keys.push_back(key);
  }
  EXPECT_EQ(keys, (std::vector<std::string>{"app", "kubevirt.io", "tier", "zz"}));
  EXPECT_EQ(labels.at("app"), "web");

  Labels copy = labels;
  EXPECT_EQ(copy, labels);
  EXPECT_EQ(copy.erase("kubevirt.io"), 1u);
  EXPECT_EQ(copy.erase("kubevirt.io"), 0u);
  EXPECT_NE(copy, labels);
  EXPECT_EQ(copy, (Labels{{"app", "web"}, {"tier", "back"}, {"zz", "last"}}));
  EXPECT_EQ(Labels(), Labels{});
  EXPECT_TRUE(Labels().empty());
  // One pointer: the array and its size are one block, the texts shared.
  static_assert(sizeof(Labels) == sizeof(void*));
}

}  // namespace
}  // namespace vmdns::cluster
