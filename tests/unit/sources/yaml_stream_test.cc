// YamlStream: documents one at a time, node types as the field readers see them, lines,
// aliases, and syntax errors with their line.

#include "sources/yaml_stream.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace vmdns::sources {
namespace {

// A compact rendering of a tree: null ~, scalars as text ('quoted' when not plain), [a, b],
// {k: v}, each node followed by @line when `lines` is set.
std::string render(const YamlNode& node, bool lines, int depth = 0) {
  if (depth > 8) {
    return "...";
  }
  std::string out;
  switch (node.type) {
    case YamlNode::Type::Null:
      out = "~";
      break;
    case YamlNode::Type::Scalar:
      out = node.plain ? std::string(node.text) : "'" + std::string(node.text) + "'";
      break;
    case YamlNode::Type::Sequence:
      out = "[";
      for (uint32_t i = 0; i < node.size; ++i) {
        out += (i ? ", " : "") + render(*node.children[i], lines, depth + 1);
      }
      out += "]";
      break;
    case YamlNode::Type::Map:
      out = "{";
      for (size_t i = 0; i < node.entries(); ++i) {
        out += (i ? ", " : "") + render(node.key(i), lines, depth + 1) + ": " +
               render(node.value(i), lines, depth + 1);
      }
      out += "}";
      break;
  }
  return lines ? out + "@" + std::to_string(node.line) : out;
}

struct StreamCase {
  const char* name;
  std::string text;
  std::vector<std::string> documents;  // rendered without lines
  std::string error;                   // "line: message", empty when none
};

// gtest prints a case by its name: ctest lists it by that, not by a dump of its bytes.
void PrintTo(const StreamCase& c, std::ostream* out) { *out << c.name; }

const StreamCase kCases[] = {
    {"empty text", "", {}, ""},
    {"comments only", "# nothing\n", {}, ""},
    {"one map", "a: 1\nb: x\n", {"{a: 1, b: x}"}, ""},
    {"documents in turn", "a: 1\n---\nb: 2\n", {"{a: 1}", "{b: 2}"}, ""},
    {"an empty document is null", "---\n---\na: 1\n", {"~", "{a: 1}"}, ""},
    {"null spellings", "{a: ~, b: null, c: Null, d: NULL, e: , f: 'null', g: \"~\", h: nULL}\n",
     {"{a: ~, b: ~, c: ~, d: ~, e: ~, f: 'null', g: '~', h: nULL}"}, ""},
    {"quoted and block scalars are not plain", "a: \"80\"\nb: '80'\nc: |\n  80\nd: 80\n",
     {"{a: '80', b: '80', c: '80\n', d: 80}"}, ""},
    {"escapes are decoded", "a: \"x\\ty\"\n", {"{a: 'x\ty'}"}, ""},
    {"flow and block mix", "a: [1, {b: c}]\nd:\n- e\n- f: g\n", {"{a: [1, {b: c}], d: [e, {f: g}]}"},
     ""},
    {"an alias is the anchored node", "a: &x {b: 1}\nc: *x\n", {"{a: {b: 1}, c: {b: 1}}"}, ""},
    {"JSON", R"({"a":"b","c":[1,2]})", {"{'a': 'b', 'c': [1, 2]}"}, ""},
    {"an unknown alias", "a: *nope\n", {}, "1: unknown anchor nope"},
    {"an unclosed flow map", "a: 1\n---\nb: {c: d\ne: f\n", {"{a: 1}"},
     "4: did not find expected ',' or '}' while parsing a flow mapping"},
    {"a tab for indentation", "a:\n\tb: c\n", {},
     "2: found character that cannot start any token while scanning for the next token"},
};

class YamlStreamTest : public testing::TestWithParam<StreamCase> {};

TEST_P(YamlStreamTest, Documents) {
  const StreamCase& c = GetParam();
  YamlStream stream(c.text);
  std::vector<std::string> documents;
  while (const YamlNode* root = stream.next()) {
    documents.push_back(render(*root, false));
  }
  EXPECT_EQ(documents, c.documents);
  std::string error;
  if (stream.error()) {
    error = std::to_string(stream.error()->line) + ": " + stream.error()->message;
  }
  EXPECT_EQ(error, c.error);
  EXPECT_EQ(stream.next(), nullptr);  // and stays at the end
}

INSTANTIATE_TEST_SUITE_P(Table, YamlStreamTest, testing::ValuesIn(kCases));

TEST(YamlStreamLines, NodesCarryTheirLines) {
  YamlStream stream("# a comment\na: 1\nb:\n  - x\n  - {c: d}\n---\n\ne: f\n");
  const YamlNode* first = stream.next();
  ASSERT_NE(first, nullptr);
  EXPECT_EQ(render(*first, true), "{a@2: 1@2, b@3: [x@4, {c@5: d@5}@5]@4}@2");
  const YamlNode* second = stream.next();
  ASSERT_NE(second, nullptr);
  EXPECT_EQ(render(*second, true), "{e@8: f@8}@8");
}

TEST(YamlStreamLines, ASelfReferenceIsACycleTheReaderBounds) {
  YamlStream stream("&l [*l]\n");
  const YamlNode* root = stream.next();
  ASSERT_NE(root, nullptr);
  ASSERT_EQ(root->size, 1u);
  EXPECT_EQ(root->children[0], root);
}

TEST(YamlStreamLines, FindTakesTheFirstOfTwoEqualKeys) {
  YamlStream stream("{a: 1, a: 2, [x]: 3}\n");
  const YamlNode* root = stream.next();
  ASSERT_NE(root, nullptr);
  ASSERT_NE(root->find("a"), nullptr);
  EXPECT_EQ(root->find("a")->text, "1");
  EXPECT_EQ(root->find("x"), nullptr);
}

struct BooleanCase {
  const char* text;
  std::optional<bool> value;
};

TEST(YamlBoolean, SpellingsOfYaml11) {
  const BooleanCase cases[] = {
      {"true", true}, {"True", true},   {"TRUE", true},   {"yes", true},  {"Y", true},
      {"on", true},   {"false", false}, {"No", false},    {"OFF", false}, {"n", false},
      {"tRUE", {}},   {"1", {}},        {"", {}},         {"truee", {}},  {"nO", {}},
  };
  for (const BooleanCase& c : cases) {
    EXPECT_EQ(yaml_boolean(c.text), c.value) << c.text;
  }
}

}  // namespace
}  // namespace vmdns::sources
