// `explain` on the running server: a record served only because --address-hold keeps its
// address says so, with the time left, in text and JSON; without holds nothing changes.

#include <gtest/gtest.h>

#include <chrono>
#include <string>

#include "builder/build.h"
#include "explain/name_explanation.h"
#include "explain/report.h"
#include "sources/manifest_loader.h"

namespace vmdns::explain {
namespace {

constexpr const char* kManifests = R"(
apiVersion: v1
kind: Service
metadata: {name: sub}
spec: {clusterIP: None, selector: {app: db}}
---
apiVersion: kubevirt.io/v1
kind: VirtualMachineInstance
metadata: {name: db, labels: {app: db}}
spec: {hostname: db, subdomain: sub}
status:
  phase: Running
  conditions: [{type: Ready, status: "True"}]
  interfaces: [{name: default, ipAddresses: [10.244.0.57, "fd00::57"]}]
)";

constexpr const char* kName = "db.sub.default.svc.cluster.local";

struct Fixture {
  cluster::State state;
  rules::ZoneConfig config;
  resolvconf::ClusterDns cluster;
  std::chrono::steady_clock::time_point now{std::chrono::seconds(1000)};

  Fixture() {
    sources::LoadResult loaded = sources::load_manifest_text(kManifests, "t.yaml");
    EXPECT_FALSE(loaded.has_errors());
    state = std::move(loaded.state);
    config.zones.push_back(*dns::Name::from_text("cluster.local"));
  }

  NameExplanation explain() {
    auto snapshot = builder::build(state, config);
    std::string error;
    auto out = explain_name(state, config, cluster, NameQuery{kName, "", ""}, *snapshot, now,
                            &error);
    EXPECT_TRUE(out) << error;
    return out.value_or(NameExplanation{});
  }
};

TEST(HeldAddress, TheHeldRecordSaysHowLongItIsKept) {
  Fixture f;
  cluster::VirtualMachineInstance& vmi = f.state.vmis.begin()->second;
  vmi.held = std::vector<cluster::HeldAddress>{
      {*cluster::IpAddress::parse("10.244.0.57"), "default", f.now + std::chrono::milliseconds(6200)}};
  NameExplanation e = f.explain();
  EXPECT_EQ(explanation_text(e),
            std::string(kName) +
                ": resolves to A 10.244.0.57, AAAA fd00::57\n"
                "  A 10.244.0.57: held for 7 s more: the guest agent stopped reporting it "
                "(VirtualMachineInstance default/db, interface default)\n");
  std::string json = explanation_json(e);
  EXPECT_NE(json.find("\"record\": \"A 10.244.0.57\""), std::string::npos) << json;
  EXPECT_NE(json.find("\"seconds_left\": 7"), std::string::npos) << json;
  EXPECT_NE(json.find("\"reason\": \"the guest agent stopped reporting it\""), std::string::npos);
}

TEST(HeldAddress, NothingHeldNothingSaid) {
  Fixture f;
  NameExplanation e = f.explain();
  EXPECT_TRUE(e.held.empty());
  EXPECT_EQ(explanation_text(e), std::string(kName) + ": resolves to A 10.244.0.57, AAAA fd00::57\n");
  EXPECT_EQ(explanation_json(e).find("held"), std::string::npos);
}

}  // namespace
}  // namespace vmdns::explain
