#include "daemon/serve_forward.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>
#include <span>

#include "dispatch/dispatcher.h"

namespace vmdns::daemon {

// The upstreams to forward to: --upstream, else resolv.conf's nameservers other than ourselves.
// Empty (with no error) means names outside our zones are REFUSED.
std::optional<std::vector<forward::Upstream>> upstreams_of(const settings::ServeOptions& options,
                                                           const net::ListenAddress& listen,
                                                           std::string* error) {
  std::vector<forward::Upstream> out;
  if (options.no_upstream) {
    return out;
  }
  if (options.upstreams.empty()) {
    out = forward::system_upstreams(options.resolv_conf, listen);
    if (out.empty()) {
      spdlog::warn(
          "no nameserver in {} other than ourselves: names outside our zones are "
          "refused",
          options.resolv_conf);
    }
    return out;
  }
  for (const std::string& text : options.upstreams) {
    auto upstream = forward::parse_upstream(text, error);
    if (!upstream) {
      *error = "--upstream: " + *error;
      return std::nullopt;
    }
    if (forward::is_self(*upstream, listen)) {
      spdlog::warn("--upstream {} is this server's own address; loops are answered SERVFAIL",
                   upstream->to_string());
    }
    out.push_back(*upstream);
  }
  return out;
}

std::optional<ForwardRoutes> forward_routes_of(const settings::ServeOptions& options,
                                               const net::ListenAddress& listen,
                                               std::string* error) {
  ForwardRoutes out;
  for (const std::string& text : options.stub_domains) {
    auto stub = forward::parse_stub_domain(text, error);
    if (!stub) {
      *error = "--stub-domain: " + *error;
      return std::nullopt;
    }
    for (const forward::StubDomain& seen : out.stubs) {
      if (seen.zone == stub->zone) {
        *error = "--stub-domain: " + stub->zone.to_text() + " is given twice";
        return std::nullopt;
      }
    }
    for (const forward::Upstream& upstream : stub->upstreams) {
      if (forward::is_self(upstream, listen)) {
        spdlog::warn(
            "--stub-domain {}: {} is this server's own address; loops are answered "
            "SERVFAIL",
            stub->zone.to_text(), upstream.to_string());
      }
    }
    out.stubs.push_back(std::move(*stub));
  }
  for (const std::string& text : options.forward_except) {
    std::string detail;
    auto zone = text.empty() ? std::nullopt : dns::Name::from_text(text, &detail);
    if (!zone) {
      *error = "--forward-except: \"" + text + "\" is not a zone name" +
               (detail.empty() ? "" : ": " + detail);
      return std::nullopt;
    }
    out.except.push_back(zone->lowercased());
  }
  return out;
}

// --allow-forward: the clients names outside our zones are forwarded for.
std::optional<net::ClientNetworks> allowed_clients(const settings::ServeOptions& options,
                                                   std::string* error) {
  if (options.allow_forward.empty()) {
    return net::ClientNetworks::private_and_loopback();
  }
  net::ClientNetworks out;
  for (const std::string& text : options.allow_forward) {
    auto network = net::ClientNetworks::parse_network(text, error);
    if (!network) {
      *error = "--allow-forward: " + *error;
      return std::nullopt;
    }
    out.add(*network);
  }
  return out;
}

std::optional<net::ClientNetworks> transfer_clients(const settings::ServeOptions& options,
                                                    std::string* error) {
  net::ClientNetworks out;
  for (const std::string& text : options.allow_transfer) {
    auto network = net::ClientNetworks::parse_network(text, error);
    if (!network) {
      *error = "--allow-transfer: " + *error;
      return std::nullopt;
    }
    out.add(*network);
  }
  return out;
}

std::unique_ptr<forward::Forwarder> start_forwarder(const settings::ServeOptions& options,
                                                    const std::vector<forward::Upstream>& upstreams,
                                                    const ForwardRoutes& routes,
                                                    const net::ClientNetworks& allowed,
                                                    zone::SnapshotHolder& holder,
                                                    ServeMetrics& metrics, std::string* error) {
  // The forwarder's thread answers what server-side search gives back from its own copy of the
  // snapshot pointer.
  auto forwarder_snapshot = std::make_shared<zone::LocalSnapshot>(holder);
  auto forwarder = std::make_unique<forward::Forwarder>(forward::ForwarderOptions{
      .upstreams = upstreams,
      .stub_domains = routes.stubs,
      .except = routes.except,
      .timeout = std::chrono::milliseconds(options.upstream_timeout_ms),
      .deadline = std::chrono::milliseconds(options.forward_deadline_ms),
      .max_in_flight = std::max<size_t>(options.max_forwards, 1),
      .cache_entries = options.cache_size,
      .cache_ttls = {.success_max = options.cache_max_ttl,
                     .success_min = options.cache_min_ttl,
                     .denial_max = options.cache_denial_max_ttl,
                     .denial_min = options.cache_denial_min_ttl},
      .local_answer =
          [forwarder_snapshot](std::span<const uint8_t> query, const forward::ClientQuery& client,
                               std::span<uint8_t> out) {
            return dispatch::Dispatcher::answer_locally(forwarder_snapshot->get(), query, client,
                                                        out);
          },
      .reply_counters = &metrics.queries().add_thread(),
      .worker_reply_metrics = &metrics.queries()});
  if (!forwarder->start(error)) {
    return nullptr;
  }
  auto listed = [](const std::vector<forward::Upstream>& list) {
    std::string out;
    for (const forward::Upstream& upstream : list) {
      out += (out.empty() ? "" : ", ") + upstream.to_string();
    }
    return out;
  };
  std::string clients;
  for (const net::ClientNetwork& network : allowed.networks()) {
    clients += (clients.empty() ? "" : ", ") + network.to_string();
  }
  if (upstreams.empty()) {
    spdlog::info(
        "no default upstream: names outside our zones and outside the stub domains "
        "are refused; stub domains forwarded for clients in {}",
        clients);
  } else {
    spdlog::info("forwarding names outside our zones to {}, for clients in {}", listed(upstreams),
                 clients);
  }
  for (const forward::StubDomain& stub : routes.stubs) {
    spdlog::info("forwarding names in {} to {}", stub.zone.to_text(), listed(stub.upstreams));
  }
  for (const dns::Name& zone : routes.except) {
    spdlog::info("not forwarding names in {} to the default upstreams: they are refused",
                 zone.to_text());
  }
  return forwarder;
}

}  // namespace vmdns::daemon
