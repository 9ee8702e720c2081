// Fuzzes the message codec: MessageView walks every section of arbitrary bytes (owners through
// compression pointers, rdata names expanded, OPT options) and must agree with parse_query;
// then, for what parses as a query, a reply written with MessageWriter into a small limit so
// that truncation and rollback run too. Then
// the whole answer path on the same bytes, against a snapshot with --pods insecure, whose
// <dashed-ip>.<ns>.pod.<zone> names are the one family made from the question at query time
// (query/dashed_address.h): whatever the first label holds, the reply must read back.
//
//   fuzz_message -max_total_time=60 fuzz/corpus/message

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>

#include "builder/build.h"
#include "cluster/model.h"
#include "dns/edns.h"
#include "dns/message_view.h"
#include "dns/rdata_names.h"
#include "dns/writer.h"
#include "fuzz_check.h"
#include "query/answer.h"

namespace {

using vmdns::dns::EdnsOption;
using vmdns::dns::EdnsOptions;
using vmdns::dns::Header;
using vmdns::dns::MessageError;
using vmdns::dns::MessageView;
using vmdns::dns::MessageWriter;
using vmdns::dns::Name;
using vmdns::dns::OptError;
using vmdns::dns::ParsedQuery;
using vmdns::dns::ParseStatus;
using vmdns::dns::RecordView;
using vmdns::dns::RrType;
using vmdns::dns::Section;
using vmdns::fuzz::check;

// Walks every section of `packet` with MessageView: what it hands out lies inside the packet
// and reads back, and parse_query's verdict agrees with the view's.
void walk_message(std::span<const uint8_t> packet) {
  MessageView m(packet);
  const Header& h = m.header();
  check((m.error() == MessageError::Short) == (packet.size() < vmdns::dns::kHeaderSize));
  check(m.question_end() <= m.records_end() && m.records_end() <= packet.size());
  check(!m.has_question() || m.error() == MessageError::None || m.error() >= MessageError::Answer);
  size_t counted = size_t{h.ancount} + h.nscount + h.arcount;
  size_t records = 0;
  size_t next = m.question_end();
  Section previous = Section::Answer;
  static vmdns::dns::ExpandedRdata expanded;
  for (const RecordView& rr : m.records()) {
    check(rr.offset == next && rr.offset < rr.fields_offset && rr.end() <= packet.size());
    check(rr.section >= previous);
    previous = rr.section;
    Name owner;
    check(rr.read_owner(owner));
    if (auto rdata = vmdns::dns::expand_rdata(rr, expanded)) {
      check(rdata->size() <= vmdns::dns::kMaxExpandedRdata || rdata->data() == rr.rdata.data());
    }
    next = rr.end();
    ++records;
  }
  check(next == m.records_end());
  check(records == m.records().size());
  check(m.ok() ? records == counted : records < counted || m.error() < MessageError::Answer);
  size_t sections = m.answer().size() + m.authority().size() + m.additional().size();
  check(sections == records);
  if (m.edns().present) {
    check(m.opt_offset() >= m.additional().begin()->offset);
    check(m.edns().udp_size >= vmdns::dns::kMinUdpPayload);
    size_t options = 0;
    for (const EdnsOption& o : EdnsOptions(m.edns().options)) {
      options += vmdns::dns::kOptionHeaderSize + o.data.size();
    }
    check(options == m.edns().options.size());  // only a well-formed OPT is read
  }

  ParsedQuery q;
  ParseStatus status = vmdns::dns::parse_query(packet, q);
  if (status == ParseStatus::Ok) {
    check(m.ok() && m.opt_error() == OptError::None && !h.qr());
    check(q.has_question == m.has_question() && q.question_end == m.question_end());
    check(q.edns.present == m.edns().present && q.edns.udp_size == m.edns().udp_size);
    check(!q.has_question || q.question.name == m.question().name);
  } else if (status == ParseStatus::Drop) {
    check(packet.size() < vmdns::dns::kHeaderSize || h.qr());
  } else {
    check(!m.ok() || m.opt_error() != OptError::None ||
          (h.qdcount == 0 && h.opcode() == vmdns::dns::Opcode::Query));
  }
}

// What we write must read back with our own strict reader: every name decompresses to the
// name that was written.
void check_reply(std::span<const uint8_t> reply, const ParsedQuery& q) {
  MessageView m(reply);
  check(m.ok());
  if (m.header().qdcount == 1) {
    check(m.question().name == q.question.name);
  }
  for (const RecordView& rr : m.answer()) {
    Name owner;
    check(rr.read_owner(owner));
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
    vmdns::rules::ZoneConfig config;
    config.zones = {*Name::from_text("cluster.local")};
    config.pods = vmdns::rules::PodMode::Insecure;
    return vmdns::builder::build(state, config);
  }();
  return *snapshot;
}

// query::answer over both transports: a reply that parses with our reader, within the limit,
// its question the query's.
void check_answer(std::span<const uint8_t> packet) {
  static std::array<uint8_t, 65535> out;
  for (auto transport : {vmdns::net::Transport::Udp, vmdns::net::Transport::Tcp}) {
    vmdns::query::Result result =
        vmdns::query::answer(&insecure_pods_snapshot(), packet, out, transport);
    if (result.length == 0) {
      continue;
    }
    check(result.length >= vmdns::dns::kHeaderSize);
    check(transport == vmdns::net::Transport::Tcp || result.length <= vmdns::dns::kEdnsPayload);
    ParsedQuery q;
    if (vmdns::dns::parse_query(packet, q) == ParseStatus::Ok && q.has_question &&
        result.rcode != vmdns::dns::Rcode::FormErr) {
      MessageView reply(std::span<const uint8_t>(out.data(), result.length));
      check(reply.has_question());
      check(reply.question().name == q.question.name);
    }
  }
}

}  // namespace

// The libFuzzer entry point; its name is fixed by libFuzzer.
extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {  // NOLINT
  std::span<const uint8_t> packet(data, size);
  walk_message(packet);
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
    w.reserve_tail(vmdns::dns::kOptFixedSize);
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
    w.write_opt(vmdns::dns::kEdnsPayload, 0, 0, q.edns.dnssec_ok);
  }
  size_t n = w.finish();
  check(n <= limit);
  if (n >= vmdns::dns::kHeaderSize) {
    check_reply(std::span<const uint8_t>(buffer.data(), n), q);
  }
  return 0;
}
