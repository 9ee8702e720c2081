#include "query/server_search.h"

#include <array>
#include <cstring>

#include "dns/message_view.h"
#include "query/synthesized_node.h"

namespace vmdns::query {
namespace {

// `prefix` (labels without the terminating root) followed by `suffix`; nullopt past 255 octets.
std::optional<dns::Name> join(std::span<const uint8_t> prefix, const dns::Name& suffix) {
  std::array<uint8_t, 2 * dns::kMaxNameLength> wire;
  std::memcpy(wire.data(), prefix.data(), prefix.size());
  std::memcpy(wire.data() + prefix.size(), suffix.wire().data(), suffix.wire_length());
  return dns::Name::from_wire({wire.data(), prefix.size() + suffix.wire_length()});
}

bool exists(const zone::Snapshot& snapshot, const dns::Name& lowercased) {
  const zone::Zone* zone = snapshot.find_zone(lowercased);
  SynthesizedNode made;
  return zone != nullptr && made.find(*zone, lowercased) != nullptr;
}

}  // namespace

SearchStep autopath(const zone::Snapshot& snapshot, const zone::ClientSearch& client,
                    const dns::ParsedQuery& query, const Result& first, std::span<uint8_t> out,
                    net::Transport transport, uint32_t cname_ttl) {
  SearchStep step;
  step.result = first;
  if ((first.outcome != Outcome::Answered && first.outcome != Outcome::Fallthrough) ||
      first.rcode != dns::Rcode::NxDomain ||
      client.search.empty()) {
    return step;
  }
  if (!query.has_question) {
    return step;
  }
  const dns::Name& asked = query.question.name;
  const dns::Name& first_entry = client.search.front();
  if (asked.label_count() <= first_entry.label_count() || !asked.is_subdomain_of(first_entry)) {
    return step;
  }
  // <x>: the labels the client put before its first search entry, as it spelled them.
  std::span<const uint8_t> prefix =
      asked.wire().first(asked.wire_length() - first_entry.wire_length());

  static const dns::Name kRoot;
  bool overwritten = false;
  for (size_t i = 1; i <= client.search.size(); ++i) {
    const dns::Name& suffix = i < client.search.size() ? client.search[i] : kRoot;
    std::optional<dns::Name> candidate = join(prefix, suffix);
    if (!candidate) {
      continue;  // longer than 255 octets: the client's resolver cannot ask it either
    }
    dns::Name lowercased = candidate->lowercased();
    if (snapshot.find_zone(lowercased) == nullptr) {
      step.kind = SearchStep::Kind::Forward;
      step.name = *candidate;
      return step;
    }
    if (!exists(snapshot, lowercased)) {
      continue;
    }
    Result result = answer_alias(&snapshot, dns::ParseStatus::Ok, query, out, transport,
                                 {*candidate, cname_ttl});
    overwritten = true;
    // A CNAME inside our zones that leads nowhere is an NXDOMAIN too: go on.
    if (result.rcode != dns::Rcode::NxDomain) {
      step.kind = SearchStep::Kind::Answered;
      step.result = result;
      return step;
    }
  }
  if (overwritten) {
    step.result = answer(&snapshot, dns::ParseStatus::Ok, query, out, transport);
  }
  return step;
}

std::optional<dns::Name> expand_short_name(const zone::Snapshot& snapshot,
                                           const zone::ClientSearch& client,
                                           const dns::Name& qname) {
  if (qname.label_count() < 2 || client.namespace_domain.is_root() ||
      snapshot.find_zone(qname.lowercased()) != nullptr) {
    return std::nullopt;
  }
  std::optional<dns::Name> candidate = qname.concat(client.namespace_domain);
  if (!candidate || !exists(snapshot, candidate->lowercased())) {
    return std::nullopt;
  }
  return candidate;
}

}  // namespace vmdns::query
