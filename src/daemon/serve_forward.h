#pragma once
// `vmdns serve`'s forwarding of names outside our zones: the upstreams (--upstream, else the
// nameservers of resolv.conf other than ourselves), the stub domains' upstreams and the zones
// not forwarded (--stub-domain, --forward-except), the clients it forwards for
// (--allow-forward), and the forwarder thread started with them.
//
//   auto upstreams = upstreams_of(options, listen, &error);       // empty: REFUSED
//   auto routes = forward_routes_of(options, listen, &error);    // --stub-domain, --forward-except
//   auto allowed = allowed_clients(options, &error);
//   auto forwarder = start_forwarder(options, *upstreams, *routes, *allowed, holder, metrics,
//                                    &error);

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "daemon/serve_metrics.h"
#include "forward/forwarder.h"
#include "forward/upstream.h"
#include "net/client_networks.h"
#include "net/listen_address.h"
#include "settings/serve_options.h"
#include "zone/snapshot_holder.h"

namespace vmdns::daemon {

// The upstreams to forward to: --upstream, else resolv.conf's nameservers other than ourselves.
// Empty (with no error) means names outside our zones are REFUSED.
std::optional<std::vector<forward::Upstream>> upstreams_of(const settings::ServeOptions& options,
                                                           const net::ListenAddress& listen,
                                                           std::string* error);

// --stub-domain and --forward-except, checked.
struct ForwardRoutes {
  std::vector<forward::StubDomain> stubs;
  std::vector<dns::Name> except;
  bool empty() const { return stubs.empty() && except.empty(); }
};
std::optional<ForwardRoutes> forward_routes_of(const settings::ServeOptions& options,
                                               const net::ListenAddress& listen,
                                               std::string* error);

// --allow-transfer: the clients allowed zone transfers (none when not given).
std::optional<net::ClientNetworks> transfer_clients(const settings::ServeOptions& options,
                                                    std::string* error);
// --allow-forward: the clients names outside our zones are forwarded for.
std::optional<net::ClientNetworks> allowed_clients(const settings::ServeOptions& options,
                                                   std::string* error);

// The forwarder thread, started, forwarding to `upstreams` and the stub domains' (not all empty)
// for `allowed` clients, which it logs. What server-side search gives back it answers from
// `holder`'s snapshots; it counts its replies in `metrics`. Null with `error` set when it cannot
// start.
std::unique_ptr<forward::Forwarder> start_forwarder(const settings::ServeOptions& options,
                                                    const std::vector<forward::Upstream>& upstreams,
                                                    const ForwardRoutes& routes,
                                                    const net::ClientNetworks& allowed,
                                                    zone::SnapshotHolder& holder,
                                                    ServeMetrics& metrics, std::string* error);

}  // namespace vmdns::daemon
