// Fuzzes the forwarder's parsing of untrusted packets: a client's query (parse_client_query) and
// an upstream's response (answers_query, is_truncated, cache_ttl, rewrite_reply, and the reply
// for an ExternalName's target, rewrite_alias_reply). None may crash or write past its buffer,
// whatever the bytes, and every reply built for the client (rewritten or SERVFAIL) must parse
// with our own parser and carry the client's ID.
//
// Input: one octet of options (bit 0: TCP; bits 1-7: seconds elapsed), two octets of the client
// query's length N, N octets of client query, then the upstream response.
//
//   fuzz_forward_reply -max_total_time=60 fuzz/corpus/forward_reply

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <span>

#include "dns/message_view.h"
#include "dns/rdata.h"
#include "dns/writer.h"
#include "forward/alias_reply.h"
#include "forward/client_query.h"
#include "forward/response.h"
#include "fuzz_check.h"

namespace {

using vmdns::fuzz::check;

constexpr size_t kHeaderLength = vmdns::dns::kHeaderSize;

// A reply of `length` octets (0: none, the caller sends SERVFAIL) is well formed for `client`:
// MessageView reads it as one question and well-formed records with at most one OPT, owned by
// the root, with the client's ID, within the client's limit.
void check_reply(std::span<const uint8_t> out, size_t length,
                 const vmdns::forward::ClientQuery& client) {
  if (length == 0) {
    return;
  }
  check(length >= kHeaderLength && length <= out.size() && length <= client.reply_limit());
  vmdns::dns::MessageView reply(out.first(length));
  check(reply.ok() && reply.opt_error() == vmdns::dns::OptError::None);
  check(reply.header().id == client.id && reply.has_question());
}

}  // namespace

// The libFuzzer entry point; its name is fixed by libFuzzer.
extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {  // NOLINT
  namespace forward = vmdns::forward;
  if (size < 3) {
    return 0;
  }
  auto transport = (data[0] & 1) != 0 ? vmdns::net::Transport::Tcp : vmdns::net::Transport::Udp;
  uint32_t elapsed = data[0] >> 1;
  size_t query_length = std::min<size_t>((size_t{data[1]} << 8) | data[2], size - 3);
  std::span<const uint8_t> query(data + 3, query_length);
  std::span<const uint8_t> response(data + 3 + query_length, size - 3 - query_length);

  forward::ClientQuery client;
  if (!forward::parse_client_query(query, transport, &client)) {
    return 0;
  }
  check(client.reply_limit() >= 512 && client.reply_limit() <= 65535);

  static std::array<uint8_t, 65535> out;
  size_t sent = forward::build_upstream_query(client, 0x1234, 0x0123456789abcdefULL, out);
  check(sent > kHeaderLength && sent <= out.size());
  forward::ClientQuery echoed;
  // The query we send must be one we would accept ourselves.
  check(
      forward::parse_client_query(std::span<const uint8_t>(out.data(), sent), transport, &echoed));
  check(echoed.loop_marker == 0x0123456789abcdefULL);
  size_t servfail = forward::servfail_reply(client, out);
  check(servfail > kHeaderLength && servfail <= out.size());
  check_reply(out, servfail, client);

  (void)forward::answers_query(response, client.id, client.question);
  (void)forward::is_truncated(response);
  (void)forward::cache_ttl(response);
  // Once into a buffer as large as any reply, once into one just large enough for the client.
  size_t n = forward::rewrite_reply(response, client, elapsed, out);
  check(n <= out.size());
  check_reply(out, n, client);
  std::span<uint8_t> limited(out.data(), client.reply_limit());
  n = forward::rewrite_reply(response, client, elapsed, limited);
  check(n <= limited.size());
  check_reply(limited, n, client);

  // The same response as the answer for an ExternalName's target: our CNAME from the client's
  // name to the response's question, then the response's records, decompressed.
  vmdns::dns::MessageView upstream(response);
  if (!upstream.has_question()) {
    return 0;
  }
  vmdns::dns::Name target = upstream.question().name;
  static std::array<uint8_t, 1024> ours;
  vmdns::dns::MessageWriter w(ours, ours.size());
  w.header().flags = vmdns::dns::Header::kQr | vmdns::dns::Header::kAa;
  w.write_question(client.question.name, client.question.type, client.question.qclass);
  w.write_rr(vmdns::dns::Section::Answer, client.question.name, vmdns::dns::RrType::CNAME, 1, 5,
             vmdns::dns::rdata::name(target));
  size_t our_length = w.finish();
  forward::ClientQuery aliased = client;
  if (!forward::follow_alias(std::span<const uint8_t>(ours.data(), our_length), &aliased)) {
    return 0;
  }
  check(aliased.alias && aliased.question.name == target);
  n = forward::rewrite_reply(response, aliased, elapsed, limited);
  check(n <= limited.size());
  check_reply(limited, n, aliased);
  n = forward::servfail_reply(aliased, out);
  check(n > kHeaderLength && n <= out.size());
  check_reply(out, n, aliased);
  return 0;
}
