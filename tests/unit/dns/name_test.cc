#include "dns/name.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <random>
#include <vector>

#include "unit/dns/wire_builder.h"

namespace vmdns::dns {
namespace {

using test::repeat;
using test::Wire;

struct FromTextCase {
  const char* label;
  std::string text;
  std::string want_text;  // to_text() of the result
  size_t want_labels;
  size_t want_wire_length;
};

// RFC 1035 section 5.1 (presentation format) and section 3.1 (wire form).
const FromTextCase kFromText[] = {
    {"5.1 empty text is the root", "", ".", 0, 1},
    {"5.1 a lone dot is the root", ".", ".", 0, 1},
    {"5.1 relative text is taken as absolute", "example.com", "example.com.", 2, 13},
    {"5.1 trailing dot", "example.com.", "example.com.", 2, 13},
    {"4343 case is kept", "MyVMI.Example.COM", "MyVMI.Example.COM.", 3, 19},
    {"5.1 \\. is a dot inside a label", "a\\.b.c", "a\\.b.c.", 2, 7},
    {"5.1 \\DDD decimal octet", "\\065bc", "Abc.", 1, 5},
    {"5.1 \\000 kept as \\000", "\\000.x", "\\000.x.", 2, 5},
    {"5.1 \\255 is the largest octet", "\\255", "\\255.", 1, 3},
    {"5.1 escaped backslash", "a\\\\b", "a\\\\b.", 1, 5},
    {"5.1 escaped space", "a\\ b", "a\\ b.", 1, 5},
    {"5.1 \\X of an ordinary char is that char", "\\a\\b", "ab.", 1, 4},
    {"5.1 escaped specials", "\\(\\)\\;\\@\\$\\\"", "\\(\\)\\;\\@\\$\\\".", 1, 8},
    {"3.1 label of 63 octets", repeat('a', 63), repeat('a', 63) + ".", 1, 65},
    {"3.1 name of exactly 255 octets",
     repeat('a', 63) + "." + repeat('b', 63) + "." + repeat('c', 63) + "." + repeat('d', 61),
     repeat('a', 63) + "." + repeat('b', 63) + "." + repeat('c', 63) + "." + repeat('d', 61) + ".",
     4, 255},
    {"3.1 kubevirt name", "myvmi.mysubdomain.default.svc.cluster.local",
     "myvmi.mysubdomain.default.svc.cluster.local.", 6, 45},
};

TEST(NameFromText, Table) {
  for (const auto& c : kFromText) {
    SCOPED_TRACE(c.label);
    std::string error;
    auto name = Name::from_text(c.text, &error);
    ASSERT_TRUE(name.has_value()) << error;
    EXPECT_EQ(name->to_text(), c.want_text);
    EXPECT_EQ(name->label_count(), c.want_labels);
    EXPECT_EQ(name->wire_length(), c.want_wire_length);
    // Round trip: the text we print parses back to the same octets.
    auto again = Name::from_text(name->to_text());
    ASSERT_TRUE(again.has_value());
    EXPECT_TRUE(std::equal(again->wire().begin(), again->wire().end(), name->wire().begin(),
                           name->wire().end()));
  }
}

// "a.a.a...": `count` one-octet labels, two wire octets each.
std::string many_labels(int count) {
  std::string s = "a";
  for (int i = 1; i < count; ++i) {
    s += ".a";
  }
  return s;
}

struct FromTextErrorCase {
  const char* label;
  std::string text;
  std::string want_error;  // a substring of the message
};

const FromTextErrorCase kFromTextErrors[] = {
    {"3.1 empty label in the middle", "a..b", "empty label"},
    {"3.1 two dots", "..", "empty label"},
    {"3.1 leading dot", ".example.com", "empty label"},
    {"3.1 two trailing dots", "example.com..", "empty label"},
    {"3.1 label of 64 octets", repeat('a', 64) + ".com", "is longer than 63 octets"},
    {"3.1 label of 64 octets via escapes", repeat('a', 63) + "\\066", "is longer than 63 octets"},
    {"3.1 name of 256 octets",
     repeat('a', 63) + "." + repeat('b', 63) + "." + repeat('c', 63) + "." + repeat('d', 62),
     "is longer than 255 octets"},
    {"3.1 name of far more than 255 octets", many_labels(200), "is longer than 255 octets"},
    {"5.1 \\DDD over 255", "\\256", "over 255"},
    {"5.1 \\DDD with two digits", "\\12", "three decimal digits"},
    {"5.1 \\DDD with a non digit", "\\12x", "three decimal digits"},
    {"5.1 dangling backslash", "abc\\", "dangling backslash"},
};

TEST(NameFromText, Errors) {
  for (const auto& c : kFromTextErrors) {
    SCOPED_TRACE(c.label);
    std::string error;
    EXPECT_FALSE(Name::from_text(c.text, &error).has_value());
    EXPECT_NE(error.find(c.want_error), std::string::npos) << error;
    // The error pointer is optional.
    EXPECT_FALSE(Name::from_text(c.text).has_value());
  }
}

TEST(NameFromText, LabelErrorQuotesTheLabel) {
  std::string error;
  EXPECT_FALSE(Name::from_text("ok." + repeat('x', 70) + ".com", &error));
  EXPECT_EQ(error, "label \"xxxxxxxxxxxxxxxx...\" is longer than 63 octets");
}

struct ToTextCase {
  const char* label;
  std::vector<uint8_t> wire;
  std::string want;
};

// RFC 1035 section 5.1: special characters take a backslash, other octets outside printable
// ASCII are written \DDD.
const ToTextCase kToText[] = {
    {"5.1 root", {0}, "."},
    {"5.1 plain", Wire().name("www.example.com"), "www.example.com."},
    {"5.1 dot in a label", Wire().label("a.b").u8(0), "a\\.b."},
    {"5.1 backslash", Wire().label("a\\b").u8(0), "a\\\\b."},
    {"5.1 quote, parens, semicolon, at, dollar", Wire().label("\"();@$").u8(0),
     "\\\"\\(\\)\\;\\@\\$."},
    {"5.1 space", Wire().label("a b").u8(0), "a\\ b."},
    {"5.1 control and high octets", Wire().raw({4, 0x00, 0x09, 0x7F, 0xFF, 0}),
     "\\000\\009\\127\\255."},
    {"5.1 printable punctuation unescaped", Wire().label("a-_*!~").u8(0), "a-_*!~."},
};

TEST(NameToText, Table) {
  for (const auto& c : kToText) {
    SCOPED_TRACE(c.label);
    auto name = Name::from_wire(c.wire);
    ASSERT_TRUE(name.has_value());
    EXPECT_EQ(name->to_text(), c.want);
    auto back = Name::from_text(name->to_text());
    ASSERT_TRUE(back.has_value());
    EXPECT_EQ(back->wire_view(), name->wire_view());
  }
}

TEST(NameToText, EveryOctetRoundTrips) {
  for (int c = 0; c < 256; ++c) {
    SCOPED_TRACE(c);
    auto name = Name::from_wire(Wire().raw({1, static_cast<uint8_t>(c), 0}).bytes());
    ASSERT_TRUE(name.has_value());
    auto back = Name::from_text(name->to_text());
    ASSERT_TRUE(back.has_value()) << name->to_text();
    EXPECT_EQ(back->wire_view(), name->wire_view());
  }
}

struct FromWireCase {
  const char* label;
  std::vector<uint8_t> wire;
  bool ok;
};

const FromWireCase kFromWire[] = {
    {"3.1 root", {0}, true},
    {"3.1 two labels", Wire().name("a.bc"), true},
    {"3.1 empty input", {}, false},
    {"3.1 missing root label", Wire().label("abc"), false},
    {"3.1 label runs past the end", {5, 'a', 'b', 0}, false},
    {"3.1 trailing bytes after the root", {1, 'a', 0, 0}, false},
    {"4.1.4 a compression pointer is not uncompressed wire", {0xC0, 0x0C}, false},
    {"6891 5 label type 0x40", {0x40, 0}, false},
    {"3.1 label of 64 (0x40) octets", Wire().raw({64}).pad_to(65).u8(0), false},
    {"3.1 name of 256 octets",
     Wire()
         .raw({63})
         .pad_to(64)
         .raw({63})
         .pad_to(128)
         .raw({63})
         .pad_to(192)
         .raw({62})
         .pad_to(255)
         .u8(0),
     false},
    {"3.1 name of 255 octets",
     Wire()
         .raw({63})
         .pad_to(64)
         .raw({63})
         .pad_to(128)
         .raw({63})
         .pad_to(192)
         .raw({61})
         .pad_to(254)
         .u8(0),
     true},
};

TEST(NameFromWire, Table) {
  for (const auto& c : kFromWire) {
    SCOPED_TRACE(c.label);
    auto name = Name::from_wire(c.wire);
    EXPECT_EQ(name.has_value(), c.ok);
    if (name) {
      EXPECT_EQ(name->wire_length(), c.wire.size());
    }
  }
}

Name n(std::string_view text) {
  return *Name::from_text(text);
}

TEST(Name, DefaultIsRoot) {
  Name root;
  EXPECT_TRUE(root.is_root());
  EXPECT_EQ(root.wire_length(), 1u);
  EXPECT_EQ(root.to_text(), ".");
  EXPECT_EQ(root.label_count(), 0u);
  EXPECT_EQ(root.first_label(), "");
  EXPECT_TRUE(root.parent().is_root());
}

TEST(Name, Accessors) {
  Name name = n("MyVMI.default.svc");
  EXPECT_EQ(name.first_label(), "MyVMI");
  EXPECT_EQ(name.parent().to_text(), "default.svc.");
  EXPECT_EQ(name.lowercased().to_text(), "myvmi.default.svc.");
  EXPECT_EQ(name.to_text(), "MyVMI.default.svc.");  // lowercased() copies
  EXPECT_EQ(name.wire_view().size(), name.wire_length());
}

// RFC 4343 section 3: comparisons are case-insensitive for ASCII letters only.
TEST(Name, EqualityIgnoresCase) {
  EXPECT_EQ(n("Example.COM"), n("example.com."));
  EXPECT_FALSE(n("example.com") == n("example.org"));
  EXPECT_FALSE(n("a.example.com") == n("example.com"));
  // 0xC1 and 0xE1 differ by 0x20 but are not ASCII letters.
  EXPECT_FALSE(n("\\193") == n("\\225"));
}

struct SubdomainCase {
  const char* label;
  const char* child;
  const char* parent;
  bool want;
};

const SubdomainCase kSubdomain[] = {
    {"1034 3.1 a name is a subdomain of itself", "cluster.local", "cluster.local", true},
    {"1034 3.1 child", "a.b.cluster.local", "cluster.local", true},
    {"4343 case-insensitive", "A.Cluster.LOCAL", "cluster.local", true},
    {"1034 3.1 everything is below the root", "cluster.local", ".", true},
    {"1034 3.1 parent is not below child", "cluster.local", "a.cluster.local", false},
    {"1034 3.1 label boundary, not a string suffix", "xcluster.local", "cluster.local", false},
    {"1034 3.1 sibling", "svc.cluster.local", "pod.cluster.local", false},
};

TEST(Name, IsSubdomainOf) {
  for (const auto& c : kSubdomain) {
    SCOPED_TRACE(c.label);
    EXPECT_EQ(n(c.child).is_subdomain_of(n(c.parent)), c.want);
  }
}

TEST(Name, Prepend) {
  EXPECT_EQ(n("cluster.local").prepend("svc")->to_text(), "svc.cluster.local.");
  EXPECT_EQ(Name().prepend("a")->to_text(), "a.");
  EXPECT_FALSE(n("x").prepend("").has_value());
  EXPECT_TRUE(n("x").prepend(repeat('a', 63)).has_value());
  EXPECT_FALSE(n("x").prepend(repeat('a', 64)).has_value());
  // 3 * 64 + 62 + 1 = 255; one more label octet is too many (RFC 1035 section 3.1).
  Name long_name = n(repeat('a', 63) + "." + repeat('b', 63) + "." + repeat('c', 63));
  EXPECT_EQ(long_name.prepend(repeat('d', 61))->wire_length(), 255u);
  EXPECT_FALSE(long_name.prepend(repeat('d', 62)).has_value());
}

TEST(Name, Concat) {
  EXPECT_EQ(n("a.b").concat(n("c.d"))->to_text(), "a.b.c.d.");
  EXPECT_EQ(Name().concat(n("c.d"))->to_text(), "c.d.");
  EXPECT_EQ(n("a.b").concat(Name())->to_text(), "a.b.");
  Name half = n(repeat('a', 63) + "." + repeat('b', 63));  // 129 octets
  EXPECT_EQ(half.concat(n(repeat('c', 63) + "." + repeat('d', 60)))->wire_length(), 254u);
  EXPECT_FALSE(half.concat(half).has_value());
}

// RFC 4034 section 6.1: the example names, in canonical order.
TEST(CanonicalCompare, Rfc4034Section61Example) {
  std::vector<std::string> ordered = {
      "example",   "a.example",       "yljkjljk.a.example", "Z.a.example",     "zABC.a.EXAMPLE",
      "z.example", "\\001.z.example", "*.z.example",        "\\200.z.example",
  };
  std::vector<Name> names;
  names.reserve(ordered.size());
  for (const auto& text : ordered) {
    names.push_back(n(text));
  }
  for (size_t i = 0; i < names.size(); ++i) {
    SCOPED_TRACE(ordered[i]);
    EXPECT_EQ(canonical_compare(names[i], names[i]), 0);
    for (size_t j = i + 1; j < names.size(); ++j) {
      EXPECT_LT(canonical_compare(names[i], names[j]), 0) << ordered[j];
      EXPECT_GT(canonical_compare(names[j], names[i]), 0) << ordered[j];
    }
  }
  std::vector<Name> shuffled = names;
  std::shuffle(shuffled.begin(), shuffled.end(), std::mt19937(42));
  std::sort(shuffled.begin(), shuffled.end(),
            [](const Name& a, const Name& b) { return canonical_compare(a, b) < 0; });
  for (size_t i = 0; i < names.size(); ++i) {
    EXPECT_EQ(shuffled[i].to_text(), names[i].to_text());
  }
}

struct CompareCase {
  const char* label;
  const char* a;
  const char* b;
  int want;  // sign
};

const CompareCase kCompare[] = {
    {"4034 6.1 case folded", "Example.COM", "example.com", 0},
    {"4034 6.1 root sorts first", ".", "com", -1},
    {"4034 6.1 rightmost label decides first", "z.a.com", "a.b.com", -1},
    {"4034 6.1 shorter label that is a prefix sorts first", "ab.com", "abc.com", -1},
    {"4034 6.1 fewer labels sort first", "com", "a.com", -1},
    {"4034 6.1 octets compare unsigned", "\\200.com", "a.com", 1},
};

TEST(CanonicalCompare, Table) {
  for (const auto& c : kCompare) {
    SCOPED_TRACE(c.label);
    int got = canonical_compare(n(c.a), n(c.b));
    EXPECT_EQ((got > 0) - (got < 0), c.want);
    int reverse = canonical_compare(n(c.b), n(c.a));
    EXPECT_EQ((reverse > 0) - (reverse < 0), -c.want);
  }
}

}  // namespace
}  // namespace vmdns::dns

namespace vmdns::dns {
namespace {

TEST(NameFromText, MostLabels) {
  // 127 one-octet labels and the root: 255 octets, the most labels a name can have.
  auto name = Name::from_text(many_labels(127));
  ASSERT_TRUE(name.has_value());
  EXPECT_EQ(name->label_count(), 127u);
  EXPECT_EQ(name->wire_length(), 255u);
  EXPECT_FALSE(Name::from_text(many_labels(128)).has_value());
}

}  // namespace
}  // namespace vmdns::dns
