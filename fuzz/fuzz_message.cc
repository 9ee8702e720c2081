// Fuzzes the query path's codec: parse_query on arbitrary bytes, then, for what parses, a reply
// written with MessageWriter into a small limit so that truncation and rollback run too. Then
// the whole answer path on the same bytes, against a snapshot with --pods insecure, whose
// <dashed-ip>.<ns>.pod.<zone> names are the one family made from the question at query time
// (zone/dashed_address.h): whatever the first label holds, the reply must read back.
//
//   fuzz_message -max_total_time=60 fuzz/corpus/message

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>

#include "cluster/model.h"
#include "dns/message_view.h"
#include "dns/reader.h"
#include "dns/writer.h"
#include "fuzz_check.h"
#include "query/answer.h"
#include "zone/build.h"

namespace {

using vmdns::dns::Header;
using vmdns::dns::MessageWriter;
using vmdns::dns::Name;
using vmdns::dns::ParsedQuery;
using vmdns::dns::ParseStatus;
using vmdns::dns::Reader;
using vmdns::dns::RrType;
using vmdns::dns::Section;
using vmdns::fuzz::check;

// What we write must read back with our own strict reader: every name decompresses to the
// name that was written.
void check_reply(std::span<const uint8_t> reply, const ParsedQuery& q) {
  Reader r(reply, vmdns::dns::kHeaderSize);
  uint16_t qdcount = static_cast<uint16_t>((reply[4] << 8) | reply[5]);
  uint16_t ancount = static_cast<uint16_t>((reply[6] << 8) | reply[7]);
  if (qdcount == 1) {
    Name name;
    check(r.read_name(name));
    check(name == q.question.name);
    check(r.skip(4));
  }
  for (uint16_t i = 0; i < ancount; ++i) {
    Name owner;
    uint16_t type = 0;
    uint16_t rclass = 0;
    uint32_t ttl = 0;
    uint16_t length = 0;
    check(r.read_name(owner) && r.read_u16(type) && r.read_u16(rclass) && r.read_u32(ttl) &&
          r.read_u16(length) && r.skip(length));
    check(owner == q.question.name || owner.is_subdomain_of(q.question.name));
  }
}

// cluster.local with --pods insecure, namespaces default and shop.
const vmdns::zone::Snapshot& insecure_pods_snapshot() {
  static const std::shared_ptr<const vmdns::zone::Snapshot> snapshot = [] {
    vmdns::cluster::State state;
    for (const char* name : {"default", "shop"}) {
      state.namespaces[name].meta.name = name;
    }
    vmdns::zone::ZoneConfig config;
    config.zones = {*Name::from_text("cluster.local")};
    config.pods = vmdns::zone::PodMode::Insecure;
    return vmdns::zone::build(state, config);
  }();
  return *snapshot;
}

// query::answer over both transports: a reply that parses with our reader, within the limit,
// its question the query's.
void check_answer(std::span<const uint8_t> packet) {
  static std::array<uint8_t, 65535> out;
  for (auto transport : {vmdns::query::Transport::Udp, vmdns::query::Transport::Tcp}) {
    vmdns::query::Result result =
        vmdns::query::answer(&insecure_pods_snapshot(), packet, out, transport);
    if (result.length == 0) {
      continue;
    }
    check(result.length >= vmdns::dns::kHeaderSize);
    check(transport == vmdns::query::Transport::Tcp || result.length <= 1232);
    ParsedQuery q;
    if (vmdns::dns::parse_query(packet, q) == ParseStatus::Ok && q.has_question &&
        result.rcode != vmdns::dns::Rcode::FormErr) {
      Reader r(std::span<const uint8_t>(out.data(), result.length), vmdns::dns::kHeaderSize);
      Name name;
      check(r.read_name(name));
      check(name == q.question.name);
    }
  }
}

}  // namespace

// The libFuzzer entry point; its name is fixed by libFuzzer.
extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {  // NOLINT
  std::span<const uint8_t> packet(data, size);
  check_answer(packet);
  ParsedQuery q;
  ParseStatus status = vmdns::dns::parse_query(packet, q);
  if (status != ParseStatus::Ok) {
    return 0;
  }
  check(q.question_end <= size);
  check(q.edns.udp_size >= 512);

  static std::array<uint8_t, 65535> buffer;
  // A small limit, varied by the input, so records sometimes fit and sometimes not.
  size_t limit = 12 + (size % 96);
  MessageWriter w(buffer, limit);
  w.header().id = q.header.id;
  w.header().flags = Header::kQr | (q.header.flags & Header::kRd);
  if (q.edns.present) {
    w.reserve_tail(11);
  }
  if (q.has_question) {
    if (!w.write_question(q.question.name, q.question.type, q.question.qclass)) {
      w.set_truncated();
    }
  }
  static constexpr uint8_t kAddress[4] = {192, 0, 2, 1};
  for (int i = 0; i < 3 && q.has_question; ++i) {
    auto mark = w.mark();
    size_t before = w.size();
    // The question name, and a name below it, to exercise compression both ways.
    std::optional<Name> owner = i == 1 ? q.question.name.prepend("www") : q.question.name;
    if (!owner) {
      continue;
    }
    if (!w.write_rr(Section::Answer, *owner, RrType::A, 1, 30, kAddress)) {
      check(w.size() == before);  // nothing partial is left behind
      w.rollback(mark);
      w.set_truncated();
      break;
    }
  }
  if (q.edns.present) {
    w.reserve_tail(0);
    w.write_opt(1232, 0, 0, q.edns.dnssec_ok);
  }
  size_t n = w.finish();
  check(n <= limit);
  if (n >= vmdns::dns::kHeaderSize) {
    check_reply(std::span<const uint8_t>(buffer.data(), n), q);
  }
  return 0;
}
