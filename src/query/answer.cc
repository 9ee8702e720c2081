#include "query/answer.h"

#include <algorithm>

#include "dns/edns.h"
#include "dns/message_view.h"
#include "dns/reader.h"
#include "dns/writer.h"
#include "query/synthesized_node.h"

namespace vmdns::query {
namespace {

using dns::Header;
using dns::MessageWriter;
using dns::Name;
using dns::Rcode;
using dns::RrType;
using dns::Section;

constexpr uint16_t kClassIn = 1;
constexpr int kMaxCnameChain = 8;  // CNAME hops followed inside our zones

// Whether a set's order may be rotated: the types CoreDNS's loadbalance shuffles.
bool rotatable(const zone::RrSet& set) {
  return set.size() > 1 &&
         (set.type() == RrType::A || set.type() == RrType::AAAA || set.type() == RrType::MX);
}

// Writes every record of `set` under `owner`, all or nothing, from record `rotation % size` on
// when the set is rotatable and `rotation` is not 0. False when the set did not fit.
bool write_set(MessageWriter& w, Section section, const Name& owner, const zone::RrSet& set,
               uint32_t rotation = 0) {
  auto mark = w.mark();
  bool ok = true;
  auto write = [&](std::span<const uint8_t> rdata) {
    if (ok && !w.write_rr(section, owner, set.type(), kClassIn, set.ttl(), rdata)) {
      ok = false;
    }
  };
  if (rotation != 0 && rotatable(set)) {
    // Two walks of the packed rdatas: the records from `first` on, then those before it.
    size_t first = rotation % set.size();
    size_t index = 0;
    set.for_each([&](std::span<const uint8_t> rdata) {
      if (index++ >= first) {
        write(rdata);
      }
    });
    index = 0;
    set.for_each([&](std::span<const uint8_t> rdata) {
      if (index++ < first) {
        write(rdata);
      }
    });
  } else {
    set.for_each(write);
  }
  if (!ok) {
    w.rollback(mark);
  }
  return ok;
}

// Where an rdata's target name starts: after priority, weight and port in an SRV (RFC 2782),
// at once in an NS.
size_t target_offset(RrType type) { return type == RrType::SRV ? 6 : 0; }

// Whether the record at position `index` of `set` names the same target as an earlier one: the
// bare service name holds one SRV per port for each target, and a target's addresses go into
// the additional section once (CoreDNS's isDuplicate). Targets are compared octet by octet,
// case-insensitively; nothing is allocated.
bool earlier_target(const zone::RrSet& set, size_t index, std::span<const uint8_t> target) {
  if (set.targets_referenced()) {
    // Targets stored once in the zone (zone/rr_set.h): the same name is the same reference.
    const uint8_t* mine = set.referenced_target(index);
    for (size_t i = 0; i < index; ++i) {
      if (set.referenced_target(i) == mine) {
        return true;
      }
    }
    return false;
  }
  const size_t offset = target_offset(set.type());
  bool found = false;
  size_t at = 0;
  set.for_each([&](std::span<const uint8_t> rdata) {
    if (found || at++ >= index || rdata.size() != target.size() + offset) {
      return;
    }
    auto other = rdata.subspan(offset);
    found = std::equal(other.begin(), other.end(), target.begin(), [](uint8_t a, uint8_t b) {
      return dns::ascii_lower(a) == dns::ascii_lower(b);
    });
  });
  return found;
}

// SRV and NS targets in our zones get their addresses in the additional section (RFC 2782;
// RFC 1035 section 3.3.11). What does not fit is left out without TC: additional data is
// optional (RFC 2181 section 9).
void add_target_additionals(MessageWriter& w, const zone::Snapshot& snapshot,
                            const zone::RrSet& set, uint32_t rotation) {
  const size_t offset = target_offset(set.type());
  bool room = true;
  size_t index = 0;
  set.for_each([&](std::span<const uint8_t> rdata) {
    size_t this_index = index++;
    if (!room || rdata.size() <= offset ||
        earlier_target(set, this_index, rdata.subspan(offset))) {
      return;
    }
    auto target = Name::from_wire(rdata.subspan(offset));
    if (!target) {
      return;
    }
    Name lower = target->lowercased();
    const zone::Zone* zone = snapshot.find_zone(lower);
    const zone::Node* node = zone ? zone->find(lower) : nullptr;
    if (node == nullptr) {
      return;
    }
    for (RrType type : {RrType::A, RrType::AAAA}) {
      if (const zone::RrSet* address = node->find(type); address && room) {
        room = write_set(w, Section::Additional, *target, *address, rotation);
      }
    }
  });
}

class Responder {
 public:
  Responder(const zone::Snapshot* snapshot, const dns::ParsedQuery& q, MessageWriter& w,
            const Alias* alias, uint32_t rotation)
      : snapshot_(snapshot), q_(q), w_(w), alias_(alias), rotation_(rotation) {}

