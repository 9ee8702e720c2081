// Manifest files re-read when they change: added, modified, renamed over, removed, broken and
// fixed, in directories that come and go.

#include "sources/manifest_files.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <string>
#include <vector>

namespace vmdns::sources {
namespace {

namespace fs = std::filesystem;
using Strings = std::vector<std::string>;

// What the sink holds: per origin, its VMIs as "name=ip".
class RecordingSink : public ObjectSink {
 public:
  void replace_origin(const std::string& origin, cluster::State objects) override {
    Strings vmis;
    for (const auto& [key, vmi] : objects.vmis) {
      vmis.push_back(key.name + "=" + vmi.addresses().at(0).to_string());
    }
    origins[origin] = vmis;
    ++deliveries;
  }
  void upsert(const std::string&, Object) override {}
  void remove(const std::string&, ObjectRef) override {}
  void retain(const std::string&, ObjectKind, std::set<cluster::ObjectKey>) override {}
  void forget_origin(const std::string& origin) override { origins.erase(origin); }
  void set_sync(const std::string&, SyncState) override {}

  std::map<std::string, Strings> origins;
  int deliveries = 0;
};

std::string vmi(const std::string& name, const std::string& ip) {
  return "apiVersion: kubevirt.io/v1\nkind: VirtualMachineInstance\nmetadata: {name: " + name +
         "}\nstatus:\n  interfaces: [{ipAddress: " + ip + "}]\n---\n";
}
const std::string kBrokenYaml = "kind: [VirtualMachineInstance\n";
const std::string kBadHostname =
    "apiVersion: kubevirt.io/v1\nkind: VirtualMachineInstance\nmetadata: {name: bad}\n"
    "spec: {hostname: my_vm}\n---\n";

// A directory of manifests ("d", with -f d) and a single file ("f.yaml", with -f f.yaml).
class ChangingManifestFiles : public testing::Test {
 public:
  void SetUp() override {
    char pattern[] = "/tmp/vmdns-files-XXXXXX";
    root_ = mkdtemp(pattern);
    fs::create_directories(root_ / "d");
  }
  void TearDown() override { fs::remove_all(root_); }

  std::string at(const std::string& relative) const { return (root_ / relative).string(); }
  void write(const std::string& relative, const std::string& text) {
    fs::create_directories(fs::path(at(relative)).parent_path());
    std::ofstream(at(relative), std::ios::trunc) << text;
  }
  // As editors save: a temporary file renamed over the old one.
  void write_by_rename(const std::string& relative, const std::string& text) {
    write(relative + ".tmp~", text);
    fs::rename(at(relative + ".tmp~"), at(relative));
  }
  // As the kubelet updates a ConfigMap volume mounted at "d": the files go into a new
  // "..<version>" directory, "..data" is switched to it by a rename, the old one is removed, and
  // each key is a symbolic link at the top through "..data".
  void update_config_map(const std::string& version, const std::string& key,
                         const std::string& text) {
    fs::path volume = root_ / "d";
    std::vector<fs::path> old_versions;
    for (const auto& entry : fs::directory_iterator(volume)) {
      std::string name = entry.path().filename().string();
      if (name.starts_with("..") && name != "..data" && !entry.is_symlink()) {
        old_versions.push_back(entry.path());
      }
    }
    write("d/.." + version + "/" + key, text);
    fs::create_directory_symlink(".." + version, volume / "..data_tmp");
    fs::rename(volume / "..data_tmp", volume / "..data");
    if (!fs::exists(fs::symlink_status(volume / key))) {
      fs::create_symlink("..data/" + key, volume / key);
    }
    for (const fs::path& old : old_versions) {
      fs::remove_all(old);
    }
  }

