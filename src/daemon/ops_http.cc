#include "daemon/ops_http.h"

#include <spdlog/spdlog.h>

#include <map>
#include <vector>

#include "metrics/exposition.h"
#include "net/listen_address.h"

namespace vmdns::daemon {

std::unique_ptr<ops::HttpServer> start_ops_http(const settings::OpsOptions& options,
                                                unsigned client_ipv6_prefix,
                                                const ops::ServingState& serving,
                                                std::function<std::string()> render_metrics,
                                                std::string* error, ops::HttpEndpoint explain) {
  struct Wanted {
    std::string flag;
    bool explicit_flag;
    std::vector<ops::HttpEndpoint> endpoints;
  };
  auto status_page = [&serving](auto check) {
    return [&serving, check] {
      ops::Status status = (serving.*check)();
      return status.ok ? ops::HttpResponse{200, "OK"}
                       : ops::HttpResponse{503, status.reason + "\n"};
    };
  };
  std::map<std::string, Wanted> by_address;  // listeners that share an address share a socket
  auto want = [&by_address](const std::string& address, const char* flag, bool explicit_flag,
                            ops::HttpEndpoint endpoint) {
    if (address.empty() || address == settings::kNoListener) {
      return;
    }
    Wanted& wanted = by_address[address];
    if (wanted.flag.find(flag) == std::string::npos) {
      wanted.flag += (wanted.flag.empty() ? "" : ", ") + std::string(flag);
    }
    wanted.explicit_flag = wanted.explicit_flag || explicit_flag;
    wanted.endpoints.push_back(std::move(endpoint));
  };
  want(options.metrics_listen, "--metrics-listen", options.metrics_explicit,
       {"/metrics", [render_metrics] {
          return ops::HttpResponse{200, render_metrics(),
                                   std::string(metrics::kExpositionContentType)};
        }});
  want(options.health_listen, "--health-listen", options.health_explicit,
       {"/health", status_page(&ops::ServingState::health)});
  want(options.ready_listen, "--ready-listen", options.ready_explicit,
       {"/ready", status_page(&ops::ServingState::readiness)});
  if (explain.respond_to) {
    // Beside /health: the port a pod's proxy subresource reaches (kubectl get --raw).
    want(options.health_listen, "--health-listen", options.health_explicit, std::move(explain));
  }

  auto http = std::make_unique<ops::HttpServer>(ops::HttpLimits{
      .max_connections = options.http_max_connections,
      .max_connections_per_client = options.http_max_connections_per_client,
      .idle_timeout =
          settings::parse_duration(options.http_idle_timeout).value_or(std::chrono::seconds(5)),
      .request_timeout =
          settings::parse_duration(options.http_request_timeout).value_or(std::chrono::seconds(5)),
      .client_ipv6_prefix = client_ipv6_prefix});
  size_t index = 0;
  for (auto& [address, wanted] : by_address) {
    std::string problem;
    // ":PORT": one dual-stack socket on [::]; on a kernel without IPv6, 0.0.0.0.
    bool every_address = address.starts_with(':');
    auto parsed = net::parse_listen_address(every_address ? "[::]" + address : address, &problem);
    if (!parsed) {
      *error = wanted.flag + ": " +
               (every_address ? "\"" + address + "\" is not :PORT: the port must be a number " +
                                    "from 0 to 65535"
                              : problem);
      return nullptr;
    }
    std::vector<std::string> paths;
    for (const auto& endpoint : wanted.endpoints) {
      paths.push_back(endpoint.path);
    }
    bool added = http->add_listener(*parsed, wanted.endpoints, &problem, every_address);
    if (!added && every_address) {
      auto ipv4 = net::parse_listen_address("0.0.0.0" + address, &problem);
      added = ipv4 && http->add_listener(*ipv4, wanted.endpoints, &problem);
    }
    if (!added) {
      if (wanted.explicit_flag) {
        *error = wanted.flag + " " + address + ": " + problem;
        return nullptr;
      }
      spdlog::warn("{} {}: {}; serving without it", wanted.flag, address, problem);
      continue;
    }
    std::string list;
    for (const auto& path : paths) {
      list += (list.empty() ? "" : ", ") + path;
    }
    spdlog::info("serving {} on http://{}", list, http->bound_address(index).to_string());
    ++index;
  }
  if (!http->start(error)) {
    return nullptr;
  }
  return http;
}

}  // namespace vmdns::daemon
