// --config: a YAML file of serve's settings. Each case is a file's text and what it reads as, or
// the error that names its line and key; flags on the command line win over the file; a reload
// sees which settings changed and which of them need a restart.

#include "settings/config_file.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <fstream>

#include "settings/options.h"
#include "settings/serve_config.h"
#include "settings/serve_options.h"

namespace vmdns::settings {
namespace {

class ConfigFileTest : public ::testing::Test {
 protected:
  ConfigFileTest() { add_serve_options(command_, options_); }

  // Parses `arguments` (the command line, without "serve") into command_.
  void given(std::vector<std::string> arguments) {
    std::reverse(arguments.begin(), arguments.end());
    command_.parse(arguments);
  }

  ServeOptions options_;
  CLI::App command_{"vmdns serve"};
};

TEST_F(ConfigFileTest, ReadsSettings) {
  struct Case {
    const char* name;
    const char* text;
    ConfigSettings expected;
  };
  const std::vector<Case> cases = {
      {"empty file", "", {}},
      {"comment only", "# nothing yet\n", {}},
      {"scalar", "ttl: 30\n", {{"--ttl", {{"30"}, 1}}}},
      {"list repeats the flag",
       "zone: [cluster.local, example.org]\n",
       {{"--zone", {{"cluster.local", "example.org"}, 1}}}},
      {"block list",
       "reverse-zone:\n  - 10.96.0.0/12\n",
       {{"--reverse-zone", {{"10.96.0.0/12"}, 1}}}},
      {"switch on", "log-queries: true\n", {{"--log-queries", {{}, 1}}}},
      {"switch off", "log-queries: false\n", {}},
      {"empty value keeps the default", "zone:\n", {}},
      {"filename",
       "filename: [examples]\nttl: 7\n",
       {{"--filename", {{"examples"}, 1}}, {"--ttl", {{"7"}, 2}}}},
      {"listener", "metrics-listen: none\n", {{"--metrics-listen", {{"none"}, 1}}}},
      {"vm zone with the pod network",
       "vm-zone: vm\nvm-zone-pod-network: true\n",
       {{"--vm-zone", {{"vm"}, 1}}, {"--vm-zone-pod-network", {{}, 2}}}},
  };
  for (const Case& c : cases) {
    std::string error;
    auto settings = parse_config_text(c.text, "vmdns.yaml", command_, &error);
    ASSERT_TRUE(settings) << c.name << ": " << error;
    EXPECT_EQ(*settings, c.expected) << c.name;
    for (const auto& [flag, setting] : c.expected) {
      EXPECT_EQ(settings->at(flag).line, setting.line) << c.name << " " << flag;
    }
  }
}

TEST_F(ConfigFileTest, NamesFileLineAndKeyOfErrors) {
  struct Case {
    const char* text;
    const char* error;
  };
  const std::vector<Case> cases = {
      {"ttl: 30\nbogus: 1\n", "vmdns.yaml: line 2: unknown setting \"bogus\""},
      {"ttl: 30\nttl: 40\n", "vmdns.yaml: line 2: \"ttl\" is set twice"},
      {"config: other.yaml\n", "vmdns.yaml: line 1: unknown setting \"config\""},
      {"--ttl: 3\n", "vmdns.yaml: line 1: unknown setting \"--ttl\""},
      {"f: x\n", "vmdns.yaml: line 1: unknown setting \"f\""},
      {"help: true\n", "vmdns.yaml: line 1: unknown setting \"help\""},
      {"ttl:\n  value: 3\n", "vmdns.yaml: line 2: \"ttl\": expected a value or a list"},
      {"zone: [[a]]\n", "vmdns.yaml: line 1: \"zone\": expected a list of plain values"},
      {"log-queries: maybe\n", "vmdns.yaml: line 1: \"log-queries\": expected true or false"},
      {"log-queries:\n", "vmdns.yaml: line 1: \"log-queries\": expected true or false"},
      {"ttl: [1, 2]\n", "vmdns.yaml: line 1: \"ttl\": takes one value, not a list"},
      {"- ttl\n", "vmdns.yaml: line 1: expected a mapping of settings"},
      {"ttl: 30\n  zone: x\n", "vmdns.yaml: line 2: "},
      {"[1, 2\n", "vmdns.yaml: line 2: "},
      {"? [a]\n: 1\n", "vmdns.yaml: line 1: a setting's name must be a plain word"},
  };
  for (const Case& c : cases) {
    std::string error;
    EXPECT_FALSE(parse_config_text(c.text, "vmdns.yaml", command_, &error)) << c.text;
    EXPECT_EQ(error.rfind(c.error, 0), 0u) << c.text << " -> " << error;
  }
}

TEST_F(ConfigFileTest, CommandLineWins) {
  given({"--ttl", "9", "--log-queries", "-f", "a.yaml", "-f", "b.yaml"});
  GivenArguments arguments = given_arguments(command_);
  EXPECT_EQ(arguments.flags, (std::set<std::string>{"--ttl", "--log-queries", "--filename"}));
  std::string error;
  auto settings = parse_config_text("ttl: 30\nnegative-ttl: 3\nfilename: [c.yaml]\n", "vmdns.yaml",
                                    command_, &error);
  ASSERT_TRUE(settings) << error;
  EXPECT_EQ(merged_arguments(*settings, arguments),
            (std::vector<std::string>{"--negative-ttl=3", "--filename=a.yaml", "--filename=b.yaml",
                                      "--ttl=9", "--log-queries"}));
}

TEST_F(ConfigFileTest, ChangedSettingsLeaveOutTheCommandLine) {
  given({"--ttl", "9"});
  GivenArguments arguments = given_arguments(command_);
  ConfigSettings before{{"--ttl", {{"30"}, 1}}, {"--zone", {{"a"}, 2}}, {"--listen", {{"x"}, 3}}};
  ConfigSettings after{{"--ttl", {{"40"}, 1}}, {"--zone", {{"a"}, 5}}, {"--lameduck", {{"5s"}, 2}}};
  EXPECT_EQ(changed_settings(before, after, arguments),
            (std::set<std::string>{"--listen", "--lameduck"}));
}

TEST(ReloadableSettingTest, ListenersThreadsAndSourcesNeedARestart) {
  struct Case {
    const char* flag;
    bool files_only;
    bool with_api;
  };
  const std::vector<Case> cases = {
      {"--ttl", true, true},          {"--zone", true, true},
      {"--reverse-zone", true, true}, {"--log-queries", true, true},
      {"--lameduck", true, true},     {"--namespaces", true, false},
      {"--pods", true, false},        {"--listen", false, false},
      {"--threads", false, false},    {"--metrics-listen", false, false},
      {"--upstream", false, false},   {"--filename", false, false},
      {"--kubeconfig", false, false}, {"--autopath", false, false},
      {"--vm-zone", true, true},      {"--vm-zone-pod-network", true, true},
  };
  for (const Case& c : cases) {
    EXPECT_EQ(reloadable_setting(c.flag, false), c.files_only) << c.flag;
    EXPECT_EQ(reloadable_setting(c.flag, true), c.with_api) << c.flag;
  }
}

class ServeConfigTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char pattern[] = "/tmp/vmdns-config-XXXXXX";
    ASSERT_NE(mkdtemp(pattern), nullptr);
    dir_ = pattern;
    path_ = dir_ + "/vmdns.yaml";
  }
  void TearDown() override {
    ::unlink(path_.c_str());
    ::rmdir(dir_.c_str());
  }
  void write(const std::string& text) { std::ofstream(path_) << text; }

