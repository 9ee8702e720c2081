// Documents, Lists, files, directories and the diagnostics they give.

#include "sources/manifest_loader.h"

#include <gtest/gtest.h>

#include "decode_case.h"

namespace vmdns::sources {
namespace {

using Strings = std::vector<std::string>;

const std::string kTestdata = VMDNS_TESTDATA;

const DecodeCase kDocumentCases[] = {
    {"documents are numbered from 1 and lines from 1",
     R"(# comment
apiVersion: v1
kind: Service
metadata: {name: a}
---
apiVersion: v1
kind: Service
metadata: {name: B}
)",
     {"t.yaml: document 2 (line 6): Service default/B: metadata.name \"B\" is not a DNS-1123 "
      "label"},
     [](const LoadResult& r) {
       EXPECT_EQ(r.objects, 1u);
       EXPECT_EQ(r.state.services.at({"default", "a"}).meta.origin.line, 2);
       EXPECT_EQ(r.state.services.at({"default", "a"}).meta.origin.document, 1);
       EXPECT_EQ(r.state.services.at({"default", "a"}).meta.origin.file, "t.yaml");
     }},
    {"empty documents are ignored",
     "---\n---\napiVersion: v1\nkind: Namespace\nmetadata: {name: "
     "n}\n---\n",
     {},
     [](const LoadResult& r) {
       EXPECT_EQ(r.objects, 1u);
       EXPECT_EQ(r.state.namespaces.at("n").meta.origin.document,
                 2);  // the first "---" opens document 1
     }},
    {"an empty file has no objects",
     "",
     {},
     [](const LoadResult& r) {
       EXPECT_EQ(r.objects, 0u);
       EXPECT_EQ(r.files, 1u);
     }},
    {"a document that is not a map",
     "- a\n- b\n",
     {"t.yaml: document 1 (line 1): not an object: expected a map with apiVersion, kind and "
      "metadata"},
     nullptr},
    {"kind is required",
     "apiVersion: v1\nmetadata: {name: x}\n",
     {"t.yaml: document 1 (line 1): kind is required"},
     nullptr},
    {"kind must be a string",
     "kind: [Service]\n",
     {"t.yaml: document 1 (line 1): kind must be a string, not a list"},
     nullptr},
    {"unknown kinds are skipped",
     "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\n",
     {},
     [](const LoadResult& r) {
       EXPECT_EQ(r.skipped, 1u);
       EXPECT_FALSE(r.has_errors());
     }},
    {"a malformed document next to a good one",
     R"(apiVersion: v1
kind: Service
metadata: {name: broken}
spec: {ports: [{port: eighty}]}
---
apiVersion: v1
kind: Service
metadata: {name: good}
)",
     {"t.yaml: document 1 (line 1): Service default/broken: spec.ports[0].port \"eighty\" is not "
      "an integer"},
     [](const LoadResult& r) {
       EXPECT_EQ(r.state.services.count({"default", "good"}), 1u);
       EXPECT_EQ(r.state.services.count({"default", "broken"}), 0u);
       EXPECT_EQ(r.objects, 1u);
     }},
    {"a duplicate: the later one wins, with a warning naming both",
     R"(apiVersion: v1
kind: Service
metadata: {name: web}
spec: {clusterIP: 10.96.0.1}
---
apiVersion: v1
kind: Service
metadata: {name: web, namespace: default}
spec: {clusterIP: 10.96.0.2}
)",
     {"t.yaml: document 2 (line 6): warning: Service default/web: is also defined at t.yaml: "
      "document 1 (line 1); the later definition wins"},
     [](const LoadResult& r) {
       ASSERT_EQ(r.state.services.size(), 1u);
       EXPECT_EQ(address_texts(r.state.services.begin()->second.cluster_ips),
                 (Strings{"10.96.0.2"}));
     }},
    {"same name in another namespace or kind is no duplicate",
     R"(apiVersion: v1
kind: Service
metadata: {name: web}
---
apiVersion: v1
kind: Service
metadata: {name: web, namespace: other}
---
apiVersion: v1
kind: Pod
metadata: {name: web}
)",
     {},
     [](const LoadResult& r) {
       EXPECT_EQ(r.state.services.size(), 2u);
       EXPECT_EQ(r.state.pods.size(), 1u);
     }},
    {"kind List: each item has its own line",
     R"(apiVersion: v1
kind: List
items:
- apiVersion: v1
  kind: Service
  metadata: {name: a}
- apiVersion: v1
  kind: Service
  metadata: {name: B}
)",
     {"t.yaml: document 1 (line 7): Service default/B: metadata.name \"B\" is not a DNS-1123 "
      "label"},
     [](const LoadResult& r) {
       EXPECT_EQ(r.state.services.at({"default", "a"}).meta.origin.line, 4);
       EXPECT_EQ(r.state.services.at({"default", "a"}).meta.origin.document, 1);
     }},
    {"a typed List (ServiceList)",
     R"(apiVersion: v1
kind: ServiceList
items:
- {apiVersion: v1, kind: Service, metadata: {name: a}}
- {apiVersion: v1, kind: Service, metadata: {name: b}}
)",
     {},
     [](const LoadResult& r) { EXPECT_EQ(r.state.services.size(), 2u); }},
    {"List items must be a list",
     "apiVersion: v1\nkind: List\nitems: {a: b}\n",
     {"t.yaml: document 1 (line 1): List: items must be a list"},
     nullptr},
    {"List items that are not maps",
     "apiVersion: v1\nkind: List\nitems: [x]\n",
     {"t.yaml: document 1 (line 3): not an object: expected a map with apiVersion, kind and "
      "metadata"},
     nullptr},
    {"a self-referencing List ends",
     "&l {kind: List, items: [*l]}\n",
     {},
     [](const LoadResult& r) { EXPECT_EQ(r.skipped, 1u); }},
    {"JSON text",
     R"({"apiVersion":"v1","kind":"Service","metadata":{"name":"j"},"spec":{"clusterIP":"None","ports":[{"port":53,"protocol":"UDP"}]}})",
     {},
     [](const LoadResult& r) {
       const cluster::Service& s = r.state.services.at({"default", "j"});
       EXPECT_TRUE(s.headless);
       EXPECT_EQ(s.ports.at(0).protocol, "UDP");
     }},
    {"a YAML syntax error names the line",
     "apiVersion: v1\nkind: Service\nmetadata: {name: "
     "a\nspec: {}\n",
     {"t.yaml (line 4): invalid YAML: did not find expected ',' or '}' while parsing a flow "
      "mapping"},
     nullptr},
    // These once hung the parser (yaml-cpp 0.7.0's LoadAll, jbeder/yaml-cpp#1040).
    {"a stray comma is invalid YAML, not a hang",
     ",\n",
     {"t.yaml (line 1): invalid YAML: did not find expected node content while parsing a "
      "block node"},
     nullptr},
    {"a stray comma after a document",
     "apiVersion: v1\nkind: Namespace\nmetadata: {name: "
     "n}\n, x\n",
     {"t.yaml (line 4): invalid YAML: did not find expected key while parsing a block mapping"},
     nullptr},
    {"the fuzzer's hang",
     "# What `kubectl get vmi{\n\t\"apiVerinos\",s:vc  \"k\",-\n",
     {"t.yaml (line 2): invalid YAML: found character that cannot start any token while "
      "scanning for the next token"},
     nullptr},
    {"control characters are escaped in messages",
     "apiVersion: v1\nkind: Service\nmetadata: "
     "{name: \"a\\tb\\\"c\"}\n",
     {"t.yaml: document 1 (line 1): Service default/a\tb\"c: metadata.name \"a\\x09b\\\"c\" is "
      "not a DNS-1123 label"},
     nullptr},
};

