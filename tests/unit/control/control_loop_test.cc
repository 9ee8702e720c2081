// The control thread: changes from any thread become one published snapshot per burst, and
// origins report their sync state once their objects are served. The burst's window and the
// address holds run on a clock the test moves (ControlOptions::clock, then tick()), so no
// assertion depends on how fast the machine is.

#include "control/control_loop.h"

#include <gtest/gtest.h>

#include <atomic>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "sources/manifest_loader.h"
#include "testing/moved_clock.h"
#include "zone/zone_text.h"

namespace vmdns::control {
namespace {

rules::ZoneConfig config() {
  rules::ZoneConfig c;
  c.zones.push_back(*dns::Name::from_text("cluster.local"));
  return c;
}

cluster::State load(const std::string& text, const std::string& origin = "t.yaml") {
  sources::LoadResult loaded = sources::load_manifest_text(text, origin);
  EXPECT_FALSE(loaded.has_errors());
  return std::move(loaded.state);
}

constexpr const char* kHeadless = R"(
apiVersion: v1
kind: Service
metadata: {name: sub}
spec: {clusterIP: None, selector: {app: x}}
)";

std::string vmi(const std::string& ip, bool ready = true) {
  return std::string(R"(
apiVersion: kubevirt.io/v1
kind: VirtualMachineInstance
metadata: {name: x, labels: {app: x}}
spec: {hostname: x, subdomain: sub}
status:
  phase: Running
  conditions: [{type: Ready, status: ")") +
         (ready ? "True" : "False") + "\"}]\n  interfaces: [{ipAddress: " + ip + "}]\n";
}

// The A records of x.sub.default.svc.cluster.local in the served snapshot.
std::vector<std::string> served_a(const zone::SnapshotHolder& holder) {
  std::vector<std::string> out;
  auto snapshot = holder.current();
  if (!snapshot) {
    return out;
  }
  std::ostringstream text;
  zone::write_zone_text(snapshot->zones().front(), text);
  std::istringstream lines(text.str());
  for (std::string line; std::getline(lines, line);) {
    if (line.starts_with("x.sub.default.svc.cluster.local.") && line.find("\tA\t") != line.npos) {
      out.push_back(line.substr(line.rfind('\t') + 1));
    }
  }
  return out;
}

using Strings = std::vector<std::string>;

TEST(ControlLoop, PublishesEachChangeAfterFlush) {
  zone::SnapshotHolder holder;
  ControlLoop loop(holder, config());
  loop.start();
  loop.replace_origin("svc.yaml", load(kHeadless));
  loop.replace_origin("vmi.yaml", load(vmi("10.0.0.1")));
  loop.flush();
  EXPECT_EQ(served_a(holder), Strings{"10.0.0.1"});

  loop.upsert("vmi.yaml", load(vmi("10.0.0.2")).vmis.begin()->second);  // migrated
  loop.flush();
  EXPECT_EQ(served_a(holder), Strings{"10.0.0.2"});

  loop.replace_origin("vmi.yaml", load(vmi("10.0.0.2", false)));  // paused: not ready
  loop.flush();
  EXPECT_EQ(served_a(holder), Strings{});

  loop.upsert("vmi.yaml", load(vmi("10.0.0.3")).vmis.begin()->second);
  loop.flush();
  EXPECT_EQ(served_a(holder), Strings{"10.0.0.3"});

  loop.remove("vmi.yaml", {sources::ObjectKind::VirtualMachineInstance, {"default", "x"}});
  loop.flush();
  EXPECT_EQ(served_a(holder), Strings{});
}

TEST(ControlLoop, SerialMovesWithEveryBuild) {
  zone::SnapshotHolder holder;
  ControlLoop loop(holder, config());
  loop.start();
  loop.replace_origin("a.yaml", {});
  loop.flush();
  uint32_t first = holder.current()->serial();
  loop.replace_origin("a.yaml", load(kHeadless));
  loop.flush();
  EXPECT_GT(holder.current()->serial(), first);
}

TEST(ControlLoop, AChangeThatChangesNothingBuildsNoSnapshot) {
  zone::SnapshotHolder holder;
  ControlLoop loop(holder, config());
  loop.start();
  loop.replace_origin("svc.yaml", load(kHeadless));
  loop.replace_origin("vmi.yaml", load(vmi("10.0.0.1")));
  loop.flush();
  uint64_t builds = loop.builds();
  uint32_t serial = holder.current()->serial();

  // A relist or a re-read file: every object defined again as it was.
  loop.replace_origin("vmi.yaml", load(vmi("10.0.0.1")));
  loop.upsert("svc.yaml", load(kHeadless).services.begin()->second);
  loop.flush();
  EXPECT_EQ(loop.builds(), builds);
  EXPECT_EQ(holder.current()->serial(), serial);

  // A new origin without objects builds nothing either, but is listed at once.
  loop.replace_origin("empty.yaml", {});
  loop.flush();
  EXPECT_EQ(loop.builds(), builds);
  ASSERT_EQ(loop.origins().size(), 3u);
  EXPECT_EQ(loop.origins()[2].name, "empty.yaml");

  // A sync state that moves is served as a new snapshot (NXDOMAIN vs SERVFAIL depends on it).
  loop.set_sync("vmi.yaml", {sources::SyncStatus::Lost, "gone"});
  loop.flush();
  EXPECT_EQ(loop.builds(), builds + 1);

  // Asked for (SIGHUP), a snapshot is built in full even when nothing changed.
  loop.rebuild();
  loop.flush();
  EXPECT_EQ(loop.builds(), builds + 2);

  loop.upsert("vmi.yaml", load(vmi("10.0.0.2")).vmis.begin()->second);
  loop.flush();
  EXPECT_EQ(loop.builds(), builds + 3);
  EXPECT_GT(holder.current()->serial(), serial);
  EXPECT_EQ(served_a(holder), Strings{"10.0.0.2"});
}

// The guest agent or Multus listing a VMI's interfaces in another order changes no name
// (<vmi>.<ns>.<zone> picks its interface by name): no snapshot, the serial stays.
TEST(ControlLoop, InterfacesInAnotherOrderBuildNoSnapshot) {
  auto secondary = [](const std::string& interfaces) {
    return "apiVersion: kubevirt.io/v1\nkind: VirtualMachineInstance\nmetadata: {name: vmi1, "
           "namespace: ns1}\nspec: {networks: [{name: default, pod: {}}, {name: nic1, multus: "
           "{networkName: a}}, {name: nic2, multus: {networkName: b}}]}\nstatus: {phase: "
           "Running, interfaces: " +
           interfaces + "}\n";
  };
  rules::ZoneConfig c = config();
  c.vm_zone = *dns::Name::from_text("vm");
  zone::SnapshotHolder holder;
  ControlLoop loop(holder, c);
  loop.start();
  loop.replace_origin("vmi.yaml", load(secondary("[{name: default, ipAddress: 10.244.0.5}, "
                                                 "{name: nic1, ipAddress: 1.2.3.4}, {name: nic2, "
                                                 "ipAddress: 5.6.7.8}]")));
  loop.flush();
  uint64_t builds = loop.builds();
  uint32_t serial = holder.current()->serial();

  loop.upsert("vmi.yaml", load(secondary("[{name: default, ipAddress: 10.244.0.5}, {name: nic2, "
                                         "ipAddress: 5.6.7.8}, {name: nic1, ipAddress: "
                                         "1.2.3.4}]"))
                              .vmis.begin()
                              ->second);
  loop.flush();
  EXPECT_EQ(loop.builds(), builds);
  EXPECT_EQ(holder.current()->serial(), serial);
}

// On a clock that never moves the window never closes by itself, however slowly the burst is
// queued: flush() ends it, and the burst is one snapshot.
TEST(ControlLoop, CoalescesABurstIntoOneSnapshot) {
  zone::SnapshotHolder holder;
  std::vector<cluster::State> burst;
  for (int i = 1; i <= 100; ++i) {
    burst.push_back(load(vmi("10.0.1." + std::to_string(i))));
  }
  cluster::State service = load(kHeadless);
  vmdns::testing::MovedClock clock;
  ControlLoop loop(holder, config(), {.clock = clock.source()});
  loop.start();
  loop.replace_origin("svc.yaml", std::move(service));
  for (cluster::State& state : burst) {
    loop.replace_origin("vmi.yaml", std::move(state));
  }
  loop.tick();  // the loop has seen the burst and waits
  EXPECT_EQ(loop.builds(), 0u);
  loop.flush();
  EXPECT_EQ(loop.builds(), 1u);
  EXPECT_EQ(served_a(holder), Strings{"10.0.1.100"});
}

// One step of a WindowCase: the clock moved to `at`, a change queued when `change`, the loop's
// round at that time (tick()), and the snapshots built by then.
struct WindowStep {
  std::chrono::milliseconds at;
  bool change;
  uint64_t builds;
};

struct WindowCase {
  const char* name;
  std::chrono::milliseconds settle;
  std::chrono::milliseconds max_delay;
  std::vector<WindowStep> steps;
};

// The window of a burst on the loop's clock: applied once no change has come for `settle`, and
// no later than `max_delay` after its first change, not a millisecond before either.
TEST(ControlLoop, TheWindowRunsOnTheLoopsClock) {
  using namespace std::chrono_literals;
  std::vector<WindowCase> cases = {
      {"quiet for settle", 5ms, 50ms, {{0ms, true, 0}, {4ms, false, 0}, {5ms, false, 1}}},
      {"a change within settle waits again",
       5ms,
       50ms,
       {{0ms, true, 0}, {4ms, true, 0}, {8ms, false, 0}, {9ms, false, 1}}},
      {"a burst that never settles is applied max_delay after its first change",
       5ms,
       50ms,
       {{0ms, true, 0},  {4ms, true, 0},  {8ms, true, 0},  {12ms, true, 0}, {16ms, true, 0},
        {20ms, true, 0}, {24ms, true, 0}, {28ms, true, 0}, {32ms, true, 0}, {36ms, true, 0},
        {40ms, true, 0}, {44ms, true, 0}, {48ms, true, 0}, {49ms, false, 0}, {50ms, false, 1}}},
      {"a window of 1 s, and the next burst's",
       1000ms,
       1000ms,
       {{0ms, true, 0},
        {999ms, false, 0},
        {1000ms, false, 1},
        {1001ms, true, 1},
        {2000ms, false, 1},
        {2001ms, false, 2}}},
  };
  for (const WindowCase& c : cases) {
    SCOPED_TRACE(c.name);
    zone::SnapshotHolder holder;
    vmdns::testing::MovedClock clock;
    ControlLoop loop(holder, config(),
                     {.settle = c.settle, .max_delay = c.max_delay, .clock = clock.source()});
    loop.start();
    int changes = 0;
    for (const WindowStep& step : c.steps) {
      SCOPED_TRACE("at " + std::to_string(step.at.count()) + " ms");
      clock.advance(step.at - clock.elapsed());
      if (step.change) {
        ++changes;
        loop.replace_origin("vmi.yaml", load(vmi("10.0.2." + std::to_string(changes))));
      }
      loop.tick();
      EXPECT_EQ(loop.builds(), step.builds);
    }
  }
}

TEST(ControlLoop, ChangesFromManyThreadsAllArrive) {
  zone::SnapshotHolder holder;
  ControlLoop loop(holder, config());
  loop.start();
  std::vector<std::thread> threads;
  threads.reserve(4);
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&loop, t] {
      for (int i = 0; i < 50; ++i) {
        cluster::Namespace n;
        n.meta.namespace_name = "";
        n.meta.name = "ns-" + std::to_string(t) + "-" + std::to_string(i);
        loop.upsert("thread-" + std::to_string(t), n);
      }
    });
  }
  for (std::thread& thread : threads) {
    thread.join();
  }
  loop.flush();
  size_t objects = 0;
  for (const OriginStatus& origin : loop.origins()) {
    objects += origin.objects;
  }
  EXPECT_EQ(objects, 200u);
}

