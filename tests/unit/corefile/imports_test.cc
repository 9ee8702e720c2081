// import and snippets: each case is a set of files and the words the Corefile reads as, or the
// error that names the importing file and line.

#include "corefile/imports.h"

#include <gtest/gtest.h>

namespace vmdns::corefile {
namespace {

// Words with their file's base name and line: "errors@a.override:1".
std::string render(const std::vector<Token>& tokens) {
  std::string out;
  for (const Token& t : tokens) {
    std::string file = t.file.substr(t.file.rfind('/') + 1);
    out += (out.empty() ? "" : " ") + t.text + "@" + file + ":" + std::to_string(t.line);
  }
  return out;
}

using Files = std::vector<std::pair<std::string, std::string>>;

TEST(ImportsTest, SplicesFilesGlobsAndSnippets) {
  struct Case {
    const char* name;
    Files files;  // the first is the Corefile
    const char* words;
  };
  const std::vector<Case> cases = {
      {"no import", {{"/etc/coredns/Corefile", ". {\n}"}}, ".@Corefile:1 {@Corefile:1 }@Corefile:2"},
      {"empty glob, as k3s's",
       {{"/etc/coredns/Corefile", ". {\n import /etc/coredns/custom/*.override\n}\n"
                                  "import /etc/coredns/custom/*.server\n"}},
       ".@Corefile:1 {@Corefile:1 }@Corefile:3"},
      {"glob in path order, relative to the Corefile",
       {{"/etc/coredns/Corefile", ". {\n import custom/*.override\n}"},
        {"/etc/coredns/custom/b.override", "loop"},
        {"/etc/coredns/custom/a.override", "log\nerrors"},
        {"/etc/coredns/custom/.hidden.override", "bogus"}},
       ".@Corefile:1 {@Corefile:1 log@a.override:1 errors@a.override:2 loop@b.override:1 "
       "}@Corefile:3"},
      {"a file",
       {{"/c/Corefile", "import stub.server"}, {"/c/stub.server", "example.com {\n}"}},
       "example.com@stub.server:1 {@stub.server:1 }@stub.server:2"},
      {"nested import",
       {{"/c/Corefile", "import a"}, {"/c/a", "import b"}, {"/c/b", "x"}},
       "x@b:1"},
      {"snippet",
       {{"/c/Corefile", "(common) {\n errors\n cache 30\n}\nexample.com {\n import common\n}"}},
       "example.com@Corefile:5 {@Corefile:5 errors@Corefile:2 cache@Corefile:3 30@Corefile:3 "
       "}@Corefile:7"},
      {"import not first on its line is a word",
       {{"/c/Corefile", "log import"}},
       "log@Corefile:1 import@Corefile:1"},
      {"environment in the pattern",
       {{"/c/Corefile", "import {$DIR}/x"}, {"/c/d/x", "loop"}},
       "loop@x:1"},
  };
  for (const Case& c : cases) {
    FileAccess files = memory_file_access(c.files, [](const std::string& name) {
      return name == "DIR" ? std::optional<std::string>("/c/d") : std::nullopt;
    });
    std::string error;
    auto words = read_words(c.files.front().first, files, &error);
    ASSERT_TRUE(words) << c.name << ": " << error;
    EXPECT_EQ(render(*words), c.words) << c.name;
  }
}

TEST(ImportsTest, ErrorsNameTheImport) {
  struct Case {
    const char* name;
    Files files;
    const char* error;
  };
  const std::vector<Case> cases = {
      {"missing file",
       {{"/c/Corefile", ". {\n import custom.conf\n}"}},
       "/c/Corefile:2: import custom.conf: /c/custom.conf: No such file or directory"},
      {"two arguments", {{"/c/Corefile", "import a b"}},
       "/c/Corefile:1: import takes one argument (a file, a glob pattern or a snippet's name), "
       "got 2"},
      {"no argument", {{"/c/Corefile", "import\nx"}},
       "/c/Corefile:1: import takes one argument (a file, a glob pattern or a snippet's name), "
       "got 0"},
      {"cycle", {{"/c/Corefile", "import Corefile"}},
       "/c/Corefile:1: import Corefile: imports nest more than 10 deep (an import cycle?)"},
      {"bad quote in an import",
       {{"/c/Corefile", "import x"}, {"/c/x", "\n\"open"}},
       "/c/Corefile:1: import x: /c/x:2: a quoted word is not closed"},
      {"snippet not closed", {{"/c/Corefile", "(s) {\n errors\n"}},
       "/c/Corefile:1: snippet (s): its block is not closed"},
  };
  for (const Case& c : cases) {
    std::string error;
    EXPECT_FALSE(read_words(c.files.front().first, memory_file_access(c.files), &error))
        << c.name;
    EXPECT_EQ(error, c.error) << c.name;
  }
}

TEST(ImportsTest, SnippetsThatMultiplyAreBounded) {
  // s1 is ten words, s2 ten imports of s1, ... s6: a million words from a few lines.
  std::string text = "(s1) {\n x x x x x x x x x x\n}\n";
  for (int i = 2; i <= 6; ++i) {
    text += "(s" + std::to_string(i) + ") {\n";
    for (int j = 0; j < 10; ++j) {
      text += "import s" + std::to_string(i - 1) + "\n";
    }
    text += "}\n";
  }
  text += "import s6\n";
  std::string error;
  EXPECT_FALSE(read_words("/c/Corefile", memory_file_access({{"/c/Corefile", text}}), &error));
  EXPECT_NE(error.find("the Corefile and its imports hold more than 100000 words"),
            std::string::npos)
      << error;
}

}  // namespace
}  // namespace vmdns::corefile
