#pragma once
// Connects a server worker to the published snapshots: each worker keeps its own snapshot
// pointer (zone::LocalSnapshot), so answering takes no lock. A name outside our zones (the
// answer path's OutOfZone, including reverse names outside our reverse zones) goes to the
// forwarder when there is one: the handler submits the query with its reply route and returns
// kDeferred, and the forwarder answers later from its own thread. Without a forwarder, or when
// the query cannot be forwarded, the REFUSED the answer path wrote is sent as it is; when the
// forwarder has --max-forwards queries in flight, the client gets SERVFAIL at once. An A or
// AAAA query for an ExternalName whose target is outside our zones goes to the forwarder too,
// for the target, and gets our CNAME followed by the upstream's answer. An NXDOMAIN for a name
// under a --fallthrough zone (the answer path's Fallthrough: in-addr.arpa names no Service or
// workload of ours has) is forwarded the same way; without a forwarder for this client, our
// NXDOMAIN is the answer.
//
// Forwarding is only for clients in --allow-forward (`allow_forward`; null allows everyone):
// any other client gets REFUSED for a name outside our zones and our CNAME alone for an
// ExternalName, so vmdns is not an open resolver (RFC 5358). Our own zones answer everyone.
// A name that no upstream takes (Forwarder::Client::forwards: --forward-except, or no default
// upstream outside the --stub-domain zones) is answered the same way, for every client (our
// NXDOMAIN for a --fallthrough name).
//
// Hosts entries (--host, --hosts-file) answer a name our zones do not have (outside them, or
// NXDOMAIN in them) before server-side search and forwarding: hosts/hosts_answer.h.
//
// Server-side search (query/server_search.h), when enabled, is one step around the answer
// path, taken only for a client whose address the snapshot knows: --autopath after an
// NXDOMAIN, --expand-short-names before a name outside our zones is forwarded. A walk that
// leaves our zones goes to the forwarder with a ClientQuery::Rewrite, which answers the client
// through answer_locally() (in the forwarder's thread) when the upstream has nothing.

#include <netinet/in.h>

#include <memory>

#include "forward/alias_reply.h"
#include "forward/client_query.h"
#include "forward/forwarder.h"
#include "hosts/hosts_answer.h"
#include "hosts/hosts_holder.h"
#include "query/answer.h"
#include "query/server_search.h"
#include "server/client_networks.h"
#include "server/query_handler.h"
#include "server/reply_route.h"
#include "zone/snapshot_holder.h"

namespace vmdns::cli {

struct ServerSearchOptions {
  bool autopath = false;            // --autopath
  bool expand_short_names = false;  // --expand-short-names
  uint32_t cname_ttl = 5;           // of the CNAMEs made up for a client (--ttl)
  bool enabled() const { return autopath || expand_short_names; }
};

class SnapshotQueryHandler : public server::QueryHandler {
 public:
  // `forwarder` may be null: names outside our zones are then REFUSED.
  // `hosts` may be null: no hosts entries.
  SnapshotQueryHandler(const zone::SnapshotHolder& holder, forward::Forwarder* forwarder,
                       ServerSearchOptions search = {},
                       std::shared_ptr<const server::ClientNetworks> allow_forward = nullptr,
                       const hosts::HostsHolder* hosts = nullptr, bool loadbalance = false)
      : local_(holder),
        forwarder_client_(forwarder != nullptr ? forwarder->make_client() : nullptr),
        search_(search),
        allow_forward_(std::move(allow_forward)),
        hosts_(hosts != nullptr ? std::make_unique<hosts::LocalHosts>(*hosts) : nullptr),
        loadbalance_(loadbalance) {}
  explicit SnapshotQueryHandler(const zone::SnapshotHolder& holder)
      : SnapshotQueryHandler(holder, nullptr) {}

  size_t handle(std::span<const uint8_t> query, std::span<uint8_t> out,
                server::Transport transport) override {
    return query::answer(local_.get(), query, out, to_query(transport), next_rotation()).length;
  }

  void prefetch(std::span<const uint8_t> query) override {
    query::prefetch(local_.get(), query);
  }

