// --address-hold: timelines of a VMI's status on a fake clock, and the VMI served after each
// step (its first interface's addresses, its --vm-zone interface's, how many are held).

#include "control/address_holds.h"

#include <gtest/gtest.h>

#include <optional>
#include <ostream>
#include <span>
#include <string>
#include <vector>

namespace vmdns::control {
namespace {

using Strings = std::vector<std::string>;
using Vmi = cluster::VirtualMachineInstance;
using TimePoint = AddressHolds::TimePoint;

constexpr std::chrono::seconds kHold(30);

struct Nic {
  std::string name;
  Strings addresses;
};

struct Status {
  std::vector<Nic> nics;
  std::string phase = "Running";
  std::string node = "node-a";
  bool migrating = false;
};

Vmi make(const Status& status) {
  Vmi vmi;
  vmi.meta.name = "db";
  vmi.phase = status.phase;
  vmi.node_name = status.node;
  if (status.migrating) {
    vmi.migration = cluster::MigrationState();
    vmi.migration->source_node = "node-a";
    vmi.migration->target_node = "node-b";
  }
  for (const Nic& nic : status.nics) {
    cluster::VmiInterface out;
    out.name = nic.name;
    out.pod_network = nic.name == "default";
    for (const std::string& text : nic.addresses) {
      out.addresses.push_back(*cluster::IpAddress::parse(text));
    }
    vmi.interfaces.push_back(out);
  }
  return vmi;
}

Status pod(Strings addresses, Strings secondary = {}) {
  Status status;
  status.nics.push_back({"default", std::move(addresses)});
  if (!secondary.empty()) {
    status.nics.push_back({"net2", std::move(secondary)});
  }
  return status;
}

enum class Do {
  See,     // the status arrives (an event, a relist, a file read again)
  Tick,    // the clock reaches `at`: the holds due end
  Delete,  // the VMI is deleted
};

struct Step {
  int at_ms;
  Do action;
  Status status;
  Strings first;             // the served VMI's addresses (its first interface's)
  Strings secondary;         // the served VMI's addresses on net2
  size_t held;               // AddressHolds::held() after the step
  bool same_as_before = false;  // the served VMI is the one served before the step
};

struct Case {
  std::string name;
  std::vector<Step> steps;
  std::chrono::milliseconds hold = kHold;
};

// A row prints as its name (the default is a dump of the object's bytes, heap addresses in it).
void PrintTo(const Case& c, std::ostream* os) { *os << c.name; }

Strings texts(std::span<const cluster::IpAddress> addresses) {
  Strings out;
  for (const auto& address : addresses) {
    out.push_back(address.to_string());
  }
  return out;
}

Strings on(const std::optional<Vmi>& vmi, const std::string& name) {
  if (vmi) {
    for (const cluster::VmiInterface& nic : vmi->interfaces) {
      if (nic.name == name) {
        return texts(nic.addresses);
      }
    }
  }
  return {};
}

const Status kNone{};

// No interface reported, in `phase`.
Status in_phase(std::string phase) {
  Status status;
  status.phase = std::move(phase);
  return status;
}

Status on_node(std::string node) {
  Status status;
  status.node = std::move(node);
  return status;
}

Status migrating() {
  Status status;
  status.migrating = true;
  return status;
}

class AddressHoldsTimeline : public testing::TestWithParam<Case> {};

TEST_P(AddressHoldsTimeline, ServesWhatTheHoldKeeps) {
  const Case& c = GetParam();
  AddressHolds holds(c.hold);
  std::optional<Vmi> served;
  for (size_t i = 0; i < c.steps.size(); ++i) {
    const Step& step = c.steps[i];
    SCOPED_TRACE("step " + std::to_string(i) + " at " + std::to_string(step.at_ms) + " ms");
    TimePoint now{std::chrono::milliseconds(step.at_ms)};
    std::optional<Vmi> before = served;
    switch (step.action) {
      case Do::See:
        served = holds.apply("t.yaml", make(step.status), served ? &*served : nullptr, now);
        break;
      case Do::Tick: {
        cluster::State state;
        if (served) {
          state.vmis.emplace(cluster::key_of(served->meta), *served);
        }
        for (auto& [origin, vmi] : holds.expire(now, state)) {
          EXPECT_EQ(origin, "t.yaml");
          served = vmi;
        }
        break;
      }
      case Do::Delete:
        served.reset();
        holds.forget_missing(cluster::State{});
        break;
    }
    EXPECT_EQ(served ? texts(served->addresses()) : Strings{}, step.first);
    EXPECT_EQ(on(served, "default"), step.first);
    EXPECT_EQ(on(served, "net2"), step.secondary);
    EXPECT_EQ(holds.held(), step.held);
    EXPECT_EQ(served && served->held ? served->held->size() : 0, step.held);
    // Nothing held is no list at all, as for a VMI as read.
    EXPECT_TRUE(!served || !served->held || !served->held->empty());
    if (step.same_as_before) {
      EXPECT_EQ(served, before);
    }
  }
}

const std::vector<Case> kCases = {
    {"FlapShorterThanTheHold",
     {{0, Do::See, pod({"10.0.0.5"}), {"10.0.0.5"}, {}, 0},
      {1000, Do::See, pod({}), {"10.0.0.5"}, {}, 1},
      {6000, Do::See, pod({"10.0.0.5"}), {"10.0.0.5"}, {}, 0},
      {31000, Do::Tick, {}, {"10.0.0.5"}, {}, 0, true}}},
    {"RemovalLongerThanTheHold",
     {{0, Do::See, pod({"10.0.0.5"}), {"10.0.0.5"}, {}, 0},
      {1000, Do::See, pod({}), {"10.0.0.5"}, {}, 1},
      {30999, Do::Tick, {}, {"10.0.0.5"}, {}, 1, true},
      {31000, Do::Tick, {}, {}, {}, 0}}},
    {"InterfacesGoneAltogether",
     {{0, Do::See, pod({"10.0.0.5"}, {"192.168.7.5"}), {"10.0.0.5"}, {"192.168.7.5"}, 0},
      {1000, Do::See, kNone, {"10.0.0.5"}, {"192.168.7.5"}, 2},
      {2000, Do::See, pod({"10.0.0.5"}, {"192.168.7.5"}), {"10.0.0.5"}, {"192.168.7.5"}, 0}}},
    {"NewAddressReplacesAtOnce",
     {{0, Do::See, pod({"10.0.0.5"}), {"10.0.0.5"}, {}, 0},
      {1000, Do::See, pod({"10.0.0.6"}), {"10.0.0.6"}, {}, 0}}},
    {"NewAddressReplacesAHeldOne",
     {{0, Do::See, pod({"10.0.0.5"}), {"10.0.0.5"}, {}, 0},
      {1000, Do::See, pod({}), {"10.0.0.5"}, {}, 1},
      {2000, Do::See, pod({"10.0.0.6"}), {"10.0.0.6"}, {}, 0}}},
    {"Deleted",
     {{0, Do::See, pod({"10.0.0.5"}), {"10.0.0.5"}, {}, 0},
      {1000, Do::See, pod({}), {"10.0.0.5"}, {}, 1},
      {2000, Do::Delete, {}, {}, {}, 0}}},
    {"Succeeded",
     {{0, Do::See, pod({"10.0.0.5"}), {"10.0.0.5"}, {}, 0},
      {1000, Do::See, in_phase("Succeeded"), {}, {}, 0}}},
    {"FailedDuringAHold",
     {{0, Do::See, pod({"10.0.0.5"}), {"10.0.0.5"}, {}, 0},
      {1000, Do::See, pod({}), {"10.0.0.5"}, {}, 1},
      {2000, Do::See, in_phase("Failed"), {}, {}, 0}}},
    {"MigratedToAnotherNode",
     {{0, Do::See, pod({"10.0.0.5"}), {"10.0.0.5"}, {}, 0},
      {1000, Do::See, on_node("node-b"), {}, {}, 0}}},
    {"MigrationStartsDuringAHold",
     {{0, Do::See, pod({"10.0.0.5"}), {"10.0.0.5"}, {}, 0},
      {1000, Do::See, pod({}), {"10.0.0.5"}, {}, 1},
      {2000, Do::See, migrating(), {}, {}, 0}}},
    {"RelistKeepsTheHoldAndItsEnd",
     {{0, Do::See, pod({"10.0.0.5"}), {"10.0.0.5"}, {}, 0},
      {10000, Do::See, pod({}), {"10.0.0.5"}, {}, 1},
      {20000, Do::See, pod({}), {"10.0.0.5"}, {}, 1, true},
      {39999, Do::Tick, {}, {"10.0.0.5"}, {}, 1, true},
      {40000, Do::Tick, {}, {}, {}, 0}}},
    {"HoldZeroIsOff",
     {{0, Do::See, pod({"10.0.0.5"}), {"10.0.0.5"}, {}, 0},
      {1000, Do::See, pod({}), {}, {}, 0}},
     std::chrono::milliseconds(0)},
    {"TwoAddressesOneLost",
     {{0, Do::See, pod({"10.0.0.5", "fd00::5"}), {"10.0.0.5", "fd00::5"}, {}, 0},
      {1000, Do::See, pod({"10.0.0.5"}), {"10.0.0.5", "fd00::5"}, {}, 1},
      {31000, Do::Tick, {}, {"10.0.0.5"}, {}, 0}}},
    {"NewAddressOfOneFamilyKeepsTheOther",
     {{0, Do::See, pod({"10.0.0.5", "fd00::5"}), {"10.0.0.5", "fd00::5"}, {}, 0},
      {1000, Do::See, pod({}), {"10.0.0.5", "fd00::5"}, {}, 2},
      {2000, Do::See, pod({"10.0.0.6"}), {"fd00::5", "10.0.0.6"}, {}, 1}}},
    {"VmZoneInterfaceLost",
     {{0, Do::See, pod({"10.0.0.5"}, {"192.168.7.5"}), {"10.0.0.5"}, {"192.168.7.5"}, 0},
      {1000, Do::See, pod({"10.0.0.5"}), {"10.0.0.5"}, {"192.168.7.5"}, 1},
      {5000, Do::See, pod({"10.0.0.5"}, {"192.168.7.5"}), {"10.0.0.5"}, {"192.168.7.5"}, 0}}},
    {"VmZoneInterfaceNewLease",
     {{0, Do::See, pod({"10.0.0.5"}, {"192.168.7.5"}), {"10.0.0.5"}, {"192.168.7.5"}, 0},
      {1000, Do::See, pod({"10.0.0.5"}), {"10.0.0.5"}, {"192.168.7.5"}, 1},
      {2000, Do::See, pod({"10.0.0.5"}, {"192.168.7.9"}), {"10.0.0.5"}, {"192.168.7.9"}, 0}}},
    {"VmZoneInterfaceExpires",
     {{0, Do::See, pod({"10.0.0.5"}, {"192.168.7.5"}), {"10.0.0.5"}, {"192.168.7.5"}, 0},
      {1000, Do::See, pod({"10.0.0.5"}), {"10.0.0.5"}, {"192.168.7.5"}, 1},
      {31000, Do::Tick, {}, {"10.0.0.5"}, {}, 0}}},
};

INSTANTIATE_TEST_SUITE_P(Timelines, AddressHoldsTimeline, testing::ValuesIn(kCases),
                         [](const auto& info) { return info.param.name; });

TEST(AddressHolds, HeldAddressesCarryTheirInterfaceAndEnd) {
  AddressHolds holds(kHold);
  TimePoint start{std::chrono::seconds(100)};
  Vmi served = holds.apply("t.yaml", make(pod({"10.0.0.5"}, {"192.168.7.5"})), nullptr, start);
  served = holds.apply("t.yaml", make(kNone), &served, start + std::chrono::seconds(2));
  ASSERT_TRUE(served.held);
  ASSERT_EQ(served.held->size(), 2u);
  EXPECT_EQ((*served.held)[0].interface, "default");
  EXPECT_EQ((*served.held)[0].address.to_string(), "10.0.0.5");
  EXPECT_EQ((*served.held)[1].interface, "net2");
  EXPECT_EQ((*served.held)[0].until, start + std::chrono::seconds(32));
  EXPECT_EQ(holds.next_expiry(), start + std::chrono::seconds(32));
  // The network the first interface was attached to stays as it was.
  EXPECT_TRUE(served.interfaces.front().pod_network);
}

TEST(AddressHolds, NothingHeldNoExpiry) {
  AddressHolds holds(kHold);
  EXPECT_FALSE(holds.next_expiry());
  Vmi served = holds.apply("t.yaml", make(pod({"10.0.0.5"})), nullptr, TimePoint{});
  EXPECT_FALSE(holds.next_expiry());
  EXPECT_FALSE(served.held);
}

}  // namespace
}  // namespace vmdns::control
