#include "cli/serve_forward.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>
#include <span>

#include "cli/snapshot_query_handler.h"

namespace vmdns::cli {

// The upstreams to forward to: --upstream, else resolv.conf's nameservers other than ourselves.
// Empty (with no error) means names outside our zones are REFUSED.
std::optional<std::vector<forward::Upstream>> upstreams_of(const ServeOptions& options,
                                                           const server::ListenAddress& listen,
                                                           std::string* error) {
  std::vector<forward::Upstream> out;
  if (options.no_upstream) {
    return out;
  }
  if (options.upstreams.empty()) {
    out = forward::system_upstreams(options.resolv_conf, listen);
    if (out.empty()) {
      spdlog::warn("no nameserver in {} other than ourselves: names outside our zones are "
                   "refused", options.resolv_conf);
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

// --allow-forward: the clients names outside our zones are forwarded for.
std::optional<server::ClientNetworks> allowed_clients(const ServeOptions& options,
                                                      std::string* error) {
  if (options.allow_forward.empty()) {
    return server::ClientNetworks::private_and_loopback();
  }
  server::ClientNetworks out;
  for (const std::string& text : options.allow_forward) {
    auto network = server::ClientNetworks::parse_network(text, error);
    if (!network) {
      *error = "--allow-forward: " + *error;
      return std::nullopt;
    }
    out.add(*network);
  }
  return out;
}

std::unique_ptr<forward::Forwarder> start_forwarder(
    const ServeOptions& options, const std::vector<forward::Upstream>& upstreams,
    const server::ClientNetworks& allowed, zone::SnapshotHolder& holder, ServeMetrics& metrics,
    std::string* error) {
  // The forwarder's thread answers what server-side search gives back from its own copy of the
  // snapshot pointer.
  auto forwarder_snapshot = std::make_shared<zone::LocalSnapshot>(holder);
  auto forwarder = std::make_unique<forward::Forwarder>(forward::ForwarderOptions{
      .upstreams = upstreams,
      .timeout = std::chrono::milliseconds(options.upstream_timeout_ms),
      .max_in_flight = std::max<size_t>(options.max_forwards, 1),
      .cache_entries = options.cache_size,
      .local_answer = [forwarder_snapshot](std::span<const uint8_t> query,
                                           const forward::ClientQuery& client,
                                           std::span<uint8_t> out) {
        return SnapshotQueryHandler::answer_locally(forwarder_snapshot->get(), query, client, out);
      },
      .reply_counters = &metrics.queries().add_thread(),
      .worker_reply_metrics = &metrics.queries()});
  if (!forwarder->start(error)) {
    return nullptr;
  }
  std::string list;
  for (const forward::Upstream& upstream : upstreams) {
    list += (list.empty() ? "" : ", ") + upstream.to_string();
  }
  std::string clients;
  for (const server::ClientNetwork& network : allowed.networks()) {
    clients += (clients.empty() ? "" : ", ") + network.to_string();
  }
  spdlog::info("forwarding names outside our zones to {}, for clients in {}", list, clients);
  return forwarder;
}

}  // namespace vmdns::cli
