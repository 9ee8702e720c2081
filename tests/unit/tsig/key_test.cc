#include "tsig/key.h"

#include <gtest/gtest.h>

namespace vmdns::tsig {
namespace {

struct SpecCase {
  const char* spec;
  const char* name;  // nullptr: rejected
  Algorithm algorithm;
  size_t secret_size;
  const char* error;  // a part of the error
};

TEST(KeySpec, Table) {
  const SpecCase cases[] = {
      {"xfr.example:hmac-sha256:c2VjcmV0", "xfr.example.", Algorithm::HmacSha256, 6, ""},
      {"XFR.Example.:HMAC-SHA512:c2VjcmV0", "xfr.example.", Algorithm::HmacSha512, 6, ""},
      {"k:hmac-sha256.:YQ==", "k.", Algorithm::HmacSha256, 1, ""},
      {"k:hmac-sha256:YWI=", "k.", Algorithm::HmacSha256, 2, ""},
      {"k:hmac-md5:c2VjcmV0", nullptr, Algorithm::HmacSha256, 0,
       "key \"k\": algorithm \"hmac-md5\" is not supported (hmac-sha256 or hmac-sha512)"},
      {"k:hmac-sha1:c2VjcmV0", nullptr, Algorithm::HmacSha256, 0, "hmac-sha1"},
      {"k:hmac-sha256:not base64!", nullptr, Algorithm::HmacSha256, 0, "key \"k\": secret: not base64"},
      {"k:hmac-sha256:", nullptr, Algorithm::HmacSha256, 0, "secret: not base64"},
      {"k:hmac-sha256:YQ=a", nullptr, Algorithm::HmacSha256, 0, "secret: not base64"},
      {"k:hmac-sha256:Y", nullptr, Algorithm::HmacSha256, 0, "secret: not base64"},
      {":hmac-sha256:YQ==", nullptr, Algorithm::HmacSha256, 0, "key \"\": name: empty"},
      {"k..x:hmac-sha256:YQ==", nullptr, Algorithm::HmacSha256, 0, "name:"},
      {"k:hmac-sha256", nullptr, Algorithm::HmacSha256, 0, "expected NAME:ALGORITHM:BASE64"},
      {"", nullptr, Algorithm::HmacSha256, 0, "expected NAME:ALGORITHM:BASE64"},
  };
  for (const SpecCase& c : cases) {
    SCOPED_TRACE(c.spec);
    std::string error;
    std::optional<Key> key = parse_key_spec(c.spec, &error);
    if (c.name == nullptr) {
      EXPECT_FALSE(key);
      EXPECT_NE(error.find(c.error), std::string::npos) << error;
      continue;
    }
    ASSERT_TRUE(key) << error;
    EXPECT_EQ(key->name.to_text(), c.name);
    EXPECT_EQ(key->algorithm, c.algorithm);
    EXPECT_EQ(key->secret.size(), c.secret_size);
  }
}

TEST(Base64, RoundTripsEveryLength) {
  std::vector<uint8_t> bytes;
  for (size_t n = 0; n < 70; ++n) {
    std::string text = encode_base64(bytes);
    if (n == 0) {
      EXPECT_EQ(text, "");
    } else {
      std::optional<std::vector<uint8_t>> back = decode_base64(text);
      ASSERT_TRUE(back) << text;
      EXPECT_EQ(*back, bytes);
    }
    bytes.push_back(static_cast<uint8_t>(n * 37 + 11));
  }
  // RFC 4648 section 10's vectors, and a secret wrapped as key files wrap them.
  EXPECT_EQ(encode_base64(std::vector<uint8_t>{'f', 'o', 'o', 'b'}), "Zm9vYg==");
  EXPECT_EQ(decode_base64("Zm9v\n YmFy"), (std::vector<uint8_t>{'f', 'o', 'o', 'b', 'a', 'r'}));
  EXPECT_FALSE(decode_base64("Zm9=Zm9v"));  // padding before the end
}

TEST(KeyRing, FindsByNameIgnoringCaseAndRefusesTwins) {
  KeyRing ring;
  std::string error;
  ASSERT_TRUE(ring.add(*parse_key_spec("a.example:hmac-sha256:YQ==", &error), &error));
  ASSERT_TRUE(ring.add(*parse_key_spec("b.example:hmac-sha512:Yg==", &error), &error));
  EXPECT_FALSE(ring.add(*parse_key_spec("A.EXAMPLE:hmac-sha512:Yw==", &error), &error));
  EXPECT_EQ(error, "key \"a.example.\" is defined twice");
  const Key* b = ring.find(*dns::Name::from_text("B.Example."));
  ASSERT_NE(b, nullptr);
  EXPECT_EQ(b->algorithm, Algorithm::HmacSha512);
  EXPECT_EQ(ring.find(*dns::Name::from_text("c.example.")), nullptr);
}

}  // namespace
}  // namespace vmdns::tsig
