#pragma once
// Connects a server worker to the published snapshots: each worker keeps its own snapshot
// pointer (zone::LocalSnapshot), so answering takes no lock. A name outside our zones (the
// answer path's OutOfZone, including reverse names outside our reverse zones) goes to the
// forwarder when there is one: the handler submits the query with its reply route and returns
// kDeferred, and the forwarder answers later from its own thread. Without a forwarder, or when
// the query cannot be forwarded, the REFUSED the answer path wrote is sent as it is; when the
// forwarder has --max-forwards queries in flight, the client gets SERVFAIL at once. An A or
// AAAA query for an ExternalName whose target is outside our zones goes to the forwarder too,
// for the target, and gets our CNAME followed by the upstream's answer.

#include <memory>

#include "forward/alias_reply.h"
#include "forward/client_query.h"
#include "forward/forwarder.h"
#include "query/answer.h"
#include "server/query_handler.h"
#include "server/reply_route.h"
#include "zone/snapshot_holder.h"

namespace vmdns::cli {

class SnapshotQueryHandler : public server::QueryHandler {
 public:
  // `forwarder` may be null: names outside our zones are then REFUSED.
  SnapshotQueryHandler(const zone::SnapshotHolder& holder, forward::Forwarder* forwarder)
      : local_(holder), forward_(forwarder != nullptr ? forwarder->make_client() : nullptr) {}
  explicit SnapshotQueryHandler(const zone::SnapshotHolder& holder)
      : SnapshotQueryHandler(holder, nullptr) {}

  size_t handle(std::span<const uint8_t> query, std::span<uint8_t> out,
                server::Transport transport) override {
    return query::answer(local_.get(), query, out, to_query(transport)).length;
  }

  size_t handle_deferrable(std::span<const uint8_t> query, std::span<uint8_t> out,
                           const server::ReplyRoute& route) override {
    query::Result result = query::answer(local_.get(), query, out, to_query(route.transport));
    if (result.outcome == query::Outcome::AliasOutOfZone && forward_) {
      return forward_alias(query, out, result.length, route);
    }
    if (result.outcome != query::Outcome::OutOfZone || !forward_) {
      return result.length;
    }
    forward::ClientQuery client;
    if (!forward::parse_client_query(query, route.transport, &client)) {
      return result.length;
    }
    if (forward_->submit(client, route)) {
      return kDeferred;
    }
    return forward::servfail_reply(client, out);
  }

 private:
  // An ExternalName's CNAME leads out of our zones: the target's records are asked upstream and
  // follow the CNAME in the reply, as CoreDNS does. When the forwarder cannot take the query,
  // the CNAME alone (already in `out`) is the answer, and the client follows it.
  size_t forward_alias(std::span<const uint8_t> query, std::span<uint8_t> out, size_t length,
                       const server::ReplyRoute& route) {
    forward::ClientQuery client;
    if (!forward::parse_client_query(query, route.transport, &client) ||
        !forward::follow_alias(out.first(length), &client) || !forward_->submit(client, route)) {
      return length;
    }
    return kDeferred;
  }

  static query::Transport to_query(server::Transport transport) {
    return transport == server::Transport::Tcp ? query::Transport::Tcp : query::Transport::Udp;
  }

  zone::LocalSnapshot local_;
  std::unique_ptr<forward::Forwarder::Client> forward_;
};

}  // namespace vmdns::cli
