#include "tsig/key_file.h"

#include <gtest/gtest.h>

namespace vmdns::tsig {
namespace {

struct FileCase {
  const char* label;
  const char* text;
  std::vector<std::string> names;  // the keys read, in order
  const char* error;               // the whole error; "" when it parses
};

TEST(KeyFile, Table) {
  const FileCase cases[] = {
      {"tsig-keygen's output",
       "key \"xfr.example\" {\n\talgorithm hmac-sha256;\n\tsecret \"c2VjcmV0\";\n};\n",
       {"xfr.example."},
       ""},
      {"two keys, comments of three kinds, an unquoted name",
       "# ours\nkey a.example { algorithm hmac-sha512; secret \"YQ==\"; };\n"
       "/* theirs\n */ key \"b.example.\" {\n  // the algorithm\n  algorithm \"hmac-sha256\";\n"
       "  secret \"Yg==\";\n};\n",
       {"a.example.", "b.example."},
       ""},
      {"empty file", "", {}, ""},
      {"a secret BIND wraps", "key k { algorithm hmac-sha256; secret \"Zm9v\n YmFy\"; };", {"k."}, ""},
      {"unsupported algorithm",
       "key \"k\" {\n  algorithm hmac-md5;\n  secret \"YQ==\";\n};\n",
       {},
       "keys.conf:2: key \"k\": algorithm \"hmac-md5\" is not supported (hmac-sha256 or "
       "hmac-sha512)"},
      {"bad secret", "key \"k\" {\n  algorithm hmac-sha256;\n  secret \"@@\";\n};\n", {},
       "keys.conf:3: key \"k\": secret: not base64"},
      {"no secret", "\nkey \"k\" {\n  algorithm hmac-sha256;\n};\n", {},
       "keys.conf:2: key \"k\": no secret"},
      {"no algorithm", "key \"k\" { secret \"YQ==\"; };", {}, "keys.conf:1: key \"k\": no algorithm"},
      {"unknown field", "key \"k\" {\n  algorithm hmac-sha256;\n  secrets \"YQ==\";\n};", {},
       "keys.conf:3: key \"k\": unknown field \"secrets\" (algorithm or secret)"},
      {"field twice", "key \"k\" { algorithm hmac-sha256; algorithm hmac-sha256; };", {},
       "keys.conf:1: key \"k\": algorithm: given twice"},
      {"missing semicolon", "key \"k\" {\n  algorithm hmac-sha256\n  secret \"YQ==\";\n};", {},
       "keys.conf:3: key \"k\": algorithm: expected \";\", found \"secret\""},
      {"missing final semicolon", "key \"k\" { algorithm hmac-sha256; secret \"YQ==\"; }", {},
       "keys.conf:1: key \"k\": expected \";\" after \"}\", found the end of the file"},
      {"another statement", "options {\n};", {},
       "keys.conf:1: expected a key statement, found \"options\""},
      {"unterminated string", "key \"k", {}, "keys.conf:1: unterminated string"},
      {"unterminated comment", "key k /* {", {}, "keys.conf:1: unterminated comment"},
      {"twice", "key k { algorithm hmac-sha256; secret \"YQ==\"; };\n"
                "key K. { algorithm hmac-sha256; secret \"YQ==\"; };", {},
       "keys.conf:2: key \"K.\": defined twice"},
      {"bad name", "key \"a..b\" { };", {}, "keys.conf:1: key \"a..b\": name: "},
      {"end inside", "key k {\n algorithm hmac-sha256;", {},
       "keys.conf:2: key \"k\": expected algorithm or secret, found the end of the file"},
  };
  for (const FileCase& c : cases) {
    SCOPED_TRACE(c.label);
    KeyFileParse parsed = parse_key_file(c.text, "keys.conf");
    if (std::string_view(c.error).empty()) {
      EXPECT_EQ(parsed.error, "");
    } else {
      EXPECT_TRUE(parsed.error.starts_with(c.error)) << parsed.error;
      EXPECT_TRUE(parsed.keys.empty());
    }
    std::vector<std::string> names;
    for (const Key& key : parsed.keys) {
      names.push_back(key.name.to_text());
    }
    EXPECT_EQ(names, c.names);
  }
}

TEST(KeyFile, UnreadableFileNamesIt) {
  KeyFileParse parsed = load_key_file("/nonexistent/keys.conf");
  EXPECT_EQ(parsed.error, "/nonexistent/keys.conf: cannot be read");
}

}  // namespace
}  // namespace vmdns::tsig
