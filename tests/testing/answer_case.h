#pragma once
// Answer tables, as CoreDNS's test.Case: a snapshot built from manifests, a question, and the
// reply expected in zone-file presentation format, section by section.
//
//   auto snapshot = testing::snapshot_from(kManifests, [](rules::ZoneConfig& c) { c.ttl = 7; });
//   testing::expect_answer(snapshot.get(), {"web.shop.svc.cluster.local.", RrType::A,
//                                           Rcode::NoError,
//                                           {"web.shop.svc.cluster.local.\t7\tIN\tA\t10.96.0.20"},
//                                           {}});

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "dns/types.h"
#include "net/transport.h"
#include "query/answer.h"
#include "rules/zone_config.h"
#include "testing/dns_text.h"
#include "zone/snapshot.h"

namespace vmdns::testing {

// The zone config of the answer tests: cluster.local, nothing else set.
rules::ZoneConfig cluster_local_config();

// The snapshot of `manifests` (YAML text, which must load without a diagnostic) under
// cluster_local_config() changed by `configure`.
std::shared_ptr<const zone::Snapshot> snapshot_from(
    const std::string& manifests,
    const std::function<void(rules::ZoneConfig&)>& configure = nullptr);

// What query::answer made of `query`: its result, and the reply read back as text.
struct Answered {
  query::Result result;
  ResponseText reply;
};
Answered ask(const zone::Snapshot* snapshot, const std::vector<uint8_t>& query,
             net::Transport transport = net::Transport::Udp);

// One row of an answer table. `aa` is the AA bit expected (a REFUSED is never authoritative).
struct AnswerCase {
  std::string qname;
  dns::RrType qtype;
  dns::Rcode rcode;
  std::vector<std::string> answer;
  std::vector<std::string> authority;
  std::vector<std::string> additional = {};
  bool aa = true;
};

// Asks `c`'s question (RD set, no EDNS) and expects its rcode, AA bit and every section, with
// the row and the transport in the failure message. Returns what was answered.
Answered expect_answer(const zone::Snapshot* snapshot, const AnswerCase& c,
                       net::Transport transport = net::Transport::Udp);

}  // namespace vmdns::testing