TEST(ControlLoop, ReportsSyncStateOnceServed) {
  zone::SnapshotHolder holder;
  ControlLoop loop(holder, config());
  loop.start();
  loop.replace_origin("a.yaml", load(kHeadless));
  loop.set_sync("kubernetes", {sources::SyncStatus::NotSynced, "waiting for the first list"});
  loop.flush();
  EXPECT_FALSE(loop.synced());
  std::vector<OriginStatus> origins = loop.origins();
  ASSERT_EQ(origins.size(), 2u);
  EXPECT_EQ(origins[0].name, "a.yaml");
  EXPECT_EQ(origins[0].sync.status, sources::SyncStatus::Synced);
  EXPECT_EQ(origins[0].objects, 1u);
  EXPECT_EQ(origins[1].name, "kubernetes");
  EXPECT_EQ(origins[1].sync.reason, "waiting for the first list");

  loop.replace_origin("kubernetes", load(vmi("10.0.0.1")));
  loop.set_sync("kubernetes", {sources::SyncStatus::Synced, ""});
  loop.flush();
  EXPECT_TRUE(loop.synced());

  loop.set_sync("kubernetes", {sources::SyncStatus::Lost, "watch: connection refused"});
  loop.flush();
  EXPECT_FALSE(loop.synced());
  EXPECT_EQ(served_a(holder), Strings{"10.0.0.1"});  // the last data is kept
}