 protected:
  fs::path root_;
};

// Each step changes the files, then rescans (every change alters the size, as the modification
// time may not move within the kernel's clock tick; the watcher marks what inotify names);
// `expected` is what the sink then holds, by origin relative to the root.
struct Step {
  std::string what;
  std::function<void(ChangingManifestFiles&)> change;
  std::map<std::string, Strings> expected;
};

struct FilesCase {
  std::string name;
  std::vector<Step> steps;
};

#define CHANGE(body) [](ChangingManifestFiles& t) { body; }

const FilesCase kCases[] = {
    {"files are added, modified and removed",
     {{"start", CHANGE(t.write("d/a.yaml", vmi("a", "10.0.0.1"))), {{"d/a.yaml", {"a=10.0.0.1"}}}},
      {"add",
       CHANGE(t.write("d/b.yaml", vmi("b", "10.0.0.2"))),
       {{"d/a.yaml", {"a=10.0.0.1"}}, {"d/b.yaml", {"b=10.0.0.2"}}}},
      {"modify (a VMI migrates)",
       CHANGE(t.write("d/a.yaml", vmi("a", "10.0.0.99"))),
       {{"d/a.yaml", {"a=10.0.0.99"}}, {"d/b.yaml", {"b=10.0.0.2"}}}},
      {"remove", CHANGE(fs::remove(t.at("d/a.yaml"))), {{"d/b.yaml", {"b=10.0.0.2"}}}}}},
    {"a file renamed over another replaces it",
     {{"start", CHANGE(t.write("d/a.yaml", vmi("a", "10.0.0.1"))), {{"d/a.yaml", {"a=10.0.0.1"}}}},
      {"rename over",
       CHANGE(t.write_by_rename("d/a.yaml", vmi("a", "10.0.0.2"))),
       {{"d/a.yaml", {"a=10.0.0.2"}}}},
      {"rename away", CHANGE(fs::rename(t.at("d/a.yaml"), t.at("d/a.yaml.old"))), {}}}},
    {"a broken file keeps its last good objects until it is fixed",
     {{"start", CHANGE(t.write("d/a.yaml", vmi("a", "10.0.0.1"))), {{"d/a.yaml", {"a=10.0.0.1"}}}},
      {"invalid YAML", CHANGE(t.write("d/a.yaml", kBrokenYaml)), {{"d/a.yaml", {"a=10.0.0.1"}}}},
      {"an object with an error",
       CHANGE(t.write("d/a.yaml", vmi("a", "10.0.0.5") + kBadHostname)),
       {{"d/a.yaml", {"a=10.0.0.1"}}}},
      {"fixed",
       CHANGE(t.write("d/a.yaml", vmi("a", "10.0.0.22"))),
       {{"d/a.yaml", {"a=10.0.0.22"}}}}}},
    {"a file cut short mid-write keeps its last good objects until it is whole",
     {{"start",
       CHANGE(t.write("d/a.yaml", vmi("a", "10.0.0.1") + vmi("b", "10.0.0.2"))),
       {{"d/a.yaml", {"a=10.0.0.1", "b=10.0.0.2"}}}},
      // Valid YAML: the second object's kind is cut to "Virtual", a kind vmdns skips.
      {"cut in the second object",
       CHANGE(t.write("d/a.yaml", vmi("a", "10.0.0.5") + vmi("b", "10.0.0.6").substr(0, 40))),
       {{"d/a.yaml", {"a=10.0.0.1", "b=10.0.0.2"}}}},
      {"emptied by the writer's truncation",
       CHANGE(t.write("d/a.yaml", "")),
       {{"d/a.yaml", {"a=10.0.0.1", "b=10.0.0.2"}}}},
      {"whole again",
       CHANGE(t.write("d/a.yaml", vmi("a", "10.0.0.5") + vmi("b", "10.0.0.66"))),
       {{"d/a.yaml", {"a=10.0.0.5", "b=10.0.0.66"}}}},
      {"removed to withdraw its objects", CHANGE(fs::remove(t.at("d/a.yaml"))), {}}}},
    {"a file that never ended in a line break is read as it is",
     {{"start",
       CHANGE(t.write("d/a.yaml", vmi("a", "10.0.0.1") + "# no line break")),
       {{"d/a.yaml", {"a=10.0.0.1"}}}},
      {"modified",
       CHANGE(t.write("d/a.yaml", vmi("a", "10.0.0.22") + "# no line break")),
       {{"d/a.yaml", {"a=10.0.0.22"}}}}}},
    {"a file read first with an error delivers what loaded",
     {{"start",
       CHANGE(t.write("d/a.yaml", vmi("a", "10.0.0.1") + kBadHostname)),
       {{"d/a.yaml", {"a=10.0.0.1"}}}}}},
    {"subdirectories come and go",
     {{"start",
       CHANGE(t.write("d/s/t/a.yaml", vmi("a", "10.0.0.1"))),
       {{"d/s/t/a.yaml", {"a=10.0.0.1"}}}},
      {"removed", CHANGE(fs::remove_all(t.at("d/s"))), {}},
      {"made again",
       CHANGE(t.write("d/s/b.yml", vmi("b", "10.0.0.2"))),
       {{"d/s/b.yml", {"b=10.0.0.2"}}}}}},
    {"the -f directory itself is removed and made again",
     {{"start", CHANGE(t.write("d/a.yaml", vmi("a", "10.0.0.1"))), {{"d/a.yaml", {"a=10.0.0.1"}}}},
      {"removed", CHANGE(fs::remove_all(t.at("d"))), {}},
      {"made again",
       CHANGE(t.write("d/a.yaml", vmi("a", "10.0.0.33"))),
       {{"d/a.yaml", {"a=10.0.0.33"}}}}}},
    {"a ConfigMap volume is read through its links, once, as the same file across updates",
     {{"mounted",
       CHANGE(t.update_config_map("v1", "vmi.yaml", vmi("a", "10.0.0.1"))),
       {{"d/vmi.yaml", {"a=10.0.0.1"}}}},
      {"updated",
       CHANGE(t.update_config_map("v2", "vmi.yaml", vmi("a", "10.0.0.22"))),
       {{"d/vmi.yaml", {"a=10.0.0.22"}}}}}},
    {"files of other names in a directory are not read",
     {{"start", CHANGE(t.write("d/notes.txt", vmi("a", "10.0.0.1"))), {}}}},
};

TEST_F(ChangingManifestFiles, Cases) {
  for (const FilesCase& c : kCases) {
    SCOPED_TRACE(c.name);
    fs::remove_all(root_ / "d");
    fs::create_directories(root_ / "d");
    RecordingSink sink;
    ManifestFiles files({at("d")}, sink);
    for (const Step& step : c.steps) {
      SCOPED_TRACE(step.what);
      step.change(*this);
      files.rescan();
      std::map<std::string, Strings> held;
      for (const auto& [origin, vmis] : sink.origins) {
        held[fs::path(origin).lexically_relative(root_).string()] = vmis;
      }
      EXPECT_EQ(held, step.expected);
    }
  }
}

TEST_F(ChangingManifestFiles, ReadsOnlyTheFilesThatChanged) {
  write("d/a.yaml", vmi("a", "10.0.0.1"));
  write("d/b.yaml", vmi("b", "10.0.0.2"));
  RecordingSink sink;
  ManifestFiles files({at("d")}, sink);
  EXPECT_EQ(files.rescan().read, 2u);
  EXPECT_EQ(files.rescan().read, 0u);
  write("d/b.yaml", vmi("b", "10.0.0.33"));  // another size: the same stamp is possible
  RescanSummary summary = files.rescan();
  EXPECT_EQ(summary.read, 1u);
  EXPECT_EQ(summary.files, 2u);
  EXPECT_EQ(files.rescan(Rescan::All).read, 2u);
}

TEST_F(ChangingManifestFiles, AFileSavedUnchangedIsNotDeliveredAgainUnlessAllAreReloaded) {
  write("d/a.yaml", vmi("a", "10.0.0.1"));
  RecordingSink sink;
  ManifestFiles files({at("d")}, sink);
  files.rescan();
  EXPECT_EQ(sink.deliveries, 1);
  write_by_rename("d/a.yaml", vmi("a", "10.0.0.1"));  // a new inode, the same text
  RescanSummary summary = files.rescan();
  EXPECT_EQ(summary.read, 1u);
  EXPECT_EQ(summary.unchanged, 1u);
  EXPECT_EQ(sink.deliveries, 1);
  files.rescan(Rescan::All);  // SIGHUP
  EXPECT_EQ(sink.deliveries, 2);
}

TEST_F(ChangingManifestFiles, AFileBrokenThenRestoredIsDeliveredAgain) {
  write("d/a.yaml", vmi("a", "10.0.0.1"));
  RecordingSink sink;
  ManifestFiles files({at("d")}, sink);
  files.rescan();
  write("d/a.yaml", kBrokenYaml);
  EXPECT_EQ(files.rescan().kept, 1u);
  write("d/a.yaml", vmi("a", "10.0.0.1"));
  EXPECT_EQ(files.rescan().delivered, 1u);
  EXPECT_EQ(sink.origins[at("d/a.yaml")], Strings{"a=10.0.0.1"});
}

TEST_F(ChangingManifestFiles, AMarkedFileIsReadEvenWithTheSameStamp) {
  write("d/a.yaml", vmi("a", "10.0.0.1"));
  RecordingSink sink;
  ManifestFiles files({at("d")}, sink);
  files.rescan();
  files.mark_changed(at("d/a.yaml"));
  EXPECT_EQ(files.rescan().read, 1u);
}

TEST_F(ChangingManifestFiles, AFileGivenByNameMayAppearLater) {
  RecordingSink sink;
  ManifestFiles files({at("f.yaml")}, sink);
  files.rescan();
  EXPECT_TRUE(sink.origins.empty());
  write("f.yaml", vmi("f", "10.0.0.1"));
  files.rescan();
  EXPECT_EQ(sink.origins[at("f.yaml")], Strings{"f=10.0.0.1"});
}

TEST_F(ChangingManifestFiles, WatchesDirectoriesAndTheParentsOfPaths) {
  write("d/s/a.yaml", "");
  write("d/..2026_01_01/a.yaml", "");  // a ConfigMap volume's own: seen through "..data"

  RecordingSink sink;
  ManifestFiles files({at("d"), at("f.yaml")}, sink);
  auto watches = files.watch_list();
  EXPECT_EQ(watches[root_.string()], (std::set<std::string>{"d", "f.yaml"}));
  EXPECT_TRUE(watches.at(at("d")).empty());
  EXPECT_TRUE(watches.at(at("d/s")).empty());
  EXPECT_EQ(watches.size(), 3u);
}

}  // namespace
}  // namespace vmdns::sources
