#pragma once
// Zone transfers out: AXFR (RFC 5936) and IXFR (RFC 1995) of the zones we serve, to the
// clients in --allow-transfer. The query pipeline hands every AXFR and IXFR query here
// (dispatch::Dispatcher); over TCP the reply is a stream of messages that the TCP loop's pump
// thread writes (server/reply_stream.h), each transfer reading one snapshot, held until it
// ends, whatever is published meanwhile. Over UDP: AXFR is refused as Knot DNS and BIND do
// (RFC 5936 section 4.2: AXFR is TCP only), IXFR gets the one SOA of our version
// (RFC 1995 section 2: up to date, or "ask over TCP").
//
//   Transfers transfers({.allow = networks});
//   control options: .on_publish = [&](auto&) { transfers.publish(holder.current()); }
//   Transfers::Answer a = transfers.answer(query_bytes, route, out);   // the worker's thread
//   if (a.stream) { ...TCP: hand the stream to the loop (QueryHandler::kStream)... }
//   else { ...send out.first(a.length)... }
//
// Every transfer is logged when it ends (client, zone, type, serial, messages, octets, time)
// and counted (vmdns_transfers_total); a refusal is logged and counted too.

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>

#include "metrics/exposition.h"
#include "net/client_networks.h"
#include "net/reply_route.h"
#include "server/reply_stream.h"
#include "xfr/journal.h"
#include "xfr/transfer_auth.h"
#include "zone/snapshot_holder.h"

namespace vmdns::xfr {

struct TransferOptions {
  // --allow-transfer; null or empty: every transfer is REFUSED.
  std::shared_ptr<const net::ClientNetworks> allow;
  // TSIG (transfer_auth.h); null: the allow-list alone decides, replies are unsigned.
  std::shared_ptr<const TransferAuth> auth;
  // Transfers streaming at once; one more is answered SERVFAIL (the secondary retries).
  size_t max_streams = 32;
  // The snapshots the workers serve. The journal learns of a publish just after the workers
  // do: for that moment a transfer reads the holder's newest snapshot (a whole zone for IXFR),
  // so that no secondary is told "up to date" with a serial older than the SOA we answer.
  // Null: the journal's newest.
  const zone::SnapshotHolder* holder = nullptr;
};

// What the transfers did, for /metrics. Written by the workers and the pump, read by HTTP.
struct TransferCounters {
  enum Result : size_t {
    kFull,         // AXFR, or IXFR answered with the whole zone
    kIncremental,  // IXFR from the journal
    kUpToDate,     // IXFR: the client has our serial; one SOA
    kUdpSoa,       // IXFR over UDP: one SOA
    kRefused,      // not in --allow-transfer (or refused by the TransferAuth)
    kNotAuth,      // not a zone of ours
    kFormErr,      // a malformed request
    kBusy,         // too many transfers at once
    kAborted,      // the client went away or stalled mid-transfer
    kResults,
  };
  std::atomic<uint64_t> results[kResults] = {};
  std::atomic<uint64_t> messages{0};
  std::atomic<uint64_t> bytes{0};
  std::atomic<uint64_t> streaming{0};
};

class Transfers {
 public:
  explicit Transfers(TransferOptions options);

  // The control thread, after each publish (Journal::publish).
  void publish(std::shared_ptr<const zone::Snapshot> snapshot);

  struct Answer {
    size_t length = 0;  // of a reply written to `out`; 0 with `stream`, or nothing to send
    std::unique_ptr<server::ReplyStream> stream;  // TCP only: the reply's messages
  };
  // `query` is an AXFR or IXFR query as received (every byte, for the TransferAuth);
  // `out` holds 65535 octets.
  Answer answer(std::span<const uint8_t> query, const net::ReplyRoute& route,
                std::span<uint8_t> out);

  // The TSIG check of transfers, which signed queries get too (signed_query.h); null: none.
  const TransferAuth* auth() const { return options_.auth.get(); }
  const TransferCounters& counters() const { return *counters_; }
  const Journal& journal() const { return journal_; }
  // The vmdns_transfer* families.
  void write_metrics(metrics::Exposition& out) const;

 private:
  TransferOptions options_;
  Journal journal_;
  std::shared_ptr<TransferCounters> counters_;  // the streams keep it past our end
};

}  // namespace vmdns::xfr