class DocumentTest : public testing::TestWithParam<DecodeCase> {};

TEST_P(DocumentTest, Loads) {
  run_decode_case(GetParam());
}

INSTANTIATE_TEST_SUITE_P(Table, DocumentTest, testing::ValuesIn(kDocumentCases));

TEST(ManifestFilesTest, KubevirtPageExample) {
  LoadResult r = load_manifests({kTestdata + "/kubevirt-dns-page.yaml"});
  EXPECT_EQ(diagnostic_texts(r), Strings{});
  EXPECT_EQ(r.files, 1u);
  EXPECT_EQ(r.objects, 2u);
  ASSERT_EQ(r.state.vmis.count({"default", "vmi-fedora"}), 1u);
  const cluster::VirtualMachineInstance& vmi = r.state.vmis.at({"default", "vmi-fedora"});
  EXPECT_EQ(vmi.hostname, "myvmi");
  EXPECT_EQ(vmi.subdomain, "mysubdomain");
  EXPECT_EQ(vmi.meta.labels, (cluster::Labels{{"expose", "me"}}));
  EXPECT_EQ(address_texts(vmi.addresses()), (Strings{"10.244.0.57"}));
  EXPECT_EQ(vmi.phase, "Running");
  EXPECT_TRUE(vmi.ready);  // no conditions: phase Running counts
  EXPECT_EQ(vmi.meta.origin.line, 4);
  ASSERT_EQ(r.state.services.count({"default", "mysubdomain"}), 1u);
  const cluster::Service& service = r.state.services.at({"default", "mysubdomain"});
  EXPECT_TRUE(service.headless);
  EXPECT_EQ(service.selector, (cluster::Labels{{"expose", "me"}}));
  ASSERT_EQ(service.ports.size(), 1u);
  EXPECT_EQ(service.ports[0].name, "foo");
  EXPECT_EQ(service.ports[0].port, 1234);
  EXPECT_EQ(service.meta.origin.document, 2);
}

