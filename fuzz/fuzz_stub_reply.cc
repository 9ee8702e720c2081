// libFuzzer target: a DNS reply as `vmdns lookup` reads it from a server (parse_reply). The
// bytes come from the network; whatever they are, the reply must come back parsed or with an
// error, never a crash, an exception or a read past the packet.
//
// Input: one octet picking the question's type, then the reply. The question is always
// myvmi.mysubdomain.default.svc.cluster.local with ID 0x1234, the ID the corpus's replies carry.

#include <cstddef>
#include <cstdint>
#include <span>

#include "dns/name.h"
#include "dns/types.h"
#include "resolvconf/stub_client.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) {
    return 0;
  }
  static const auto name =
      vmdns::dns::Name::from_text("myvmi.mysubdomain.default.svc.cluster.local");
  static constexpr vmdns::dns::RrType kTypes[] = {
      vmdns::dns::RrType::A, vmdns::dns::RrType::AAAA, vmdns::dns::RrType::SRV,
      vmdns::dns::RrType::PTR, vmdns::dns::RrType::CNAME, vmdns::dns::RrType::TXT};
  vmdns::dns::RrType type = kTypes[data[0] % (sizeof kTypes / sizeof kTypes[0])];
  bool truncated = false;
  auto reply = vmdns::resolvconf::parse_reply(std::span<const uint8_t>(data + 1, size - 1), 0x1234,
                                              *name, type, &truncated);
  for (const auto& record : reply.answers) {
    (void)record.text.size();
  }
  return 0;
}
