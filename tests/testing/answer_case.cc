#include "testing/answer_case.h"

#include <gtest/gtest.h>

#include <array>

#include "builder/build.h"
#include "sources/manifest_loader.h"

namespace vmdns::testing {

rules::ZoneConfig cluster_local_config() {
  rules::ZoneConfig config;
  config.zones = {*dns::Name::from_text("cluster.local")};
  return config;
}

std::shared_ptr<const zone::Snapshot> snapshot_from(
    const std::string& manifests, const std::function<void(rules::ZoneConfig&)>& configure) {
  auto loaded = sources::load_manifest_text(manifests, "test.yaml");
  EXPECT_TRUE(loaded.diagnostics.empty());
  rules::ZoneConfig config = cluster_local_config();
  if (configure) {
    configure(config);
  }
  return builder::build(loaded.state, config);
}

Answered ask(const zone::Snapshot* snapshot, const std::vector<uint8_t>& query,
             net::Transport transport) {
  std::array<uint8_t, 65535> out{};
  Answered answered;
  answered.result = query::answer(snapshot, query, out, transport);
  EXPECT_GT(answered.result.length, 0u);
  auto reply =
      parse_response(std::vector<uint8_t>(out.begin(), out.begin() + answered.result.length));
  EXPECT_TRUE(reply.has_value());
  answered.reply = reply.value_or(ResponseText{});
  return answered;
}

Answered expect_answer(const zone::Snapshot* snapshot, const AnswerCase& c,
                       net::Transport transport) {
  SCOPED_TRACE(c.qname + " " + std::string(dns::rr_type_name(c.qtype)) +
               (transport == net::Transport::Udp ? " udp" : " tcp"));
  Answered answered = ask(snapshot, make_query({.name = c.qname, .type = c.qtype}), transport);
  const ResponseText& r = answered.reply;
  EXPECT_EQ(r.rcode, c.rcode);
  EXPECT_EQ(r.aa, c.aa && c.rcode != dns::Rcode::Refused);
  EXPECT_EQ(r.answer, c.answer);
  EXPECT_EQ(r.authority, c.authority);
  EXPECT_EQ(r.additional, c.additional);
  return answered;
}

}  // namespace vmdns::testing