  // Fills the answer and authority sections; returns the rcode and sets `out_of_zone`.
  Rcode resolve(bool& out_of_zone) {
    out_of_zone = false;
    if (snapshot_ == nullptr) {
      return Rcode::ServFail;  // no data yet: never claim a name does not exist
    }
    Name current = q_.question.name.lowercased();
    const zone::Zone* zone = snapshot_->find_zone(current);
    Name owner = q_.question.name;  // the first owner echoes the question's case
    if (alias_ != nullptr) {
      // AA speaks for the question's name only (RFC 1035 section 4.1.1).
      w_.header().set(Header::kAa, zone != nullptr);
      current = alias_->target.lowercased();
      zone = snapshot_->find_zone(current);
      if (zone == nullptr) {
        out_of_zone = true;
        return Rcode::Refused;
      }
      if (!w_.write_rr(Section::Answer, owner, RrType::CNAME, kClassIn, alias_->ttl,
                       alias_->target.wire())) {
        return truncate();
      }
      owner = alias_->target;
    } else if (zone == nullptr) {
      out_of_zone = true;
      return Rcode::Refused;
    } else {
      w_.header().set(Header::kAa, true);
    }
    RrType qtype = q_.question.type;

    for (int hop = 0; hop <= kMaxCnameChain; ++hop) {
      // A name made at query time (--pods insecure) lives in made_ until the next lookup.
      const zone::Node* node = made_.find(*zone, current);
      if (node == nullptr) {
        if (!snapshot_->synced()) {
          // Before the first sync a name we do not know may well exist: say we cannot tell.
          w_.header().set(Header::kAa, false);
          return Rcode::ServFail;
        }
        // The question's own name, under --fallthrough: not ours to deny (only the
        // question's: a CNAME's target is answered for a name the upstream was not asked).
        falls_through_ = hop == 0 && alias_ == nullptr &&
                         snapshot_->falls_through(*zone, current.wire_view());
        // After a CNAME, the rcode describes the last name in the chain (RFC 6604 section 2.1).
        return negative(*zone, Rcode::NxDomain);
      }
      const zone::RrSet* set = pick_set(*node, qtype);
      if (set != nullptr) {
        if (!write_set(w_, Section::Answer, owner, *set, rotation_)) {
          return truncate();
        }
        if (set->type() == RrType::SRV || set->type() == RrType::NS) {
          add_target_additionals(w_, *snapshot_, *set, rotation_);
        }
        return Rcode::NoError;
      }
      const zone::RrSet* cname = node->find(RrType::CNAME);
      if (cname == nullptr || qtype == RrType::CNAME) {
        return negative(*zone, Rcode::NoError);  // NODATA
      }
      if (!write_set(w_, Section::Answer, owner, *cname)) {
        return truncate();
      }
      // Follow the alias while it stays in our zones; outside them the client resolves it.
      std::optional<Name> target;
      cname->for_each([&](std::span<const uint8_t> rdata) { target = Name::from_wire(rdata); });
      if (!target) {
        return Rcode::NoError;
      }
      owner = *target;
      current = target->lowercased();
      zone = snapshot_->find_zone(current);
      if (zone == nullptr) {
        alias_out_of_zone_ = qtype == RrType::A || qtype == RrType::AAAA;
        return Rcode::NoError;
      }
    }
    return Rcode::NoError;  // a chain longer than we follow: the client takes it from here
  }

  // After resolve(): the answer is a CNAME chain that leaves our zones, for an A or AAAA query.
  bool alias_out_of_zone() const { return alias_out_of_zone_; }
  // After resolve(): the NXDOMAIN is for a name under a --fallthrough zone.
  bool falls_through() const { return falls_through_; }

 private:
  // RFC 8482: ANY gets one record set of the name, never all of them.
  static const zone::RrSet* pick_set(const zone::Node& node, RrType qtype) {
    if (qtype == RrType::ANY) {
      return node.rrsets().empty() ? nullptr : &node.rrsets().front();
    }
    return node.find(qtype);
  }

  Rcode negative(const zone::Zone& zone, Rcode rcode) {
    if (!write_set(w_, Section::Authority, zone.apex(), zone.soa())) {
      return truncate();
    }
    return rcode;
  }

  Rcode truncate() {
    // RFC 2181 section 9: when required data does not fit, set TC; the client retries over TCP.
    w_.set_truncated();
    return Rcode::NoError;
  }