  size_t handle_deferrable(std::span<const uint8_t> query, std::span<uint8_t> out,
                           const server::ReplyRoute& route) override {
    const zone::Snapshot* snapshot = local_.get();
    query::Transport transport = to_query(route.transport);
    // What follows forwards through forward_, which is null for a client we do not forward for.
    forward_ = forwarder_client_ && (!allow_forward_ || allow_forward_->contains(route.peer))
                   ? forwarder_client_.get()
                   : nullptr;
    query::Result result = query::answer(snapshot, query, out, transport, next_rotation());
    // Hosts entries answer names our zones do not have, before any search or forwarding. Our
    // zones answer first, so a query for a cluster name costs no hosts lookup.
    if (hosts_ && (result.outcome == query::Outcome::OutOfZone ||
                   result.rcode == dns::Rcode::NxDomain)) {
      if (const hosts::HostsTable* table = hosts_->get()) {
        // A reply that fit `out` leaves room for its question: hosts::answer writes nothing
        // unless it answers.
        size_t length =
            hosts::answer(*table, query, out, route.transport == server::Transport::Tcp);
        if (length != 0) {
          return length;
        }
      }
    }
    // A name no upstream takes (--forward-except, or no default upstream outside the stub
    // domains) is answered as for a client we do not forward for.
    if (result.outcome == query::Outcome::OutOfZone && forward_ &&
        !forward_->forwards_every_name() && !forwards_question(query, route)) {
      forward_ = nullptr;
    }
    if (result.outcome == query::Outcome::AliasOutOfZone && forward_) {
      return forward_alias(query, out, result.length, route);
    }
    if (search_.enabled() && snapshot != nullptr &&
        (result.rcode == dns::Rcode::NxDomain || result.outcome == query::Outcome::OutOfZone)) {
      if (const zone::ClientSearch* client = client_of(*snapshot, route)) {
        return search(*snapshot, *client, query, result, out, route);
      }
    }
    if ((result.outcome != query::Outcome::OutOfZone &&
         result.outcome != query::Outcome::Fallthrough) ||
        !forward_) {
      return result.length;
    }
    forward::ClientQuery client;
    if (!forward::parse_client_query(query, route.transport, &client) ||
        !takes(client.question.name)) {
      return result.length;
    }
    return submit(client, route, out);
  }

  // What the forwarder calls (forward::LocalAnswer) for a query it gives back: autopath gave up
  // (the client's own NXDOMAIN), or a short name the upstream does not have.
  static size_t answer_locally(const zone::Snapshot* snapshot, std::span<const uint8_t> query,
                               const forward::ClientQuery& client, std::span<uint8_t> out) {
    query::Transport transport = to_query(client.transport);
    if (client.rewrite == forward::ClientQuery::Rewrite::ShortName) {
      return query::answer_alias(snapshot, query, out, transport,
                                 {client.expansion, client.expansion_ttl})
          .length;
    }
    return query::answer(snapshot, query, out, transport).length;
  }

 private:
  // An ExternalName's CNAME leads out of our zones: the target's records are asked upstream and
  // follow the CNAME in the reply, as CoreDNS does. When the forwarder cannot take the query,
  // the CNAME alone (already in `out`) is the answer, and the client follows it.
  size_t forward_alias(std::span<const uint8_t> query, std::span<uint8_t> out, size_t length,
                       const server::ReplyRoute& route) {
    forward::ClientQuery client;
    if (!forward::parse_client_query(query, route.transport, &client) ||
        !forward::follow_alias(out.first(length), &client) ||
        !forward_->forwards(client.question.name) || !forward_->submit(client, route)) {
      return length;
    }
    return kDeferred;
  }

  static query::Transport to_query(server::Transport transport) {
    return transport == server::Transport::Tcp ? query::Transport::Tcp : query::Transport::Udp;
  }

  static const zone::ClientSearch* client_of(const zone::Snapshot& snapshot,
                                             const server::ReplyRoute& route) {
    if (route.peer.ss_family == AF_INET) {
      const auto& v4 = reinterpret_cast<const sockaddr_in&>(route.peer);
      return snapshot.clients().find(
          {reinterpret_cast<const uint8_t*>(&v4.sin_addr), sizeof(v4.sin_addr)});
    }
    if (route.peer.ss_family == AF_INET6) {
      const auto& v6 = reinterpret_cast<const sockaddr_in6&>(route.peer);
      return snapshot.clients().find(
          {reinterpret_cast<const uint8_t*>(&v6.sin6_addr), sizeof(v6.sin6_addr)});
    }
    return nullptr;
  }

