// The Corefile lexer and the environment substitution: each case is a text and its words with
// their lines (quoted words marked), or the error naming the line.

#include "corefile/lexer.h"

#include <gtest/gtest.h>

#include "corefile/environment.h"

namespace vmdns::corefile {
namespace {

// "word@line", a quoted word "'word'@line".
std::string render(const std::vector<Token>& tokens) {
  std::string out;
  for (const Token& t : tokens) {
    out += (out.empty() ? "" : " ") + (t.quoted ? "'" + t.text + "'" : t.text) + "@" +
           std::to_string(t.line);
  }
  return out;
}

TEST(LexerTest, SplitsWords) {
  struct Case {
    const char* name;
    const char* text;
    const char* words;
  };
  const std::vector<Case> cases = {
      {"empty", "", ""},
      {"one block", ".:53 {\n  errors\n}\n", ".:53@1 {@1 errors@2 }@3"},
      {"comment", "cache 30 # seconds\nloop", "cache@1 30@1 loop@2"},
      {"comment inside a word", "loop#x y\nreload", "loop@1 reload@2"},
      {"quotes keep spaces", "log . \"{remote} {name}\"", "log@1 .@1 '{remote} {name}'@1"},
      {"escaped quote", R"(a "say \"hi\"")", "a@1 'say \"hi\"'@1"},
      {"other backslash kept", R"(a "c:\dir")", R"(a@1 'c:\dir'@1)"},
      {"quoted brace is a word", "\"{\"", "'{'@1"},
      {"quote across lines", "a \"x\ny\" b\nc", "a@1 'x\ny'@1 b@2 c@3"},
      {"quote mid-word is literal", "a\"b\"", "a\"b\"@1"},
      {"crlf", ".:53 {\r\n errors\r\n}\r\n", ".:53@1 {@1 errors@2 }@3"},
      {"empty quoted word", "a \"\"", "a@1 ''@1"},
  };
  for (const Case& c : cases) {
    std::string error;
    auto tokens = lex(c.text, "Corefile", &error);
    ASSERT_TRUE(tokens) << c.name << ": " << error;
    EXPECT_EQ(render(*tokens), c.words) << c.name;
  }
}

TEST(LexerTest, UnclosedQuoteNamesItsLine) {
  std::string error;
  EXPECT_FALSE(lex(".:53 {\n log \"x\n}\n", "Corefile", &error));
  EXPECT_EQ(error, "Corefile:2: a quoted word is not closed");
}

TEST(EnvironmentTest, Substitutes) {
  auto lookup = [](const std::string& name) -> std::optional<std::string> {
    if (name == "DOMAIN") {
      return "cluster.local";
    }
    if (name == "SPACED") {
      return "a b";
    }
    return std::nullopt;
  };
  struct Case {
    const char* word;
    const char* expected;
  };
  const std::vector<Case> cases = {
      {"{$DOMAIN}", "cluster.local"},
      {"{env.DOMAIN}:53", "cluster.local:53"},
      {"{%DOMAIN%}", "cluster.local"},
      {"x.{$DOMAIN}.{$DOMAIN}", "x.cluster.local.cluster.local"},
      {"{$UNSET}", ""},
      {"{$SPACED}", "a b"},
      {"{$}", "{$}"},
      {"{$DOMAIN", "{$DOMAIN"},
      {"{remote}", "{remote}"},
      {"{$A B}", "{$A B}"},
  };
  for (const Case& c : cases) {
    EXPECT_EQ(expand_environment(c.word, lookup), c.expected) << c.word;
  }
}

}  // namespace
}  // namespace vmdns::corefile
