// --corefile: a Corefile read as serve's flags. Each case is a Corefile and the settings it reads
// as, or the error naming its file, line and plugin; the command line replaces the Corefile's
// source and upstreams; a value the flags refuse names the Corefile's line.

#include "settings/corefile_settings.h"

#include <gtest/gtest.h>

#include "settings/serve_config.h"
#include "settings/serve_options.h"

namespace vmdns::settings {
namespace {

using Files = std::vector<std::pair<std::string, std::string>>;

// "--flag=a,b --switch ..." in flag order.
std::string render(const ConfigSettings& settings) {
  std::string out;
  for (const auto& [flag, setting] : settings) {
    out += (out.empty() ? "" : " ") + flag;
    for (size_t i = 0; i < setting.values.size(); ++i) {
      out += (i ? "," : "=") + setting.values[i];
    }
  }
  return out;
}

// The settings every case below shares, left out of the expectations.
std::string strip_common(std::string text) {
  for (const char* part : {" --cache-size=0", " --fallthrough=none", " --health-listen=none",
                           " --in-cluster", " --listen=0.0.0.0:53", " --metrics-listen=none",
                           " --no-upstream", " --ready-listen=none", " --reverse-zone=none"}) {
    std::string needle = part;
    if (size_t at = (" " + text).find(needle); at != std::string::npos) {
      text = (" " + text).erase(at, needle.size()).substr(1);
    }
  }
  return text;
}

std::optional<CorefileSettings> read(const std::string& text, std::string* error, Files extra = {},
                                     const GivenArguments& given = {}) {
  Files files = {{"/etc/coredns/Corefile", text}};
  files.insert(files.end(), extra.begin(), extra.end());
  return read_corefile_settings("/etc/coredns/Corefile", corefile::memory_file_access(files), given,
                                error);
}

TEST(CorefileSettingsTest, CommonSettings) {
  std::string error;
  auto out = read(".:53 {\n kubernetes cluster.local\n}\n", &error);
  ASSERT_TRUE(out) << error;
  // Without `fallthrough` and reverse zones, CoreDNS serves cluster.local alone: vmdns's own
  // defaults (in-addr.arpa and ip6.arpa, falling through) are turned off.
  EXPECT_EQ(" " + render(out->settings),
            " --cache-size=0 --fallthrough=none --health-listen=none --in-cluster "
            "--listen=0.0.0.0:53 --metrics-listen=none --no-upstream --ready-listen=none "
            "--reverse-zone=none --zone=cluster.local");
  EXPECT_FALSE(out->reload);
}

TEST(CorefileSettingsTest, Fallthrough) {
  const std::vector<std::pair<const char*, const char*>> cases = {
      // kubeadm's: the reverse zones fall through, as vmdns's defaults do.
      {".:53 {\n kubernetes cluster.local in-addr.arpa ip6.arpa {\n"
       "  fallthrough in-addr.arpa ip6.arpa\n }\n}",
       " --fallthrough=in-addr.arpa,ip6.arpa --reverse-zone=in-addr.arpa,ip6.arpa"},
      // A bare fallthrough is every zone of the plugin; no reverse zone is named, so none is
      // served (not vmdns's default in-addr.arpa and ip6.arpa).
      {".:53 {\n kubernetes cluster.local {\n  fallthrough\n }\n}",
       " --fallthrough=cluster.local --reverse-zone=none"},
      // No fallthrough: none.
      {".:53 {\n kubernetes cluster.local 10.96.0.0/12\n}",
       " --fallthrough=none --reverse-zone=10.96.0.0/12"},
  };
  for (const auto& [text, settings] : cases) {
    std::string error;
    auto out = read(text, &error);
    ASSERT_TRUE(out) << error;
    // The two flags as rendered (in flag order), each whole.
    std::string rendered = " " + render(out->settings) + " ";
    std::string got;
    for (const char* flag : {" --fallthrough=", " --reverse-zone="}) {
      size_t at = rendered.find(flag);
      ASSERT_NE(at, std::string::npos) << text;
      got += rendered.substr(at, rendered.find(' ', at + 1) - at);
    }
    EXPECT_EQ(got, settings) << text;
  }
}

TEST(CorefileSettingsTest, Plugins) {
  struct Case {
    const char* name;
    const char* text;
    const char* settings;  // without those strip_common() removes
  };
  const std::vector<Case> cases = {
      {"kubernetes options",
       ".:53 {\n kubernetes Cluster.Local. example.org 10.96.0.0/12 in-addr.arpa {\n"
       "  pods verified\n  endpoint_pod_names\n  ttl 30\n  namespaces a b\n  labels app=x, "
       "tier in (a)\n  ignore empty_service\n }\n}",
       "--endpoint-pod-names --ignore-empty-service --labels=app=x, tier in (a) "
       "--namespaces=a,b --pods=verified --reverse-zone=10.96.0.0/12,in-addr.arpa --ttl=30 "
       "--zone=cluster.local,example.org"},
      {"kubernetes zones from the block", "cluster.local:53 {\n kubernetes\n}",
       "--zone=cluster.local"},
      {"duplicate zones once (RKE2)",
       ".:53 {\n kubernetes   cluster.local  cluster.local in-addr.arpa ip6.arpa\n}",
       "--reverse-zone=in-addr.arpa,ip6.arpa --zone=cluster.local"},
      {"kubeconfig replaces in-cluster",
       ".:53 {\n kubernetes cluster.local {\n  kubeconfig /k.conf prod\n }\n}",
       "--context=prod --kubeconfig=/k.conf --zone=cluster.local"},
      {"forward with options",
       ".:53 {\n kubernetes cluster.local\n forward . 10.0.0.1 dns://10.0.0.2:5353 [fd00::1]:53 {"
       "\n  max_concurrent 1000\n  policy sequential\n }\n}",
       "--max-forwards=1000 --upstream=10.0.0.1,10.0.0.2:5353,[fd00::1]:53 "
       "--zone=cluster.local"},
      {"forward . /etc/resolv.conf: the default",
       ".:53 {\n kubernetes cluster.local\n forward . /etc/resolv.conf\n}", "--zone=cluster.local"},
      {"forward to another resolv.conf",
       ".:53 {\n kubernetes cluster.local\n forward . /etc/upstream.conf\n}",
       "--upstream=192.0.2.1,[2001:db8::1] --zone=cluster.local"},
      {"ops plugins",
       ".:53 {\n health {\n  lameduck 5s\n }\n ready\n prometheus :9153\n log\n errors\n loop\n "
       "reload 30s\n autopath @kubernetes\n kubernetes cluster.local\n}",
       "--autopath --health-listen=:8080 --lameduck=5s --log-queries "
       "--metrics-listen=:9153 --ready-listen=:8181 --zone=cluster.local"},
      {"ops plugins' own addresses",
       ".:53 {\n health 127.0.0.1:18080\n ready [::1]:18181\n prometheus\n kubernetes "
       "cluster.local\n}",
       "--health-listen=127.0.0.1:18080 --metrics-listen=127.0.0.1:9153 "
       "--ready-listen=[::1]:18181 --zone=cluster.local"},
      {"bind and port", ".:1053 {\n bind 10.0.0.10\n kubernetes cluster.local\n}",
       "--listen=10.0.0.10:1053 --zone=cluster.local"},
      {"bind IPv6", "dns://.:53 {\n bind fd00::10\n kubernetes cluster.local\n}",
       "--listen=[fd00::10]:53 --zone=cluster.local"},
      {"environment", ".:53 {\n kubernetes {$DOMAIN}\n}", "--zone=cluster.local"},
      {"block without braces", ".:53\nkubernetes cluster.local\n", "--zone=cluster.local"},
      {"cache TTL", ".:53 {\n kubernetes cluster.local\n cache 30\n}",
       "--cache-denial-max-ttl=30 --cache-denial-min-ttl=5 --cache-max-ttl=30 --cache-min-ttl=5 "
       "--zone=cluster.local"},
      {"cache defaults", ".:53 {\n kubernetes cluster.local\n cache\n}",
       "--cache-denial-max-ttl=1800 --cache-denial-min-ttl=5 --cache-max-ttl=3600 "
       "--cache-min-ttl=5 --zone=cluster.local"},
      {"cache below the minimum", ".:53 {\n kubernetes cluster.local\n cache 3\n}",
       "--cache-denial-max-ttl=3 --cache-denial-min-ttl=3 --cache-max-ttl=3 --cache-min-ttl=3 "
       "--zone=cluster.local"},
      {"cache success and denial",
       ".:53 {\n kubernetes cluster.local\n cache . {\n  success 5000 600 10\n  denial 1000\n "
       "}\n}",
       "--cache-denial-max-ttl=1800 --cache-denial-min-ttl=5 --cache-max-ttl=600 "
       "--cache-min-ttl=10 --cache-size=6000 --zone=cluster.local"},
      {"stub domains and except",
       ".:53 {\n kubernetes cluster.local\n forward . 10.0.0.1 {\n  except corp.example\n }\n "
       "cache 30\n}\nconsul.local:53 example.org {\n errors\n cache 30\n forward . 10.150.0.1 "
       "fd00::53\n}",
       "--cache-denial-max-ttl=30 --cache-denial-min-ttl=5 --cache-max-ttl=30 --cache-min-ttl=5 "
       "--forward-except=corp.example "
       "--stub-domain=consul.local=10.150.0.1,[fd00::53],example.org=10.150.0.1,[fd00::53] "
       "--upstream=10.0.0.1 --zone=cluster.local"},
      {"hosts as k3s's",
       ".:53 {\n kubernetes cluster.local\n hosts /etc/coredns/NodeHosts {\n  ttl 60\n  reload "
       "15s\n  fallthrough\n }\n}",
       "--hosts-file=/etc/coredns/NodeHosts --hosts-reload=15s --hosts-ttl=60 "
       "--zone=cluster.local"},
      {"inline hosts entries, and /etc/hosts as CoreDNS reads it",
       ".:53 {\n kubernetes cluster.local\n hosts {\n  198.18.40.20 registry.corp.internal "
       "registry\n  fd00::21 git\n  fallthrough\n }\n}",
       "--host=198.18.40.20 registry.corp.internal registry,fd00::21 git --hosts-file=/etc/hosts "
       "--zone=cluster.local"},
      {"a stub domain in the root block",
       ".:53 {\n kubernetes cluster.local\n forward corp.example 10.0.0.2:5353\n forward . "
       "10.0.0.1\n}",
       "--stub-domain=corp.example=10.0.0.2:5353 --upstream=10.0.0.1 --zone=cluster.local"},
  };
  for (const Case& c : cases) {
    Files files = {
        {"/etc/coredns/Corefile", c.text},
        {"/etc/upstream.conf", "search x\nnameserver 192.0.2.1\nnameserver 2001:db8::1\n"}};
    corefile::FileAccess access = corefile::memory_file_access(files, [](const std::string& n) {
      return n == "DOMAIN" ? std::optional<std::string>("cluster.local") : std::nullopt;
    });
    std::string error;
    auto out = read_corefile_settings("/etc/coredns/Corefile", access, {}, &error);
    ASSERT_TRUE(out) << c.name << ": " << error;
    EXPECT_EQ(strip_common(render(out->settings)), c.settings) << c.name;
  }
}

TEST(CorefileSettingsTest, RefusesWithFileAndLine) {
  struct Case {
    const char* name;
    const char* text;
    const char* error;
  };
  const std::vector<Case> cases = {
      {"unknown plugin", ".:53 {\n kubernetes cluster.local\n rewrite name a b\n}",
       "/etc/coredns/Corefile:3: plugin \"rewrite\" is not supported by vmdns"},
      {"unknown kubernetes option", ".:53 {\n kubernetes cluster.local {\n  noendpoints\n }\n}",
       "/etc/coredns/Corefile:3: kubernetes: \"noendpoints\" is not supported by vmdns"},
      {"unknown forward option",
       ".:53 {\n kubernetes cluster.local\n forward . 1.2.3.4 {\n  force_tcp\n }\n}",
       "/etc/coredns/Corefile:4: forward: \"force_tcp\" is not supported by vmdns"},
      {"random policy",
       ".:53 {\n kubernetes cluster.local\n forward . 1.2.3.4 {\n  policy random\n }\n}",
       "/etc/coredns/Corefile:4: forward policy: \"random\" is not supported by vmdns"},
      {"tls upstream", ".:53 {\n kubernetes cluster.local\n forward . tls://1.1.1.1\n}",
       "/etc/coredns/Corefile:3: forward: \"tls://1.1.1.1\" is not supported by vmdns"},
      {"log format", ".:53 {\n kubernetes cluster.local\n log . {combined}\n}",
       "/etc/coredns/Corefile:3: log: \"{combined}\" is not supported by vmdns"},
      {"two binds", ".:53 {\n kubernetes cluster.local\n bind 10.0.0.1 10.0.0.2\n}",
       "/etc/coredns/Corefile:3: bind: vmdns listens on one address (--listen), not several"},
      {"two ports", ".:53 {\n kubernetes cluster.local\n}\nexample.com:5353 {\n}",
       "/etc/coredns/Corefile:4: server block key \"example.com:5353\": vmdns serves one port, "
       "and /etc/coredns/Corefile:1 chose 53"},
      {"no kubernetes", ".:53 {\n forward . 1.2.3.4\n}",
       "/etc/coredns/Corefile:1: no kubernetes plugin: vmdns serves a cluster's names, and "
       "needs its zone (kubernetes cluster.local in-addr.arpa ip6.arpa)"},
      {"kubernetes at the root", ".:53 {\n kubernetes\n}",
       "/etc/coredns/Corefile:2: kubernetes: vmdns does not serve the cluster at the root zone: "
       "name the cluster domain (kubernetes cluster.local in-addr.arpa ip6.arpa)"},
      {"twice in a block", ".:53 {\n kubernetes cluster.local\n log\n log\n}",
       "/etc/coredns/Corefile:4: plugin \"log\" appears twice in this server block"},
      {"tls scheme", "tls://.:853 {\n kubernetes cluster.local\n}",
       "/etc/coredns/Corefile:1: server block key \"tls://.:853\": the tls:// scheme is not "
       "supported by vmdns (plain DNS: dns:// or no scheme)"},
      {"empty", "# nothing\n",
       "/etc/coredns/Corefile: no server block: expected .:53 { "
       "kubernetes ... }"},
      {"syntax", ".:53 {\n kubernetes cluster.local\n",
       "/etc/coredns/Corefile:1: the block of .:53 is not closed (a \"}\" is missing)"},
      {"missing import", ".:53 {\n import custom.conf\n}",
       "/etc/coredns/Corefile:2: import custom.conf: /etc/coredns/custom.conf: No such file or "
       "directory"},
      {"ignore what", ".:53 {\n kubernetes cluster.local {\n  ignore everything\n }\n}",
       "/etc/coredns/Corefile:3: kubernetes ignore: \"everything\" is not supported by vmdns"},
      {"two different caches",
       ".:53 {\n kubernetes cluster.local\n cache 30\n}\nexample.org {\n cache 60\n}",
       "/etc/coredns/Corefile:6: cache: vmdns has one cache for every forwarded name, so every "
       "block's cache must be the same as /etc/coredns/Corefile:3's"},
      {"cache option", ".:53 {\n kubernetes cluster.local\n cache {\n  prefetch 10\n }\n}",
       "/etc/coredns/Corefile:4: cache: \"prefetch\" is not supported by vmdns"},
      {"hosts without fallthrough",
       ".:53 {\n kubernetes cluster.local\n hosts {\n  192.0.2.1 a\n }\n}",
       "/etc/coredns/Corefile:3: hosts without fallthrough is not supported by vmdns (CoreDNS "
       "then answers SERVFAIL for every other name of its zones)"},
      {"hosts in a stub block",
       ".:53 {\n kubernetes cluster.local\n}\nlan:53 {\n hosts {\n  192.0.2.1 a.lan\n  "
       "fallthrough\n }\n}",
       "/etc/coredns/Corefile:5: hosts: vmdns has one set of hosts entries, for every zone; "
       "hosts in a block other than the root's (.) is not supported by vmdns"},
      {"hosts option",
       ".:53 {\n kubernetes cluster.local\n hosts {\n  no_reverse\n "
       " fallthrough\n }\n}",
       "/etc/coredns/Corefile:4: hosts: \"no_reverse\" is not supported by vmdns"},
      {"listener without a port", ".:53 {\n kubernetes cluster.local\n health 10.0.0.1\n}",
       "/etc/coredns/Corefile:3: health: \"10.0.0.1\" is not ADDR:PORT"},
  };
  for (const Case& c : cases) {
    std::string error;
    EXPECT_FALSE(read(c.text, &error)) << c.name;
    EXPECT_EQ(error, c.error) << c.name;
  }
}

TEST(CorefileSettingsTest, CommandLineSourceAndUpstreamsReplaceTheCorefiles) {
  const char* text =
      ".:53 {\n kubernetes cluster.local {\n  kubeconfig /k.conf\n }\n forward . 10.0.0.1\n}";
  std::string error;
  GivenArguments given{{"--filename=manifests", "--upstream=127.0.0.1:5300"},
                       {"--filename", "--upstream"}};
  auto out = read(text, &error, {}, given);
  ASSERT_TRUE(out) << error;
  for (const char* flag : {"--kubeconfig", "--in-cluster", "--upstream", "--no-upstream"}) {
    EXPECT_FALSE(out->settings.contains(flag)) << flag;
  }
}

TEST(CorefileSettingsTest, ValuesTheFlagsRefuseNameTheCorefileLine) {
  std::string path = ::testing::TempDir() + "/Corefile-refused";
  const char* text = ".:53 {\n kubernetes cluster.local {\n  ttl 5000\n }\n reload\n}";
  corefile::FileAccess files = corefile::memory_file_access({{path, text}});
  std::string error;
  auto loaded = load_serve_settings(path, corefile_reader(path, files, {}), {}, &error);
  EXPECT_FALSE(loaded);
  EXPECT_EQ(error.rfind(path + ":3: kubernetes ttl: --ttl: ", 0), 0u) << error;
}

TEST(CorefileSettingsTest, ServesAsFlags) {
  const char* text =
      ".:53 {\n kubernetes cluster.local in-addr.arpa {\n  pods insecure\n  ttl 30\n }\n"
      " health {\n  lameduck 5s\n }\n log\n reload\n}";
  corefile::FileAccess files = corefile::memory_file_access({{"/c/Corefile", text}});
  std::string error;
  GivenArguments given{{"--filename=examples", "--ttl=9"}, {"--filename", "--ttl"}};
  auto loaded = load_serve_settings("/c/Corefile", corefile_reader("/c/Corefile", files, given),
                                    given, &error);
  ASSERT_TRUE(loaded) << error;
  EXPECT_EQ(loaded->options.zones.ttl, 9u);  // the command line wins
  EXPECT_EQ(loaded->options.zones.pods, "insecure");
  EXPECT_EQ(loaded->options.ops.lameduck, "5s");
  EXPECT_TRUE(loaded->options.ops.log_queries);
  EXPECT_FALSE(loaded->options.in_cluster);  // -f given
  EXPECT_TRUE(loaded->options.no_upstream);
  EXPECT_EQ(loaded->options.listen, "0.0.0.0:53");
  EXPECT_EQ(loaded->options.sources.files, std::vector<std::string>{"examples"});
}

}  // namespace
}  // namespace vmdns::settings
