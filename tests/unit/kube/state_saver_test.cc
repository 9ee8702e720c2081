// StateSaver: every change passed on to the next sink unchanged and in order; the state file
// written only once every collection has synced (a partial view never replaces the last
// complete one), then again after a change; the restored origin dropped at the first full sync.

#include "kube/state_saver.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <string>
#include <thread>
#include <vector>

#include "kube/state_file.h"
#include "scripted_api.h"

namespace vmdns::kube {
namespace {

using testing::RecordingSink;

cluster::Service service(const std::string& name) {
  cluster::Service out;
  out.meta.name = name;
  out.meta.namespace_name = "prod";
  return out;
}

cluster::Namespace namespace_named(const std::string& name) {
  cluster::Namespace out;
  out.meta.name = name;
  return out;
}

class StateSaverTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("vmdns-saver-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::create_directories(dir_);
    path_ = (dir_ / "state.json").string();
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  // The file's Services and Namespaces by name, once it holds `services` Services; bounded
  // only so that a broken saver fails instead of hanging (a write comes within a second).
  std::vector<std::string> written(size_t services) {
    std::vector<std::string> names;
    auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(20);
    while (std::chrono::steady_clock::now() < give_up) {
      std::string error;
      if (auto state = load_state_file(path_, &error); state && state->services.size() == services) {
        for (const auto& [name, ns] : state->namespaces) {
          names.push_back("Namespace " + name);
        }
        for (const auto& [key, s] : state->services) {
          names.push_back("Service " + key.namespace_name + "/" + key.name);
        }
        return names;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    ADD_FAILURE() << path_ << " never held " << services << " Service(s)";
    return names;
  }

  std::filesystem::path dir_;
  std::string path_;
  RecordingSink next_;
};

TEST_F(StateSaverTest, PassesEveryChangeOnInOrder) {
  StateSaver saver(next_, path_, {"a"}, "");
  cluster::State listed;
  listed.services[{"prod", "web"}] = service("web");
  saver.replace_origin("a", listed);
  saver.upsert("a", service("db"));
  saver.remove("a", {sources::ObjectKind::Service, {"prod", "web"}});
  saver.retain("a", sources::ObjectKind::Service, {{"prod", "db"}});
  saver.set_sync("a", {sources::SyncStatus::NotSynced, "not listed yet"});
  saver.forget_origin("a");
  EXPECT_EQ(next_.lines(),
            (std::vector<std::string>{"replace Service prod/web", "upsert Service prod/db",
                                      "remove Service prod/web", "retain Service prod/db",
                                      "sync not_synced: not listed yet", "forget"}));
}

TEST_F(StateSaverTest, WritesOnceEveryCollectionSyncedThenAfterEachChange) {
  StateSaver saver(next_, path_, {"services", "namespaces"}, "");
  cluster::State services;
  services.services[{"prod", "web"}] = service("web");
  saver.replace_origin("services", services);
  saver.set_sync("services", {sources::SyncStatus::Synced, ""});
  cluster::State namespaces;
  namespaces.namespaces["prod"] = namespace_named("prod");
  saver.replace_origin("namespaces", namespaces);
  EXPECT_FALSE(std::filesystem::exists(path_));  // one collection of two: nothing written
  saver.set_sync("namespaces", {sources::SyncStatus::Synced, ""});
  EXPECT_EQ(written(1), (std::vector<std::string>{"Namespace prod", "Service prod/web"}));
  saver.upsert("services", service("db"));
  EXPECT_EQ(written(2), (std::vector<std::string>{"Namespace prod", "Service prod/db",
                                                  "Service prod/web"}));
}

TEST_F(StateSaverTest, TheRestoredStateIsForgottenAtTheFirstFullSync) {
  StateSaver saver(next_, path_, {"a", "b"}, "restored state.json");
  saver.set_sync("a", {sources::SyncStatus::Synced, ""});
  saver.set_sync("b", {sources::SyncStatus::Lost, "watch: connection refused"});
  saver.set_sync("b", {sources::SyncStatus::Synced, ""});
  saver.set_sync("a", {sources::SyncStatus::Lost, "watch: connection refused"});
  saver.set_sync("a", {sources::SyncStatus::Synced, ""});
  EXPECT_EQ(next_.lines(), (std::vector<std::string>{
                               "sync synced", "sync lost: watch: connection refused",
                               "sync synced", "forget", "sync lost: watch: connection refused",
                               "sync synced"}));
  EXPECT_EQ(next_.lines_of("restored state.json"), std::vector<std::string>{"forget"});
}

}  // namespace
}  // namespace vmdns::kube