TEST(ControlLoop, StopAppliesWhatIsQueued) {
  zone::SnapshotHolder holder;
  ControlLoop loop(
      holder, config(),
      {.settle = std::chrono::milliseconds(10000), .max_delay = std::chrono::milliseconds(10000)});
  loop.start();
  loop.replace_origin("svc.yaml", load(kHeadless));
  loop.replace_origin("vmi.yaml", load(vmi("10.0.0.1")));
  loop.stop();
  EXPECT_EQ(served_a(holder), Strings{"10.0.0.1"});
  loop.flush();  // returns at once: the loop is not running
}

// The VMI as its status reads while the guest agent restarts: running, no interface reported.
constexpr const char* kAgentGone = R"(
apiVersion: kubevirt.io/v1
kind: VirtualMachineInstance
metadata: {name: x, labels: {app: x}}
spec: {hostname: x, subdomain: sub}
status:
  phase: Running
  conditions: [{type: Ready, status: "True"}]
)";

// --address-hold on the loop's own clock: the lost address is served until the hold ends, and a
// relist during the hold neither ends it nor builds a snapshot.
TEST(ControlLoop, HoldsALostAddressUntilItsClockSaysSo) {
  std::atomic<int64_t> now_ms{1'000'000};
  zone::SnapshotHolder holder;
  ControlLoop loop(holder, config(),
                   ControlOptions{.address_hold = std::chrono::seconds(30), .clock = [&] {
                                    return std::chrono::steady_clock::time_point(
                                        std::chrono::milliseconds(now_ms.load()));
                                  }});
  loop.start();
  loop.replace_origin("svc.yaml", load(kHeadless));
  loop.replace_origin("vmi.yaml", load(vmi("10.0.0.1")));
  loop.flush();
  ASSERT_EQ(served_a(holder), Strings{"10.0.0.1"});

  now_ms += 1000;
  loop.replace_origin("vmi.yaml", load(kAgentGone));
  loop.flush();
  EXPECT_EQ(served_a(holder), Strings{"10.0.0.1"});
  uint64_t builds = loop.builds();

  now_ms += 20'000;  // a relist: the same status again
  loop.replace_origin("vmi.yaml", load(kAgentGone));
  loop.tick();
  loop.flush();
  EXPECT_EQ(served_a(holder), Strings{"10.0.0.1"});
  EXPECT_EQ(loop.builds(), builds);

  now_ms += 10'000;  // 30 s after the address was lost
  loop.tick();
  loop.flush();
  EXPECT_EQ(served_a(holder), Strings{});
  EXPECT_EQ(loop.builds(), builds + 1);
}