  const zone::Snapshot* snapshot_;
  const dns::ParsedQuery& q_;
  MessageWriter& w_;
  const Alias* alias_;
  bool alias_out_of_zone_ = false;
  SynthesizedNode made_;
  bool falls_through_ = false;
  uint32_t rotation_ = 0;
};

size_t reply_limit(const dns::ParsedQuery& q, net::Transport transport) {
  return transport == net::Transport::Tcp ? dns::kMaxMessageSize : dns::udp_reply_limit(q.edns);
}

Result respond(const zone::Snapshot* snapshot, dns::ParseStatus status, const dns::ParsedQuery& q,
               std::span<uint8_t> out, net::Transport transport, const Alias* alias,
               uint32_t rotation) {
  if (status == dns::ParseStatus::Drop) {
    return {0, Outcome::Dropped, Rcode::NoError};
  }

  MessageWriter w(out, reply_limit(q, transport));
  Header& h = w.header();
  h.id = q.header.id;
  h.flags = Header::kQr | (q.header.flags & (Header::kOpcodeMask | Header::kRd | Header::kCd));

  Outcome outcome = Outcome::Answered;
  Rcode rcode = Rcode::NoError;
  if (status == dns::ParseStatus::FormErr) {
    rcode = Rcode::FormErr;
  } else {
    if (q.edns.present) {
      w.reserve_tail(dns::kOptFixedSize);  // the OPT must fit whatever else is cut
    }
    if (q.has_question) {
      w.write_question(q.question.name, q.question.type, q.question.qclass);
    }
    if (q.edns.present && q.edns.version != 0) {
      rcode = Rcode::BadVers;  // RFC 6891 section 6.1.3: do not process the query
    } else if (q.header.opcode() != dns::Opcode::Query) {
      rcode = Rcode::NotImp;
    } else if (!q.has_question) {
      rcode = Rcode::FormErr;
    } else if (q.question.qclass != kClassIn) {
      rcode = Rcode::Refused;  // we hold only class IN data
    } else if (q.question.type == RrType::AXFR || q.question.type == RrType::IXFR) {
      rcode = Rcode::Refused;  // zone transfers are not offered
    } else if (q.question.type == RrType::OPT) {
      rcode = Rcode::FormErr;  // OPT is a pseudo-type and cannot be asked for (RFC 6891 6.1.1)
    } else {
      bool out_of_zone = false;
      Responder responder(snapshot, q, w, alias, rotation);
      rcode = responder.resolve(out_of_zone);
      if (out_of_zone) {
        outcome = Outcome::OutOfZone;
      } else if (responder.alias_out_of_zone()) {
        outcome = Outcome::AliasOutOfZone;
      } else if (responder.falls_through() && rcode == Rcode::NxDomain) {
        outcome = Outcome::Fallthrough;
      }
    }
  }

  uint16_t code = static_cast<uint16_t>(rcode);
  h.set_rcode_low(code & 0xF);
  if (q.edns.present) {
    w.reserve_tail(0);
    // RFC 3225 section 3: the DO bit is copied into the response.
    w.write_opt(dns::kEdnsPayload, static_cast<uint8_t>(code >> 4), 0, q.edns.dnssec_ok);
  }
  return {w.finish(), outcome, rcode};
}

}  // namespace

void prefetch(const zone::Snapshot* snapshot, const dns::Name& name) {
  if (snapshot == nullptr) {
    return;
  }
  Name lower = name.lowercased();
  if (const zone::Zone* zone = snapshot->find_zone(lower)) {
    zone->prefetch(lower.wire_view());
  }
}

void prefetch(const zone::Snapshot* snapshot, std::span<const uint8_t> query) {
  if (snapshot == nullptr || query.size() <= dns::kHeaderSize) {
    return;
  }
  dns::Reader reader(query, dns::kHeaderSize);
  Name name;
  if (!reader.read_name(name)) {
    return;
  }
  prefetch(snapshot, name);
}

Result answer(const zone::Snapshot* snapshot, dns::ParseStatus status,
              const dns::ParsedQuery& query, std::span<uint8_t> out, net::Transport transport,
              uint32_t rotation) {
  return respond(snapshot, status, query, out, transport, nullptr, rotation);
}

Result answer_alias(const zone::Snapshot* snapshot, dns::ParseStatus status,
                    const dns::ParsedQuery& query, std::span<uint8_t> out, net::Transport transport,
                    const Alias& alias) {
  return respond(snapshot, status, query, out, transport, &alias, 0);
}

Result answer(const zone::Snapshot* snapshot, std::span<const uint8_t> query,
              std::span<uint8_t> out, net::Transport transport, uint32_t rotation) {
  dns::ParsedQuery q;
  dns::ParseStatus status = dns::parse_query(query, q);
  return respond(snapshot, status, q, out, transport, nullptr, rotation);
}

Result answer_alias(const zone::Snapshot* snapshot, std::span<const uint8_t> query,
                    std::span<uint8_t> out, net::Transport transport, const Alias& alias) {
  dns::ParsedQuery q;
  dns::ParseStatus status = dns::parse_query(query, q);
  return respond(snapshot, status, q, out, transport, &alias, 0);
}

}  // namespace vmdns::query