TEST(ManifestFilesTest, JsonFile) {
  LoadResult r = load_manifests({kTestdata + "/vmi.json"});
  EXPECT_EQ(diagnostic_texts(r), Strings{});
  const cluster::VirtualMachineInstance& vmi = r.state.vmis.at({"vms", "vmi-json"});
  EXPECT_EQ(vmi.subdomain, "headless");
  EXPECT_TRUE(vmi.ready);
  EXPECT_EQ(address_texts(vmi.addresses()), (Strings{"10.244.1.9", "fd10:244::9"}));
}

TEST(ManifestFilesTest, ListFile) {
  std::string file = kTestdata + "/list.yaml";
  LoadResult r = load_manifests({file});
  EXPECT_EQ(diagnostic_texts(r),
            Strings{file + ": document 1 (line 14): Service default/Bad_Name: metadata.name "
                           "\"Bad_Name\" is not a DNS-1123 label"});
  EXPECT_EQ(r.objects, 3u);  // vmi-a, vm-a, nested
  EXPECT_EQ(r.skipped, 0u);
  EXPECT_EQ(r.state.vms.count({"default", "vm-a"}), 1u);
  EXPECT_EQ(r.state.vmis.at({"default", "vmi-a"}).meta.origin.line, 7);
  EXPECT_EQ(r.state.services.count({"default", "nested"}), 1u);
}

TEST(ManifestFilesTest, HeaderExampleDiagnostic) {
  std::string file = kTestdata + "/bad.yaml";
  LoadResult r = load_manifests({file});
  EXPECT_EQ(diagnostic_texts(r),
            Strings{file + ": document 2 (line 14): VirtualMachineInstance default/x: "
                           "spec.hostname \"my_vm\" is not a DNS-1123 label"});
  EXPECT_EQ(r.state.services.count({"default", "web"}), 1u);
  EXPECT_TRUE(r.state.vmis.empty());
  EXPECT_TRUE(r.has_errors());
}

TEST(ManifestFilesTest, MalformedDocumentsNextToAGoodOne) {
  std::string file = kTestdata + "/malformed.yaml";
  LoadResult r = load_manifests({file});
  EXPECT_EQ(diagnostic_texts(r),
            (Strings{file + ": document 1 (line 2): Service default/broken: spec.ports[0].port "
                            "must be an integer, not a list",
                     file + ": document 2 (line 10): not an object: expected a map with "
                            "apiVersion, kind and metadata"}));
  EXPECT_EQ(r.state.services.count({"default", "good"}), 1u);
  EXPECT_EQ(r.objects, 1u);
}

TEST(ManifestFilesTest, SyntaxErrorDoesNotStopOtherFiles) {
  std::string bad = kTestdata + "/syntax-error.yaml";
  LoadResult r = load_manifests({bad, kTestdata + "/vmi.json"});
  EXPECT_EQ(diagnostic_texts(r),
            Strings{bad + " (line 5): invalid YAML: did not find expected ',' or ']' while "
                  "parsing a flow sequence"});
  EXPECT_EQ(r.files, 2u);
  EXPECT_EQ(r.state.vmis.size(), 1u);
}