  std::string dir_;
  std::string path_;
};

TEST_F(ServeConfigTest, ValuesTheFlagsRefuseNameTheirLine) {
  write("zone: [cluster.local]\nttl: ten\n");
  std::string error;
  EXPECT_FALSE(load_serve_config(path_, {}, &error));
  EXPECT_EQ(error.rfind(path_ + ": line 2: ttl: ", 0), 0u) << error;
}

TEST_F(ServeConfigTest, MergesUnderTheCommandLine) {
  write("ttl: 30\nlameduck: 5s\nlog-queries: true\n");
  GivenArguments given{{"--ttl=9"}, {"--ttl"}};
  std::string error;
  auto loaded = load_serve_config(path_, given, &error);
  ASSERT_TRUE(loaded) << error;
  EXPECT_EQ(loaded->options.zones.ttl, 9u);
  EXPECT_EQ(loaded->options.ops.lameduck, "5s");
  EXPECT_TRUE(loaded->options.ops.log_queries);
}

TEST_F(ServeConfigTest, VmZonePodNetworkNeedsAVmZone) {
  struct Case {
    const char* text;
    bool pod_network;  // in the zone configuration; false with `error`
    const char* error;
  };
  const std::vector<Case> cases = {
      {"vm-zone: vm\n", false, ""},
      {"vm-zone: vm\nvm-zone-pod-network: true\n", true, ""},
      {"vm-zone: vm\nvm-zone-pod-network: false\n", false, ""},
      {"vm-zone-pod-network: true\n", false, "--vm-zone-pod-network names VMs in the --vm-zone"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.text);
    write(c.text);
    std::string error;
    auto loaded = load_serve_config(path_, {}, &error);
    ASSERT_TRUE(loaded) << error;
    auto config = make_zone_config(loaded->options.zones, "127.0.0.1", &error);
    if (*c.error != 0) {
      EXPECT_FALSE(config);
      EXPECT_EQ(error.rfind(c.error, 0), 0u) << error;
      continue;
    }
    ASSERT_TRUE(config) << error;
    EXPECT_EQ(config->vm_zone_pod_network, c.pod_network);
  }
}

TEST_F(ServeConfigTest, ReloadAppliesWhatItCanAndKeepsTheOldOnErrors) {
  write("ttl: 30\nlisten: 127.0.0.1:5353\n");
  std::string error;
  auto loaded = load_serve_config(path_, {}, &error);
  ASSERT_TRUE(loaded) << error;
  std::vector<std::set<std::string>> applied;
  uint32_t ttl = 0;
  ConfigReloader reloader(
      path_, {}, *loaded, false,
      [&](const ServeOptions& next, const std::set<std::string>& changed, std::string*) {
        applied.push_back(changed);
        ttl = next.zones.ttl;
        return true;
      });
  EXPECT_TRUE(reloader.reload());  // unchanged
  EXPECT_TRUE(applied.empty());
  write("ttl: 40\nlisten: 127.0.0.1:5354\n");
  EXPECT_TRUE(reloader.reload());
  ASSERT_EQ(applied.size(), 1u);
  EXPECT_EQ(applied[0], std::set<std::string>{"--ttl"});  // listen: needs a restart
  EXPECT_EQ(ttl, 40u);
  write("ttl: 50\nbogus: 1\n");
  EXPECT_FALSE(reloader.reload());
  EXPECT_EQ(applied.size(), 1u);
  write("ttl: 40\nlisten: 127.0.0.1:5354\n");  // as last applied: nothing to do
  EXPECT_TRUE(reloader.reload());
  EXPECT_EQ(applied.size(), 1u);
}

}  // namespace
}  // namespace vmdns::settings
