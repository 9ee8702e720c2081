// A big manifest is read in parts at once (load_manifest_text_in_parts): the result must be
// the one a single part makes, objects, diagnostics, documents and lines alike.

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "decode_case.h"
#include "sources/manifest_loader.h"

namespace vmdns::sources {
namespace {

using Strings = std::vector<std::string>;

std::string service(int i, const char* name_prefix = "svc") {
  return "apiVersion: v1\nkind: Service\nmetadata:\n  name: " + std::string(name_prefix) + "-" +
         std::to_string(i) + "\nspec:\n  clusterIP: 10.96.0." + std::to_string(i % 250 + 1) +
         "\n  ports:\n  - port: 80\n";
}

// 60 documents: Services, a bad one, an empty document, a duplicate of an earlier Service,
// a List, a comment line, "---" lines with trailing text.
std::string manifest() {
  std::string text = "# leading comment\n";
  for (int i = 0; i < 60; ++i) {
    if (i > 0) {
      text += i % 7 == 0 ? "--- # a comment\n" : "---\n";
    }
    if (i == 13) {
      text += "apiVersion: v1\nkind: Service\nmetadata: {name: Bad_Name}\n";
    } else if (i == 20) {
      text += "";  // an empty document
    } else if (i == 41) {
      text += service(3);  // defined again: the later wins, with a warning
    } else if (i == 50) {
      text += "apiVersion: v1\nkind: List\nitems:\n- " + std::string("{apiVersion: v1, kind: "
              "Namespace, metadata: {name: n1}}\n- {apiVersion: v1, kind: ConfigMap}\n");
    } else {
      text += service(i);
    }
  }
  return text;
}

std::vector<std::string> origins(const LoadResult& r) {
  std::vector<std::string> out;
  for (const auto& [key, s] : r.state.services) {
    out.push_back(key.name + "@" + std::to_string(s.meta.origin.document) + ":" +
                  std::to_string(s.meta.origin.line));
  }
  return out;
}

TEST(ManifestPartsTest, PartsReadAsOneText) {
  std::string text = manifest();
  LoadResult whole = load_manifest_text_in_parts(text, "m.yaml", 1);
  ASSERT_FALSE(whole.diagnostics.empty());
  for (size_t parts : {2, 3, 7}) {
    SCOPED_TRACE(parts);
    EXPECT_GT(split_documents(text, parts).size(), 1u);
    LoadResult split = load_manifest_text_in_parts(text, "m.yaml", parts);
    EXPECT_EQ(diagnostic_texts(split), diagnostic_texts(whole));
    EXPECT_EQ(origins(split), origins(whole));
    EXPECT_EQ(split.objects, whole.objects);
    EXPECT_EQ(split.skipped, whole.skipped);
    EXPECT_EQ(split.files, 1u);
    EXPECT_EQ(split.state.namespaces.size(), 1u);
  }
}

TEST(ManifestPartsTest, ASyntaxErrorInALaterPartIsTheFilesOneError) {
  std::string text = manifest() + "---\nkind: [\n";
  Strings expected = diagnostic_texts(load_manifest_text_in_parts(text, "m.yaml", 1));
  ASSERT_EQ(expected.size(), 1u);
  LoadResult split = load_manifest_text_in_parts(text, "m.yaml", 3);
  EXPECT_EQ(diagnostic_texts(split), expected);
  EXPECT_TRUE(split.state.services.empty());
}

TEST(ManifestPartsTest, SplitsOnlyAtDocumentStarts) {
  EXPECT_EQ(split_documents("a: 1\nb: 2\nc: 3\n---\nd: 4\n", 2),
            (std::vector<std::string_view>{"a: 1\nb: 2\nc: 3\n", "---\nd: 4\n"}));
  // "----" and "--- x" mid-line are not markers; "---x" is not either.
  EXPECT_EQ(split_documents("a: |\n  ---\nb: ----x\n---x: 1\n", 2).size(), 1u);
  // Directives keep the file whole.
  EXPECT_EQ(split_documents("a: 1\n%YAML 1.1\n---\nb: 2\n", 2).size(), 1u);
  EXPECT_EQ(split_documents("", 2).size(), 1u);
}

}  // namespace
}  // namespace vmdns::sources