TEST(ManifestFilesTest, MissingPath) {
  std::string missing = kTestdata + "/does-not-exist.yaml";
  LoadResult r = load_manifests({missing, kTestdata + "/vmi.json"});
  EXPECT_EQ(diagnostic_texts(r), Strings{missing + ": cannot read: No such file or directory"});
  EXPECT_EQ(r.files, 1u);
  EXPECT_TRUE(r.has_errors());
  EXPECT_EQ(r.state.vmis.size(), 1u);
}

TEST(ManifestFilesTest, DirectoryIsReadRecursivelyInSortedOrder) {
  std::string dir = kTestdata + "/dir";
  LoadResult r = load_manifests({dir});
  // a.yaml, b.yml, sub/c.json; notes.txt is not a manifest. c.json comes last and wins.
  EXPECT_EQ(r.files, 3u);
  EXPECT_EQ(diagnostic_texts(r),
            Strings{dir +
                    "/sub/c.json: document 1 (line 1): warning: Service default/dup: is "
                    "also defined at " +
                    dir + "/a.yaml: document 1 (line 1); the later definition wins"});
  EXPECT_EQ(address_texts(r.state.services.at({"default", "dup"}).cluster_ips),
            Strings{"10.96.0.2"});
  EXPECT_EQ(r.state.namespaces.count("b"), 1u);
}

TEST(ManifestFilesTest, AnExplicitFileIsReadWhateverItsName) {
  LoadResult r = load_manifests({kTestdata + "/dir/notes.txt"});
  EXPECT_EQ(r.files, 1u);
  ASSERT_EQ(r.diagnostics.size(), 1u);  // a plain scalar document is not an object
}

// "Billion laughs": 8 nested Lists of 10 aliases each would be 10^8 objects to read.
TEST(ManifestAliasTest, NestedAliasesCannotMultiplyTheWork) {
  std::string yaml = "l0: &l0 {kind: List, items: [{apiVersion: v1, kind: ConfigMap}]}\n";
  for (int level = 1; level <= 8; ++level) {
    std::string previous = "*l" + std::to_string(level - 1);
    yaml += "l" + std::to_string(level) + ": &l" + std::to_string(level) + " {kind: List, items: [";
    for (int i = 0; i < 10; ++i) {
      yaml += (i == 0 ? "" : ", ") + previous;
    }
    yaml += "]}\n";
  }
  yaml += "kind: List\nitems: [*l8]\n";
  LoadResult r = load_manifest_text(yaml, "t.yaml");
  EXPECT_EQ(diagnostic_texts(r),
            Strings{"t.yaml: document 1 (line 1): YAML aliases make this document read more nodes "
                    "than the file has bytes; the rest of the file is not read"});
  EXPECT_LE(r.skipped, yaml.size() + 1024);
  EXPECT_TRUE(r.has_errors());
}

// One long list aliased from every object: quadratic work and diagnostics without the budget.
TEST(ManifestAliasTest, AnAliasedListCannotMultiplyTheDiagnostics) {
  // Anchors do not cross documents: the List map itself holds the anchored nodes.
  std::string yaml = "kind: List\nips: &ips [";
  for (int i = 0; i < 500; ++i) {
    yaml += (i == 0 ? "" : ",") + std::string("x");
  }
  yaml += "]\npod: &pod {apiVersion: v1, kind: Pod, metadata: {name: p}, status: {podIPs: *ips}}\n";
  yaml += "items: [";
  for (int i = 0; i < 500; ++i) {
    yaml += (i == 0 ? "" : ",") + std::string("*pod");
  }
  yaml += "]\n";
  LoadResult r = load_manifest_text(yaml, "t.yaml");
  ASSERT_FALSE(r.diagnostics.empty());
  EXPECT_LE(r.diagnostics.size(), yaml.size() + 1024);  // not 500 * 500
  EXPECT_EQ(r.diagnostics.back().to_string(),
            "t.yaml: document 1 (line 1): YAML aliases make this document read more nodes than "
            "the file has bytes; the rest of the file is not read");
}

}  // namespace
}  // namespace vmdns::sources