TEST(ControlLoop, AnAddressBackWithinTheHoldIsServedThroughout) {
  std::atomic<int64_t> now_ms{0};
  zone::SnapshotHolder holder;
  ControlLoop loop(holder, config(),
                   ControlOptions{.address_hold = std::chrono::seconds(30), .clock = [&] {
                                    return std::chrono::steady_clock::time_point(
                                        std::chrono::milliseconds(now_ms.load()));
                                  }});
  loop.start();
  loop.replace_origin("svc.yaml", load(kHeadless));
  loop.upsert("vmi.yaml", load(vmi("10.0.0.1")).vmis.begin()->second);
  loop.flush();
  loop.upsert("vmi.yaml", load(kAgentGone).vmis.begin()->second);
  loop.flush();
  EXPECT_EQ(served_a(holder), Strings{"10.0.0.1"});
  now_ms += 5000;
  loop.upsert("vmi.yaml", load(vmi("10.0.0.1")).vmis.begin()->second);
  loop.flush();
  now_ms += 60'000;
  loop.tick();
  loop.flush();
  EXPECT_EQ(served_a(holder), Strings{"10.0.0.1"});
}

TEST(ControlLoop, WithoutAHoldALostAddressGoesAtOnce) {
  zone::SnapshotHolder holder;
  ControlLoop loop(holder, config());
  loop.start();
  loop.replace_origin("svc.yaml", load(kHeadless));
  loop.replace_origin("vmi.yaml", load(vmi("10.0.0.1")));
  loop.flush();
  loop.replace_origin("vmi.yaml", load(kAgentGone));
  loop.flush();
  EXPECT_EQ(served_a(holder), Strings{});
}

// inspect() answers on the loop's thread from what it serves, once what was queued before is.
TEST(ControlLoop, InspectSeesWhatIsServed) {
  zone::SnapshotHolder holder;
  ControlLoop loop(holder, config());
  EXPECT_FALSE(loop.inspect([](const Inspection&) { return std::string("x"); },
                            std::chrono::seconds(1)));  // not running
  loop.start();
  loop.replace_origin("svc.yaml", load(kHeadless));
  loop.replace_origin("vmi.yaml", load(vmi("10.0.0.1")));
  auto seen = loop.inspect(
      [](const Inspection& i) {
        return std::to_string(i.state.vmis.size()) + " " +
               std::to_string(i.served ? i.served->record_count() : 0);
      },
      std::chrono::seconds(10));
  ASSERT_TRUE(seen);
  EXPECT_EQ(*seen, "1 " + std::to_string(holder.current()->record_count()));
}

}  // namespace
}  // namespace vmdns::control
