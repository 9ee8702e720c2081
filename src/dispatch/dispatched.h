#pragma once
// What came of one query in the pipeline (dispatch::Dispatcher::dispatch): what the counters
// and the query log read instead of parsing the query or the reply again.
//
//   Dispatched d = dispatcher.dispatch(query, out, route);
//   if (d.deferred()) { ...the forwarder replies later and counts that reply itself... }
//   else if (d.length > 0) { ...send out.first(d.length): its rcode is d.rcode... }

#include <cstddef>
#include <cstdint>
#include <limits>

#include "metrics/query_counters.h"

namespace vmdns::dispatch {

// Which step of the pipeline answered.
enum class Outcome : uint8_t {
  Dropped,    // nothing sent: a response, a runt, or over the --rrl rate
  Answered,   // our zones (or an error reply of ours: FORMERR, NOTIMP, REFUSED...)
  Hosts,      // the hosts entries
  Forwarded,  // handed to the forwarder (or answered from its cache): the reply comes later
  Slipped,    // over the --rrl rate, sent truncated
};

struct Dispatched {
  static constexpr size_t kDeferred = std::numeric_limits<size_t>::max();
  // A zone transfer streamed over TCP (server::QueryHandler::kStream): counted by xfr/.
  static constexpr size_t kStream = std::numeric_limits<size_t>::max() - 1;

  size_t length = 0;   // of the reply written; 0: nothing to send; kDeferred: sent later
  uint16_t qtype = 0;  // the question's type, 0 when there is none
  uint8_t rcode = 0;   // the reply's (low 4 bits), when one was written
  Outcome outcome = Outcome::Dropped;
  metrics::Proto proto = metrics::Proto::Udp;
  metrics::Family family = metrics::Family::Ipv4;  // of the client

  bool deferred() const { return length == kDeferred; }
  bool streamed() const { return length == kStream; }
  bool replied() const { return length != 0 && length != kDeferred && length != kStream; }
};

}  // namespace vmdns::dispatch
