// libFuzzer target: a TSIG key file (--tsig-key-file, BIND's key statements) and a --tsig-key
// spec. Whatever the bytes, nothing crashes or throws; an error names the file and a line; a
// parse gives keys of a supported algorithm with distinct names, each of which signs a message
// that verifies with it.

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>

#include "dns/writer.h"
#include "fuzz_check.h"
#include "tsig/key_file.h"
#include "tsig/signer.h"
#include "tsig/verifier.h"

using namespace vmdns;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text = fuzz::as_text(data, size);
  tsig::KeyFileParse parsed = tsig::parse_key_file(text, "k.conf");
  if (!parsed.error.empty()) {
    fuzz::check(parsed.error.starts_with("k.conf:"));
    fuzz::check(parsed.keys.empty());
  }
  tsig::KeyRing ring;
  std::string error;
  for (const tsig::Key& key : parsed.keys) {
    fuzz::check(ring.add(key, &error));  // the parser already refused twins
  }
  size_t checked = 0;
  for (const tsig::Key& key : ring.keys()) {
    if (++checked > 4) {
      break;
    }
    std::array<uint8_t, 1024> buf;
    dns::MessageWriter w(buf, buf.size());
    tsig::Signer signer(key);
    w.reserve_tail(signer.space());
    w.write_question(key.name, dns::RrType::SOA, 1);
    size_t n = signer.sign(w, buf, 1'800'000'000);
    fuzz::check(n > 0);
    fuzz::check(tsig::check_request({buf.data(), n}, ring, 1'800'000'000).status ==
                tsig::Status::Ok);
  }
  // The same bytes as a --tsig-key spec, and as a signed request checked against the keys.
  std::string spec_error;
  std::optional<tsig::Key> key = tsig::parse_key_spec(text, &spec_error);
  fuzz::check(key.has_value() || !spec_error.empty());
  (void)tsig::check_request({data, size}, ring, 1'800'000'000);
  return 0;
}