  size_t search(const zone::Snapshot& snapshot, const zone::ClientSearch& client,
                std::span<const uint8_t> query, const query::Result& result, std::span<uint8_t> out,
                const server::ReplyRoute& route) {
    query::Transport transport = to_query(route.transport);
    forward::ClientQuery forwarded;
    if (result.outcome == query::Outcome::OutOfZone) {
      if (!search_.expand_short_names ||
          !forward::parse_client_query(query, route.transport, &forwarded)) {
        return forward_ ? forward_or_keep(query, result, out, route) : result.length;
      }
      auto expansion = query::expand_short_name(snapshot, client, forwarded.question.name);
      if (!expansion) {
        return forward_ ? submit(forwarded, route, out) : result.length;
      }
      if (!forward_) {
        // No upstream to ask first: the name is ours to expand.
        return query::answer_alias(&snapshot, query, out, transport,
                                   {*expansion, search_.cname_ttl})
            .length;
      }
      forwarded.rewrite = forward::ClientQuery::Rewrite::ShortName;
      forwarded.expansion = *expansion;
      forwarded.expansion_ttl = search_.cname_ttl;
      return submit(forwarded, route, out);
    }
    if (!search_.autopath) {
      return result.outcome == query::Outcome::Fallthrough && forward_
                 ? forward_or_keep(query, result, out, route)
                 : result.length;
    }
    query::SearchStep step =
        query::autopath(snapshot, client, query, result, out, transport, search_.cname_ttl);
    if (step.kind != query::SearchStep::Kind::Forward) {
      // The name found is an ExternalName leading out of our zones: its target's records are
      // asked upstream, behind both CNAMEs, as for the ExternalName asked directly.
      if (step.result.outcome == query::Outcome::AliasOutOfZone && forward_) {
        return forward_alias(query, out, step.result.length, route);
      }
      // The walk found nothing, and the name asked is under --fallthrough: the upstream's.
      if (step.kind == query::SearchStep::Kind::Unchanged &&
          step.result.outcome == query::Outcome::Fallthrough && forward_) {
        return forward_or_keep(query, step.result, out, route);
      }
      return step.result.length;
    }
    if (forward_ && forward_->forwards(step.name) &&
        forward::parse_client_query(query, route.transport, &forwarded)) {
      forwarded.rewrite = forward::ClientQuery::Rewrite::Autopath;
      forwarded.alias =
          forward::search_alias(forwarded.question.name, step.name, search_.cname_ttl);
      forwarded.question.name = step.name;
      if (forward_->submit(forwarded, route)) {
        return kDeferred;
      }
    }
    // Nothing to ask, or no room to ask it: the client walks its list itself.
    return query::answer(&snapshot, query, out, transport).length;
  }

  bool forwards_question(std::span<const uint8_t> query, const server::ReplyRoute& route) const {
    forward::ClientQuery client;
    return forward::parse_client_query(query, route.transport, &client) &&
           forward_->forwards(client.question.name);
  }

  size_t forward_or_keep(std::span<const uint8_t> query, const query::Result& result,
                         std::span<uint8_t> out, const server::ReplyRoute& route) {
    forward::ClientQuery client;
    if (!forward::parse_client_query(query, route.transport, &client) ||
        !takes(client.question.name)) {
      return result.length;
    }
    return submit(client, route, out);
  }

  // Whether some upstream takes `name` (a fallthrough name under --forward-except, or outside
  // the stub domains with no default upstream, keeps our NXDOMAIN). Names outside our zones
  // were checked before forward_ was chosen; asking again is cheap and changes nothing.
  bool takes(const dns::Name& name) const {
    return forward_->forwards_every_name() || forward_->forwards(name);
  }

  size_t submit(const forward::ClientQuery& client, const server::ReplyRoute& route,
                std::span<uint8_t> out) {
    // A cached name is answered here, in the worker, from the worker's own cache shard.
    if (forward_->reply_from_cache(client, route, out) || forward_->submit(client, route)) {
      return kDeferred;
    }
    return forward::servfail_reply(client, out);
  }

  // --loadbalance: each reply of this worker starts its address sets one record further on
  // (query::answer's rotation); 0, the stored order, without it.
  uint32_t next_rotation() {
    if (!loadbalance_) {
      return 0;
    }
    rotation_ = rotation_ == UINT32_MAX ? 1 : rotation_ + 1;
    return rotation_;
  }

  zone::LocalSnapshot local_;
  std::unique_ptr<forward::Forwarder::Client> forwarder_client_;
  // The forwarder for the query being answered: forwarder_client_ when the client may use it.
  forward::Forwarder::Client* forward_ = nullptr;
  ServerSearchOptions search_;
  std::shared_ptr<const server::ClientNetworks> allow_forward_;
  std::unique_ptr<hosts::LocalHosts> hosts_;
  bool loadbalance_ = false;
  uint32_t rotation_ = 0;
};

}  // namespace vmdns::cli
