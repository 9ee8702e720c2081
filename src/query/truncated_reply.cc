#include "query/truncated_reply.h"

#include "dns/edns.h"
#include "dns/message_view.h"
#include "dns/writer.h"

namespace vmdns::query {

size_t truncated_reply(std::span<const uint8_t> query, std::span<uint8_t> out) {
  dns::ParsedQuery q;
  dns::ParseStatus status = dns::parse_query(query, q);
  return truncated_reply(status, q, out);
}

size_t truncated_reply(dns::ParseStatus status, const dns::ParsedQuery& q,
                       std::span<uint8_t> out) {
  if (status != dns::ParseStatus::Ok || !q.has_question) {
    // A malformed query is not worth a reply when its sender is over the rate.
    return 0;
  }
  // 512 octets hold any question and an OPT: the reply is never cut.
  dns::MessageWriter w(out, 512);
  dns::Header& h = w.header();
  h.id = q.header.id;
  h.flags = dns::Header::kQr | dns::Header::kTc |
            (q.header.flags & (dns::Header::kOpcodeMask | dns::Header::kRd | dns::Header::kCd));
  w.write_question(q.question.name, q.question.type, q.question.qclass);
  if (q.edns.present) {
    w.write_opt(dns::kEdnsPayload, 0, 0, q.edns.dnssec_ok);
  }
  return w.finish();
}

}  // namespace vmdns::query
