#include "daemon/ops_explain.h"

#include <chrono>
#include <memory>
#include <optional>
#include <string_view>

#include "explain/name_explanation.h"
#include "explain/report.h"
#include "ops/http_query.h"

namespace vmdns::daemon {
namespace {

constexpr std::string_view kPrefix = "/explain/";
constexpr std::chrono::seconds kAnswerTimeout(2);

// A name or a parameter's value as a URL path carries it: the characters of DNS names and
// Kubernetes object names, nothing to unescape.
bool plain(std::string_view text) {
  if (text.empty() || text.size() > 255) {
    return false;
  }
  for (char c : text) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '-' || c == '.' || c == '_';
    if (!ok) {
      return false;
    }
  }
  return true;
}

struct ExplainRequest {
  explain::NameQuery query;
  bool json = false;
};

std::optional<ExplainRequest> parse(const ops::HttpRequest& request, std::string* error) {
  ExplainRequest out;
  std::string_view name = request.path.substr(kPrefix.size());
  if (!plain(name)) {
    *error = "not a name: \"" + std::string(name) + "\"";
    return std::nullopt;
  }
  out.query.name = std::string(name);
  auto parameters = ops::parse_http_query(request.query);
  if (!parameters) {
    *error = "bad query string (output=text|json, namespace=NS, from-vmi=VMI)";
    return std::nullopt;
  }
  for (const ops::HttpQueryParameter& p : *parameters) {
    if (p.key == "output" && (p.value == "json" || p.value == "text")) {
      out.json = p.value == "json";
    } else if (p.key == "namespace" && plain(p.value)) {
      out.query.namespace_name = std::string(p.value);
    } else if (p.key == "from-vmi" && plain(p.value)) {
      out.query.from_vmi = std::string(p.value);
    } else {
      *error = "bad parameter \"" + std::string(p.key) + "=" + std::string(p.value) +
               "\" (output=text|json, namespace=NS, from-vmi=VMI)";
      return std::nullopt;
    }
  }
  return out;
}

}  // namespace

void ExplainEndpoint::attach(control::ControlLoop* loop) {
  std::lock_guard lock(mutex_);
  loop_ = loop;
}

ops::HttpEndpoint ExplainEndpoint::endpoint() {
  return {std::string(kPrefix), nullptr,
          [this](const ops::HttpRequest& request) { return respond(request); }};
}

ops::HttpResponse ExplainEndpoint::respond(const ops::HttpRequest& request) {
  std::string error;
  auto parsed = parse(request, &error);
  if (!parsed) {
    return {400, error + "\n"};
  }
  std::lock_guard lock(mutex_);
  if (loop_ == nullptr) {
    return {503, "not serving\n"};
  }
  // Written on the control thread before the answer is handed over (the future orders it).
  auto status = std::make_shared<int>(200);
  std::optional<std::string> body = loop_->inspect(
      [status, request = *parsed](const control::Inspection& seen) -> std::string {
        if (seen.served == nullptr || seen.config.zones.empty()) {
          *status = 503;
          return "no snapshot served yet\n";
        }
        resolvconf::ClusterDns cluster;
        cluster.zone = seen.config.zones.front().to_text();
        if (cluster.zone.size() > 1 && cluster.zone.back() == '.') {
          cluster.zone.pop_back();
        }
        std::string why;
        auto explanation = explain::explain_name(seen.state, seen.config, cluster, request.query,
                                                 *seen.served, seen.now, &why);
        if (!explanation) {
          *status = 404;
          return "error: " + why + "\n";
        }
        return request.json ? explain::explanation_json(*explanation)
                            : explain::explanation_text(*explanation);
      },
      kAnswerTimeout);
  if (!body) {
    return {503, "the control thread did not answer in time\n"};
  }
  return {*status, std::move(*body),
          parsed->json && *status == 200 ? "application/json" : std::string(ops::kTextContentType)};
}

}  // namespace vmdns::daemon
