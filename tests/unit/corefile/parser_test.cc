// The Corefile grammar: each case is a text and its server blocks rendered back, or the error
// naming its line.

#include "corefile/parser.h"

#include <gtest/gtest.h>

#include "corefile/lexer.h"

namespace vmdns::corefile {
namespace {

std::string render(const Directive& d) {
  std::string out = d.name.text + "@" + std::to_string(d.name.line);
  for (const Token& arg : d.args) {
    out += " " + arg.text;
  }
  if (d.has_block) {
    out += " {";
    for (const Directive& sub : d.block) {
      out += " " + render(sub) + ";";
    }
    out += " }";
  }
  return out;
}

// "[keys] directive; directive; | [keys] ..."
std::string render(const Corefile& corefile) {
  std::string out;
  for (const ServerBlock& block : corefile.blocks) {
    out += out.empty() ? "[" : " | [";
    for (size_t i = 0; i < block.keys.size(); ++i) {
      out += (i ? " " : "") + block.keys[i].text;
    }
    out += "]";
    for (const Directive& d : block.directives) {
      out += " " + render(d) + ";";
    }
  }
  return out;
}

std::optional<Corefile> parse_text(const std::string& text, std::string* error) {
  auto tokens = lex(text, "Corefile", error);
  if (!tokens) {
    return std::nullopt;
  }
  return parse(*tokens, error);
}

TEST(ParserTest, ReadsBlocks) {
  struct Case {
    const char* name;
    const char* text;
    const char* blocks;
  };
  const std::vector<Case> cases = {
      {"empty", "", ""},
      {"kubeadm's shape",
       ".:53 {\n    errors\n    health {\n       lameduck 5s\n    }\n    kubernetes cluster.local "
       "in-addr.arpa ip6.arpa {\n       pods insecure\n    }\n    cache 30\n}\n",
       "[.:53] errors@2; health@3 { lameduck@4 5s; }; kubernetes@6 cluster.local in-addr.arpa "
       "ip6.arpa { pods@7 insecure; }; cache@9 30;"},
      {"two blocks",
       ".:53 {\n forward . 10.0.0.1\n}\nexample.com:53 {\n errors\n}\n",
       "[.:53] forward@2 . 10.0.0.1; | [example.com:53] errors@5;"},
      {"keys with commas across lines",
       "a.com,\nb.com c.com {\n}\n", "[a.com b.com c.com]"},
      {"brace on the next line", ".\n{\n log\n}\n", "[.] log@3;"},
      {"empty block", ". {\n}\n", "[.]"},
      {"one-line block", ". {\n health { lameduck 5s }\n}", "[.] health@2 { lameduck@2 5s; };"},
      {"directive block on the next line",
       ". {\n hosts\n {\n  fallthrough\n }\n}", "[.] hosts@2 { fallthrough@4; };"},
      {"no braces for a single block", ".:53\nerrors\nlog\n", "[.:53] errors@2; log@3;"},
      {"empty directive block", ". {\n forward . 1.2.3.4 {\n }\n}", "[.] forward@2 . 1.2.3.4 { };"},
      {"nested", ". {\n a {\n  b {\n   c\n  }\n }\n}", "[.] a@2 { b@3 { c@4; }; };"},
  };
  for (const Case& c : cases) {
    std::string error;
    auto corefile = parse_text(c.text, &error);
    ASSERT_TRUE(corefile) << c.name << ": " << error;
    EXPECT_EQ(render(*corefile), c.blocks) << c.name;
  }
}

TEST(ParserTest, ErrorsNameTheLine) {
  struct Case {
    const char* name;
    const char* text;
    const char* error;
  };
  const std::vector<Case> cases = {
      {"block not closed", ".:53 {\n errors\n", "Corefile:1: the block of .:53 is not closed (a \"}\" is missing)"},
      {"plugin block not closed", ".:53 {\n health {\n lameduck 5s\n}\n",
       "Corefile:1: the block of .:53 is not closed (a \"}\" is missing)"},
      {"stray close", ".:53 {\n}\n}\n", "Corefile:3: unexpected \"}\": no block is open"},
      {"stray close first", "}", "Corefile:1: unexpected \"}\": no block is open"},
      {"open without a key", "{\n}", "Corefile:1: expected a server block key (such as .:53) before \"{\""},
      {"dangling comma", "a.com, {\n}",
       "Corefile:1: expected a server block key (such as .:53) before \"{\""},
      {"comma at the end", "a.com,", "Corefile:1: expected another server block key after \",\""},
      {"second block without braces", ". {\n}\nexample.com\nerrors\n",
       "Corefile:3: expected \"{\" after the server block's keys"},
      {"open brace alone in a block", ". {\n {\n }\n}",
       "Corefile:2: unexpected \"{\": a block follows a directive's name"},
  };
  for (const Case& c : cases) {
    std::string error;
    EXPECT_FALSE(parse_text(c.text, &error)) << c.name;
    EXPECT_EQ(error, c.error) << c.name;
  }
}

TEST(ParserTest, DeepNestingIsAnError) {
  std::string text = ". {\n";
  for (int i = 0; i < 40; ++i) {
    text += "a {\n";
  }
  std::string error;
  EXPECT_FALSE(parse_text(text, &error));
  EXPECT_NE(error.find("blocks nest more than 16 deep"), std::string::npos) << error;
}

}  // namespace
}  // namespace vmdns::corefile
