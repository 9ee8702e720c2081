// Dispatcher: the steps that hand a query to the forwarder (server-side search included),
// with the query as parsed once.

#include "dispatch/dispatcher.h"
#include "forward/alias_reply.h"
#include "query/server_search.h"

namespace vmdns::dispatch {

// An ExternalName's CNAME leads out of our zones: the target's records are asked upstream and
// follow the CNAME in the reply, as CoreDNS does. When the forwarder cannot take the query,
// the CNAME alone (already in `out`) is the answer, and the client follows it.
size_t Dispatcher::forward_alias(const Parsed& q, std::span<uint8_t> out, size_t length,
                                 const net::ReplyRoute& route) {
  forward::ClientQuery client;
  if (!forward::make_client_query(q.query, q.wire, route.transport, &client) ||
      !forward::follow_alias(out.first(length), &client) ||
      !forward_->forwards(client.question.name) || !forward_->submit(client, route)) {
    return length;
  }
  return Dispatched::kDeferred;
}

// Server-side search (query/server_search.h): --expand-short-names before a name outside our
// zones is forwarded, --autopath after an NXDOMAIN. A walk that leaves our zones goes to the
// forwarder with a ClientQuery::Rewrite, which answers the client through answer_locally() (in
// the forwarder's thread) when the upstream has nothing.
size_t Dispatcher::search(const zone::Snapshot& snapshot, const zone::ClientSearch& client,
                          const Parsed& q, const query::Result& result, std::span<uint8_t> out,
                          const net::ReplyRoute& route) {
  net::Transport transport = route.transport;
  forward::ClientQuery forwarded;
  if (result.outcome == query::Outcome::OutOfZone) {
    if (!search_.expand_short_names ||
        !forward::make_client_query(q.query, q.wire, route.transport, &forwarded)) {
      return forward_ ? forward_or_keep(q, result, out, route) : result.length;
    }
    auto expansion = query::expand_short_name(snapshot, client, forwarded.question.name);
    if (!expansion) {
      return forward_ ? submit(forwarded, route, out) : result.length;
    }
    if (!forward_) {
      // No upstream to ask first: the name is ours to expand.
      return query::answer_alias(&snapshot, q.status, q.query, out, transport,
                                 {*expansion, search_.cname_ttl})
          .length;
    }
    forwarded.rewrite = forward::ClientQuery::Rewrite::ShortName;
    forwarded.expansion = *expansion;
    forwarded.expansion_ttl = search_.cname_ttl;
    return submit(forwarded, route, out);
  }
  if (!search_.autopath || q.status != dns::ParseStatus::Ok) {
    return result.outcome == query::Outcome::Fallthrough && forward_
               ? forward_or_keep(q, result, out, route)
               : result.length;
  }
  query::SearchStep step =
      query::autopath(snapshot, client, q.query, result, out, transport, search_.cname_ttl);
  if (step.kind != query::SearchStep::Kind::Forward) {
    // The name found is an ExternalName leading out of our zones: its target's records are
    // asked upstream, behind both CNAMEs, as for the ExternalName asked directly.
    if (step.result.outcome == query::Outcome::AliasOutOfZone && forward_) {
      return forward_alias(q, out, step.result.length, route);
    }
    // The walk found nothing, and the name asked is under --fallthrough: the upstream's.
    if (step.kind == query::SearchStep::Kind::Unchanged &&
        step.result.outcome == query::Outcome::Fallthrough && forward_) {
      return forward_or_keep(q, step.result, out, route);
    }
    return step.result.length;
  }
  if (forward_ && forward_->forwards(step.name) &&
      forward::make_client_query(q.query, q.wire, route.transport, &forwarded)) {
    forwarded.rewrite = forward::ClientQuery::Rewrite::Autopath;
    forwarded.alias = forward::search_alias(forwarded.question.name, step.name, search_.cname_ttl);
    forwarded.question.name = step.name;
    if (forward_->submit(forwarded, route)) {
      return Dispatched::kDeferred;
    }
  }
  // Nothing to ask, or no room to ask it: the client walks its list itself.
  return query::answer(&snapshot, q.status, q.query, out, transport).length;
}

size_t Dispatcher::forward_or_keep(const Parsed& q, const query::Result& result,
                                   std::span<uint8_t> out, const net::ReplyRoute& route) {
  forward::ClientQuery client;
  if (!forward::make_client_query(q.query, q.wire, route.transport, &client) ||
      !takes(client.question.name)) {
    return result.length;
  }
  return submit(client, route, out);
}

// Whether some upstream takes `name` (a fallthrough name under --forward-except, or outside
// the stub domains with no default upstream, keeps our NXDOMAIN). Names outside our zones
// were checked before forward_ was chosen; asking again is cheap and changes nothing.
bool Dispatcher::takes(const dns::Name& name) const {
  return forward_->forwards_every_name() || forward_->forwards(name);
}

size_t Dispatcher::submit(const forward::ClientQuery& client, const net::ReplyRoute& route,
                          std::span<uint8_t> out) {
  // A cached name is answered here, in the worker, from the worker's own cache shard.
  if (forward_->reply_from_cache(client, route, out) || forward_->submit(client, route)) {
    return Dispatched::kDeferred;
  }
  return forward::servfail_reply(client, out);
}

}  // namespace vmdns::dispatch
