// Origins' objects merged into one state: add, modify, delete, replace, forget, conflicts.

#include "control/cluster_store.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <ostream>
#include <set>
#include <string>
#include <vector>

#include "sources/manifest_loader.h"

namespace vmdns::control {
namespace {

using Strings = std::vector<std::string>;

std::string vmi(const std::string& name, const std::string& ip) {
  return "apiVersion: kubevirt.io/v1\nkind: VirtualMachineInstance\nmetadata: {name: " + name +
         "}\nstatus:\n  phase: Running\n  interfaces: [{ipAddress: " + ip + "}]\n---\n";
}
std::string service(const std::string& name) {
  return "apiVersion: v1\nkind: Service\nmetadata: {name: " + name +
         "}\nspec: {clusterIP: None, selector: {app: " + name + "}}\n---\n";
}
std::string vm(const std::string& name, const std::string& strategy) {
  return "apiVersion: kubevirt.io/v1\nkind: VirtualMachine\nmetadata: {name: " + name +
         "}\nspec: {runStrategy: " + strategy + "}\n---\n";
}
std::string ns(const std::string& name) {
  return "apiVersion: v1\nkind: Namespace\nmetadata: {name: " + name + "}\n---\n";
}

// One change to the store; objects are written as manifests, read as if from file `origin`.
struct Step {
  enum class Op { Replace, Upsert, Remove, Forget, Retain } op;
  std::string origin;
  std::string manifests;     // Replace, Upsert (each object upserted)
  sources::ObjectRef ref{};  // Remove; Retain (its kind)
  Strings keep{};            // Retain: the names kept
};

Step replace(std::string origin, std::string manifests) {
  return {Step::Op::Replace, std::move(origin), std::move(manifests)};
}
Step upsert(std::string origin, std::string manifests) {
  return {Step::Op::Upsert, std::move(origin), std::move(manifests)};
}
Step remove(std::string origin, sources::ObjectKind kind, std::string name) {
  std::string namespace_name = kind == sources::ObjectKind::Namespace ? "" : "default";
  return {Step::Op::Remove, std::move(origin), "", {kind, {namespace_name, std::move(name)}}};
}
Step forget(std::string origin) {
  return {Step::Op::Forget, std::move(origin), ""};
}
Step retain(std::string origin, sources::ObjectKind kind, Strings keep) {
  return {Step::Op::Retain, std::move(origin), "", {kind, {}}, std::move(keep)};
}

void apply(ClusterStore& store, const Step& step) {
  sources::LoadResult loaded = sources::load_manifest_text(step.manifests, step.origin);
  ASSERT_FALSE(loaded.has_errors()) << step.manifests;
  switch (step.op) {
    case Step::Op::Replace:
      store.replace_origin(step.origin, std::move(loaded.state));
      break;
    case Step::Op::Upsert:
      for (auto& [key, object] : loaded.state.vmis) {
        store.upsert(step.origin, object);
      }
      for (auto& [key, object] : loaded.state.services) {
        store.upsert(step.origin, object);
      }
      for (auto& [key, object] : loaded.state.namespaces) {
        store.upsert(step.origin, object);
      }
      for (auto& [key, object] : loaded.state.vms) {
        store.upsert(step.origin, object);
      }
      break;
    case Step::Op::Remove:
      store.remove(step.origin, step.ref);
      break;
    case Step::Op::Forget:
      store.forget_origin(step.origin);
      break;
    case Step::Op::Retain: {
      std::set<cluster::ObjectKey> keep;
      for (const std::string& name : step.keep) {
        keep.insert({step.ref.kind == sources::ObjectKind::Namespace ? "" : "default", name});
      }
      store.retain(step.origin, step.ref.kind, keep);
      break;
    }
  }
}

// The served state, one line per object: "<kind> <name> <detail> @<origin it came from>".
Strings served(const cluster::State& state) {
  Strings out;
  for (const auto& [key, v] : state.vmis) {
    out.push_back("vmi " + key.name + " " + v.addresses().at(0).to_string() + " @" +
                  v.meta.origin.file);
  }
  for (const auto& [key, s] : state.services) {
    out.push_back("service " + key.name + " @" + s.meta.origin.file);
  }
  for (const auto& [name, n] : state.namespaces) {
    out.push_back("namespace " + name + " @" + n.meta.origin.file);
  }
  for (const auto& [key, v] : state.vms) {
    out.push_back("vm " + key.name + " " + v.run_strategy + " @" + v.meta.origin.file);
  }
  return out;
}

struct StoreCase {
  std::string name;
  std::vector<Step> steps;
  Strings expected;
  std::vector<std::pair<std::string, size_t>> counts;  // objects per origin afterwards
};

// A row prints as its name (the default is a dump of the object's bytes, heap addresses in it).
void PrintTo(const StoreCase& c, std::ostream* os) { *os << c.name; }

using K = sources::ObjectKind;

const StoreCase kCases[] = {
    {"a replaced origin is served",
     {replace("a.yaml", vmi("x", "10.0.0.1") + service("web"))},
     {"vmi x 10.0.0.1 @a.yaml", "service web @a.yaml"},
     {{"a.yaml", 2}}},
    {"replacing an origin adds, modifies and deletes",
     {replace("a.yaml", vmi("x", "10.0.0.1") + vmi("y", "10.0.0.2")),
      replace("a.yaml", vmi("x", "10.0.0.9") + vmi("z", "10.0.0.3"))},
     {"vmi x 10.0.0.9 @a.yaml", "vmi z 10.0.0.3 @a.yaml"},
     {{"a.yaml", 2}}},
    {"origins are merged",
     {replace("a.yaml", vmi("x", "10.0.0.1")), replace("b.yaml", vmi("y", "10.0.0.2") + ns("n"))},
     {"vmi x 10.0.0.1 @a.yaml", "vmi y 10.0.0.2 @b.yaml", "namespace n @b.yaml"},
     {{"a.yaml", 1}, {"b.yaml", 2}}},
    {"replacing one origin leaves the others",
     {replace("a.yaml", vmi("x", "10.0.0.1")), replace("b.yaml", vmi("y", "10.0.0.2")),
      replace("a.yaml", "")},
     {"vmi y 10.0.0.2 @b.yaml"},
     {{"a.yaml", 0}, {"b.yaml", 1}}},
    {"upsert adds, then modifies (a VMI migrates)",
     {upsert("api", vmi("x", "10.0.0.1")), upsert("api", vmi("x", "10.0.0.7"))},
     {"vmi x 10.0.0.7 @api"},
     {{"api", 1}}},
    {"retain drops the objects of its kind a relist no longer holds",
     {upsert("api", vmi("x", "10.0.0.1") + vmi("y", "10.0.0.2") + vmi("z", "10.0.0.3") +
                        service("web")),
      retain("api", K::VirtualMachineInstance, {"x", "z", "unknown"})},
     {"vmi x 10.0.0.1 @api", "vmi z 10.0.0.3 @api", "service web @api"},
     {{"api", 3}}},
    {"retain of Namespaces, keyed by name alone",
     {upsert("api", ns("a") + ns("b")), retain("api", K::Namespace, {"a"})},
     {"namespace a @api"},
     {{"api", 1}}},
    {"retain serves a definition the dropped one shadowed",
     {replace("a.yaml", vmi("x", "10.0.0.1")), upsert("api", vmi("x", "10.0.0.2")),
      retain("api", K::VirtualMachineInstance, {})},
     {"vmi x 10.0.0.1 @a.yaml"},
     {{"a.yaml", 1}, {"api", 0}}},
    {"remove deletes one object of its kind",
     {upsert("api", vmi("web", "10.0.0.1") + service("web") + ns("web")),
      remove("api", K::Service, "web"), remove("api", K::Namespace, "web")},
     {"vmi web 10.0.0.1 @api"},
     {{"api", 1}}},
    {"removing what an origin does not hold changes nothing",
     {replace("a.yaml", vmi("x", "10.0.0.1")), remove("b.yaml", K::VirtualMachineInstance, "x"),
      remove("a.yaml", K::VirtualMachineInstance, "y")},
     {"vmi x 10.0.0.1 @a.yaml"},
     {{"a.yaml", 1}, {"b.yaml", 0}}},
    {"a forgotten origin's objects go",
     {replace("a.yaml", vmi("x", "10.0.0.1")), replace("b.yaml", vmi("y", "10.0.0.2")),
      forget("a.yaml")},
     {"vmi y 10.0.0.2 @b.yaml"},
     {{"a.yaml", 0}, {"b.yaml", 1}}},
    {"the origin seen later wins a conflict",
     {replace("a.yaml", vmi("x", "10.0.0.1")), replace("b.yaml", vmi("x", "10.0.0.2"))},
     {"vmi x 10.0.0.2 @b.yaml"},
     {{"a.yaml", 1}, {"b.yaml", 1}}},
    {"the earlier origin's definition returns when the later one drops it",
     {replace("a.yaml", vmi("x", "10.0.0.1")), replace("b.yaml", vmi("x", "10.0.0.2")),
      replace("b.yaml", "")},
     {"vmi x 10.0.0.1 @a.yaml"},
     {{"a.yaml", 1}, {"b.yaml", 0}}},
    {"an earlier origin's change stays behind the later definition",
     {replace("a.yaml", vmi("x", "10.0.0.1")), replace("b.yaml", vmi("x", "10.0.0.2")),
      replace("a.yaml", vmi("x", "10.0.0.3"))},
     {"vmi x 10.0.0.2 @b.yaml"},
     {{"a.yaml", 1}, {"b.yaml", 1}}},
    {"...and is served once the later origin is forgotten",
     {replace("a.yaml", vmi("x", "10.0.0.1")), replace("b.yaml", vmi("x", "10.0.0.2")),
      replace("a.yaml", vmi("x", "10.0.0.3")), forget("b.yaml")},
     {"vmi x 10.0.0.3 @a.yaml"},
     {{"a.yaml", 1}, {"b.yaml", 0}}},
    {"three origins: the last one dropped serves the one before it, then the first",
     {replace("a.yaml", vmi("x", "10.0.0.1")), replace("b.yaml", vmi("x", "10.0.0.2")),
      replace("c.yaml", vmi("x", "10.0.0.3") + vmi("y", "10.0.0.4")), forget("c.yaml")},
     {"vmi x 10.0.0.2 @b.yaml"},
     {{"a.yaml", 1}, {"b.yaml", 1}, {"c.yaml", 0}}},
    {"three origins: the middle one dropped leaves the last served, the first behind it",
     {replace("a.yaml", vmi("x", "10.0.0.1")), replace("b.yaml", vmi("x", "10.0.0.2")),
      replace("c.yaml", vmi("x", "10.0.0.3")), replace("b.yaml", ""), forget("c.yaml")},
     {"vmi x 10.0.0.1 @a.yaml"},
     {{"a.yaml", 1}, {"b.yaml", 0}, {"c.yaml", 0}}},
    {"a shadowed definition removed is gone for good",
     {replace("a.yaml", vmi("x", "10.0.0.1")), replace("b.yaml", vmi("x", "10.0.0.2")),
      remove("a.yaml", K::VirtualMachineInstance, "x"), forget("b.yaml")},
     {},
     {{"a.yaml", 0}, {"b.yaml", 0}}},
    {"VirtualMachines are kept per origin like the other kinds",
     {replace("a.yaml", vm("v", "Halted") + vmi("x", "10.0.0.1")),
      replace("b.yaml", vm("v", "Always")), upsert("api", vm("w", "Once"))},
     {"vmi x 10.0.0.1 @a.yaml", "vm v Always @b.yaml", "vm w Once @api"},
     {{"a.yaml", 2}, {"b.yaml", 1}, {"api", 1}}},
    {"remove deletes a VirtualMachine, and the earlier definition returns",
     {replace("a.yaml", vm("v", "Halted")), replace("b.yaml", vm("v", "Always")),
      remove("b.yaml", K::VirtualMachine, "v")},
     {"vm v Halted @a.yaml"},
     {{"a.yaml", 1}, {"b.yaml", 0}}},
    {"an origin keeps its rank when it comes back",
     {replace("a.yaml", vmi("x", "10.0.0.1")), replace("b.yaml", vmi("x", "10.0.0.2")),
      forget("a.yaml"), replace("a.yaml", vmi("x", "10.0.0.3"))},
     {"vmi x 10.0.0.2 @b.yaml"},
     {{"a.yaml", 1}, {"b.yaml", 1}}},
    // A file read again that still defines all it did drops nothing without looking at the
    // other keys; one that lacks any of them, of whatever kind, drops it.
    {"a file read again with every object it had, and one more",
     {replace("a.yaml", vmi("x", "10.0.0.1") + service("web")),
      replace("b.yaml", vmi("y", "10.0.0.2")),
      replace("a.yaml", vmi("x", "10.0.0.1") + service("web") + vmi("z", "10.0.0.3"))},
     {"vmi x 10.0.0.1 @a.yaml", "vmi y 10.0.0.2 @b.yaml", "vmi z 10.0.0.3 @a.yaml",
      "service web @a.yaml"},
     {{"a.yaml", 3}, {"b.yaml", 1}}},
    {"a file read again with as many objects, one of another kind instead",
     {replace("a.yaml", vmi("x", "10.0.0.1") + vmi("y", "10.0.0.2")),
      replace("a.yaml", vmi("x", "10.0.0.1") + service("web"))},
     {"vmi x 10.0.0.1 @a.yaml", "service web @a.yaml"},
     {{"a.yaml", 2}}},
    {"a file read again without a definition another origin shadows",
     {replace("a.yaml", vmi("x", "10.0.0.1") + vmi("y", "10.0.0.2")),
      replace("b.yaml", vmi("x", "10.0.0.5")), replace("a.yaml", vmi("y", "10.0.0.2")),
      forget("b.yaml")},
     {"vmi y 10.0.0.2 @a.yaml"},
     {{"a.yaml", 1}, {"b.yaml", 0}}},
};

class ClusterStoreTest : public testing::TestWithParam<StoreCase> {};

TEST_P(ClusterStoreTest, Serves) {
  const StoreCase& c = GetParam();
  ClusterStore store;
  for (const Step& step : c.steps) {
    apply(store, step);
  }
  EXPECT_EQ(served(store.state()), c.expected);
  for (const auto& [origin, count] : c.counts) {
    EXPECT_EQ(store.object_count(origin), count) << origin;
  }
}

INSTANTIATE_TEST_SUITE_P(Cases, ClusterStoreTest, testing::ValuesIn(kCases),
                         [](const testing::TestParamInfo<StoreCase>& info) {
                           std::string name;
                           for (char ch : info.param.name) {
                             name += std::isalnum(static_cast<unsigned char>(ch)) ? ch : '_';
                           }
                           return name;
                         });

// Many objects of a kind: the store records the origin of only the winners not of the kind's
// usual one, and moves the usual one to an origin that comes to win most of them. Whichever
// origin each object comes from, it is served from the right one and goes with it.
std::string vmis(const std::string& prefix, int from, int to, int octet) {
  std::string out;
  for (int i = from; i < to; ++i) {
    out += vmi(prefix + std::to_string(i), "10." + std::to_string(octet) + ".0." + std::to_string(i));
  }
  return out;
}
Strings served_vmis(const std::string& prefix, int from, int to, int octet,
                    const std::string& origin) {
  Strings out;
  for (int i = from; i < to; ++i) {
    out.push_back("vmi " + prefix + std::to_string(i) + " 10." + std::to_string(octet) + ".0." +
                  std::to_string(i) + " @" + origin);
  }
  return out;
}
Strings operator+(Strings a, const Strings& b) {
  a.insert(a.end(), b.begin(), b.end());
  return a;
}

const StoreCase kManyCases[] = {
    {"a second origin takes every object over, and gives them back when forgotten",
     {replace("a.yaml", vmis("x", 0, 40, 1)), replace("b.yaml", vmis("x", 0, 40, 2)),
      forget("b.yaml"), replace("a.yaml", vmis("x", 0, 30, 1))},
     served_vmis("x", 0, 30, 1, "a.yaml"),
     {{"a.yaml", 30}, {"b.yaml", 0}}},
    {"a second origin overrides some and adds many; the first one's return when it drops them",
     {replace("a.yaml", vmis("x", 0, 40, 1)),
      replace("b.yaml", vmis("x", 0, 20, 2) + vmis("y", 0, 60, 2)),
      replace("b.yaml", vmis("y", 0, 60, 2))},
     served_vmis("x", 0, 40, 1, "a.yaml") + served_vmis("y", 0, 60, 2, "b.yaml"),
     {{"a.yaml", 40}, {"b.yaml", 60}}},
    {"the usual origin forgotten, the next one shrinks and a third grows one object at a time",
     {replace("a.yaml", vmis("a", 0, 3, 1)), replace("b.yaml", vmis("b", 0, 60, 2)),
      forget("a.yaml"), replace("b.yaml", vmis("b", 0, 10, 2)), upsert("api", vmis("c", 0, 50, 3)),
      remove("api", K::VirtualMachineInstance, "c7"), remove("b.yaml", K::VirtualMachineInstance, "b3")},
     served_vmis("b", 0, 3, 2, "b.yaml") + served_vmis("b", 4, 10, 2, "b.yaml") +
         served_vmis("c", 0, 7, 3, "api") + served_vmis("c", 8, 50, 3, "api"),
     {{"a.yaml", 0}, {"b.yaml", 9}, {"api", 49}}},
    {"a relist that drops the usual origin's objects leaves the others served",
     {upsert("api", vmis("x", 0, 40, 1)), replace("a.yaml", vmis("y", 0, 2, 2)),
      retain("api", K::VirtualMachineInstance, {"x5"}), upsert("api", vmis("x", 6, 8, 1))},
     served_vmis("x", 5, 8, 1, "api") + served_vmis("y", 0, 2, 2, "a.yaml"),
     {{"api", 3}, {"a.yaml", 2}}},
};

class ClusterStoreManyTest : public testing::TestWithParam<StoreCase> {};

TEST_P(ClusterStoreManyTest, Serves) {
  const StoreCase& c = GetParam();
  ClusterStore store;
  for (const Step& step : c.steps) {
    apply(store, step);
  }
  Strings got = served(store.state());
  Strings expected = c.expected;
  std::sort(got.begin(), got.end());
  std::sort(expected.begin(), expected.end());
  EXPECT_EQ(got, expected);
  for (const auto& [origin, count] : c.counts) {
    EXPECT_EQ(store.object_count(origin), count) << origin;
  }
  // Every origin's objects go with it.
  for (const std::string& origin : store.origins()) {
    store.forget_origin(origin);
  }
  EXPECT_TRUE(store.state().vmis.empty());
}

INSTANTIATE_TEST_SUITE_P(Cases, ClusterStoreManyTest, testing::ValuesIn(kManyCases),
                         [](const testing::TestParamInfo<StoreCase>& info) {
                           std::string name;
                           for (char ch : info.param.name) {
                             name += std::isalnum(static_cast<unsigned char>(ch)) ? ch : '_';
                           }
                           return name;
                         });

TEST(ClusterStore, ListsOriginsInTheOrderFirstSeenWithoutForgottenOnes) {
  ClusterStore store;
  store.replace_origin("b.yaml", {});
  store.replace_origin("a.yaml", {});
  store.replace_origin("c.yaml", {});
  store.forget_origin("a.yaml");
  EXPECT_EQ(store.origins(), (Strings{"b.yaml", "c.yaml"}));
}

// A relist or a re-read file gives mostly the same objects again: only those that differ are
// changes, so that the next build rebuilds only their records.
TEST(ClusterStore, TheSameDefinitionAgainIsNoChange) {
  ClusterStore store;
  auto load = [](const std::string& text) {
    return sources::load_manifest_text(text, "a.yaml").state;
  };
  store.replace_origin("a.yaml",
                       load(vmi("v1", "10.0.0.1") + vmi("v2", "10.0.0.2") + service("web")));
  EXPECT_EQ(store.take_changes().size(), 3u);
  store.replace_origin("a.yaml",
                       load(vmi("v1", "10.0.0.1") + vmi("v2", "10.0.0.9") + service("web")));
  builder::ChangedObjects changed = store.take_changes();
  EXPECT_EQ(changed.size(), 1u);
  EXPECT_TRUE(changed.vmis.contains({"default", "v2"}));
  // Defined by a second origin too: the shadowed definition again is no change either.
  store.replace_origin("b.yaml", load(service("web")));
  store.take_changes();
  store.replace_origin("a.yaml",
                       load(vmi("v1", "10.0.0.1") + vmi("v2", "10.0.0.9") + service("web")));
  EXPECT_EQ(store.take_changes().size(), 0u);
  EXPECT_EQ(store.state().vmis.at({"default", "v2"}).addresses().front().to_string(), "10.0.0.9");
}

}  // namespace
}  // namespace vmdns::control
