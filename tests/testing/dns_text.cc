#include "testing/dns_text.h"

#include <array>

#include "dns/edns.h"
#include "dns/message_view.h"
#include "dns/name.h"
#include "dns/rdata.h"
#include "dns/rdata_names.h"

namespace vmdns::testing {
namespace {

void put16(std::vector<uint8_t>& out, uint16_t v) {
  out.push_back(v >> 8);
  out.push_back(v & 0xFF);
}

}  // namespace

std::vector<uint8_t> make_query(const QuerySpec& spec) {
  std::vector<uint8_t> out;
  put16(out, spec.id);
  put16(out, spec.rd ? 0x0100 : 0);
  put16(out, 1);
  put16(out, 0);
  put16(out, 0);
  put16(out, spec.edns ? 1 : 0);
  auto name = dns::Name::from_text(spec.name);
  out.insert(out.end(), name->wire().begin(), name->wire().end());
  put16(out, static_cast<uint16_t>(spec.type));
  put16(out, spec.qclass);
  if (spec.edns) {
    std::array<uint8_t, dns::kOptFixedSize> opt;
    dns::write_opt_record(opt, {.udp_size = spec.udp_size, .version = spec.edns_version});
    out.insert(out.end(), opt.begin(), opt.end());
  }
  return out;
}

std::optional<ResponseText> parse_response(const std::vector<uint8_t>& packet) {
  dns::MessageView m(packet);
  if (!m.ok()) {
    return std::nullopt;
  }
  const dns::Header& h = m.header();
  ResponseText out;
  out.id = h.id;
  out.qr = h.qr();
  out.aa = h.aa();
  out.tc = h.tc();
  out.rd = h.rd();
  out.ra = h.ra();
  if (m.has_question()) {
    out.question = m.question().name.to_text() + " " + dns::rr_type_name(m.question().type);
  }
  uint16_t rcode = h.rcode_low();
  std::vector<std::string>* sections[3] = {&out.answer, &out.authority, &out.additional};
  dns::ExpandedRdata expanded;
  for (const dns::RecordView& rr : m.records()) {
    if (rr.type == dns::RrType::OPT) {
      out.has_opt = true;
      out.opt_udp_size = rr.rclass;  // as written, not raised to 512
      dns::Edns edns;
      dns::decode_opt(rr.rclass, rr.ttl, rr.rdata, edns);
      rcode |= static_cast<uint16_t>(edns.extended_rcode << 4);
      continue;
    }
    dns::Name owner;
    auto rdata = dns::expand_rdata(rr, expanded);
    if (!rdata || !rr.read_owner(owner)) {
      return std::nullopt;
    }
    sections[static_cast<size_t>(rr.section)]->push_back(
        owner.to_text() + "\t" + std::to_string(rr.ttl) + "\tIN\t" + dns::rr_type_name(rr.type) +
        "\t" + dns::rdata::to_text(rr.type, *rdata));
  }
  out.rcode = static_cast<dns::Rcode>(rcode);
  return out;
}

}  // namespace vmdns::testing
