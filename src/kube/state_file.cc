#include "kube/state_file.h"

#include <fcntl.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <span>
#include <string_view>

#include "kube/api_kind.h"
#include "kube/api_object.h"
#include "kube/kubeconfig.h"

namespace vmdns::cluster {

// The model's shared text as a JSON string (found by nlohmann::json through its namespace).
void to_json(nlohmann::json& out, const SharedText& text) { out = text.str(); }

}  // namespace vmdns::cluster

namespace vmdns::kube {
namespace {

using nlohmann::json;

json string_map(const cluster::Labels& labels) {
  json out = json::object();
  for (const auto& [key, value] : labels) {
    out[key.str()] = value.str();
  }
  return out;
}

json metadata(const cluster::ObjectMeta& meta, bool namespaced) {
  json out = {{"name", meta.name}};
  if (namespaced) {
    out["namespace"] = meta.namespace_name;
  }
  if (!meta.labels.empty()) {
    out["labels"] = string_map(meta.labels);
  }
  return out;
}

json object_head(Kind kind, const cluster::ObjectMeta& meta) {
  const ApiKind& info = api_kind(kind);
  return {{"apiVersion", info.api_version()},
          {"kind", info.name},
          {"metadata", metadata(meta, info.namespaced)}};
}

json addresses(std::span<const cluster::IpAddress> list) {
  json out = json::array();
  for (const cluster::IpAddress& address : list) {
    out.push_back(address.to_string());
  }
  return out;
}

json condition(const char* type, bool value) {
  return {{"type", type}, {"status", value ? "True" : "False"}};
}

void add_dns_fields(json& spec, const std::string& policy,
                    const cluster::Boxed<cluster::PodDnsConfig>& config) {
  if (!policy.empty()) {
    spec["dnsPolicy"] = policy;
  }
  if (!config) {
    return;
  }
  json out = json::object();
  if (!config->nameservers.empty()) {
    out["nameservers"] = addresses(config->nameservers);
  }
  if (!config->searches.empty()) {
    out["searches"] = config->searches;
  }
  if (!config->options.empty()) {
    json options = json::array();
    for (const auto& option : config->options) {
      json entry = {{"name", option.name}};
      if (option.value) {
        entry["value"] = *option.value;
      }
      options.push_back(std::move(entry));
    }
    out["options"] = std::move(options);
  }
  spec["dnsConfig"] = std::move(out);
}

void add_label_fields(json& spec, const std::string& hostname, const std::string& subdomain) {
  if (!hostname.empty()) {
    spec["hostname"] = hostname;
  }
  if (!subdomain.empty()) {
    spec["subdomain"] = subdomain;
  }
}

json ports(const std::vector<cluster::ServicePort>& list) {
  json out = json::array();
  for (const cluster::ServicePort& port : list) {
    json entry = {{"protocol", port.protocol}};
    if (!port.name.empty()) {
      entry["name"] = port.name;
    }
    if (port.port != 0) {
      entry["port"] = port.port;
    }
    // A Service's targetPort (an EndpointSlice port has none): a JSON number or string, as the
    // API writes an IntOrString.
    if (port.target_port != 0) {
      entry["targetPort"] = port.target_port;
    } else if (!port.target_port_name.empty()) {
      entry["targetPort"] = port.target_port_name;
    }
    out.push_back(std::move(entry));
  }
  return out;
}

json encode(const cluster::MigrationState& migration) {
  json out = {{"completed", migration.completed}, {"failed", migration.failed}};
  for (auto [key, value] : {std::pair{"sourceNode", &migration.source_node},
                            std::pair{"sourcePod", &migration.source_pod},
                            std::pair{"targetNode", &migration.target_node},
                            std::pair{"targetPod", &migration.target_pod}}) {
    if (!value->empty()) {
      out[key] = *value;
    }
  }
  if (migration.aborted) {
    out["abortStatus"] = "Succeeded";
  }
  return out;
}

json encode(const cluster::VirtualMachineInstance& vmi) {
  json out = object_head(Kind::VirtualMachineInstance, vmi.meta);
  json spec = json::object();
  add_label_fields(spec, vmi.hostname.str(), vmi.subdomain);
  add_dns_fields(spec, vmi.dns_policy, vmi.dns_config);
  json status = {{"phase", vmi.phase},
                 {"conditions", {condition("Ready", vmi.ready), condition("Paused", vmi.paused)}}};
  // The interfaces in order (the first one's addresses are the VMI's), and which of them is on
  // the pod network: spec.networks says so, as it does in the API.
  json interfaces = json::array();
  json networks = json::array();
  for (const cluster::VmiInterface& nic : vmi.interfaces) {
    json entry = {{"ipAddresses", addresses(nic.addresses)}};
    if (!nic.name.empty()) {
      entry["name"] = nic.name;
    }
    if (nic.pod_network) {
      networks.push_back({{"name", nic.name}, {"pod", json::object()}});
    }
    interfaces.push_back(std::move(entry));
  }
  spec["networks"] = std::move(networks);
  status["interfaces"] = std::move(interfaces);
  if (!vmi.node_name.empty()) {
    status["nodeName"] = vmi.node_name;
  }
  if (vmi.migration) {
    status["migrationState"] = encode(*vmi.migration);
  }
  out["spec"] = std::move(spec);
  out["status"] = std::move(status);
  return out;
}

json encode(const cluster::Pod& pod) {
  json out = object_head(Kind::Pod, pod.meta);
  json spec = json::object();
  add_label_fields(spec, pod.hostname, pod.subdomain);
  add_dns_fields(spec, pod.dns_policy, pod.dns_config);
  json ips = json::array();
  for (const cluster::IpAddress& address : pod.addresses) {
    ips.push_back({{"ip", address.to_string()}});
  }
  out["spec"] = std::move(spec);
  out["status"] = {{"phase", pod.phase},
                   {"conditions", {condition("Ready", pod.ready)}},
                   {"podIPs", std::move(ips)}};
  return out;
}

const char* type_name(cluster::ServiceType type) {
  switch (type) {
    case cluster::ServiceType::NodePort:
      return "NodePort";
    case cluster::ServiceType::LoadBalancer:
      return "LoadBalancer";
    case cluster::ServiceType::ExternalName:
      return "ExternalName";
    case cluster::ServiceType::ClusterIP:
      break;
  }
  return "ClusterIP";
}

json encode(const cluster::Service& service) {
  json out = object_head(Kind::Service, service.meta);
  json spec = {{"type", type_name(service.type)}, {"ports", ports(service.ports)}};
  if (service.selector) {
    spec["selector"] = string_map(*service.selector);
  }
  json ips = addresses(service.cluster_ips);
  if (service.headless) {
    ips.insert(ips.begin(), "None");
    spec["clusterIP"] = "None";
  }
  spec["clusterIPs"] = std::move(ips);
  if (!service.external_name.empty()) {
    spec["externalName"] = service.external_name;
  }
  if (service.publish_not_ready_addresses) {
    spec["publishNotReadyAddresses"] = true;
  }
  out["spec"] = std::move(spec);
  return out;
}

json encode(const cluster::EndpointSlice& slice) {
  json out = object_head(Kind::EndpointSlice, slice.meta);
  out["addressType"] = slice.address_type.str();
  json endpoints = json::array();
  for (const auto& endpoint : slice.endpoints) {
    json entry = {{"addresses", addresses(endpoint.addresses)}};
    if (endpoint.ready) {
      entry["conditions"] = {{"ready", *endpoint.ready}};
    }
    if (!endpoint.hostname.empty()) {
      entry["hostname"] = endpoint.hostname;
    }
    if (!endpoint.target_kind.empty() || !endpoint.target_name.empty()) {
      entry["targetRef"] = {{"kind", endpoint.target_kind}, {"name", endpoint.target_name}};
    }
    if (!endpoint.node_name.empty()) {
      entry["nodeName"] = endpoint.node_name;
    }
    endpoints.push_back(std::move(entry));
  }
  out["endpoints"] = std::move(endpoints);
  out["ports"] = ports(slice.ports);
  return out;
}

json encode(const cluster::Namespace& ns) { return object_head(Kind::Namespace, ns.meta); }

}  // namespace

std::string encode_state(const cluster::State& state) {
  json items = json::array();
  for (const auto& [name, ns] : state.namespaces) {
    items.push_back(encode(ns));
  }
  for (const auto& [key, service] : state.services) {
    items.push_back(encode(service));
  }
  for (const auto& [key, slice] : state.endpoint_slices) {
    items.push_back(encode(slice));
  }
  for (const auto& [key, vmi] : state.vmis) {
    items.push_back(encode(vmi));
  }
  for (const auto& [key, pod] : state.pods) {
    items.push_back(encode(pod));
  }
  json list = {{"apiVersion", "v1"}, {"kind", "List"}, {"items", std::move(items)}};
  return list.dump() + "\n";
}

std::optional<cluster::State> decode_state(const std::string& text, const std::string& origin,
                                           std::string* error) {
  sources::JsonDocument parsed;
  sources::JsonValue items = parsed.parse(text) ? parsed.root().member("items") : sources::JsonValue();
  if (!items.is_array()) {
    *error = origin + ": not a JSON List";
    return std::nullopt;
  }
  cluster::State state;
  std::vector<cluster::Diagnostic> diagnostics;
  for (const sources::JsonValue& item : items.items()) {
    for (const ApiKind& kind : api_kinds()) {
      auto object = decode_api_object(item, kind, origin, diagnostics);
      if (!object) {
        continue;
      }
      put(state, std::move(*object));
      break;
    }
  }
  for (const cluster::Diagnostic& d : diagnostics) {
    if (d.severity == cluster::Severity::Error) {
      spdlog::warn("{} (skipped)", d.to_string());
    }
  }
  return state;
}

bool save_state_file(const cluster::State& state, const std::string& path, std::string* error) {
  return write_state_file(encode_state(state), path, error);
}

namespace {

// write(2) until every byte is out: a short write is not an error, ENOSPC and EIO are.
bool write_all(int fd, std::string_view text) {
  while (!text.empty()) {
    ssize_t written = ::write(fd, text.data(), text.size());
    if (written < 0 && errno == EINTR) {
      continue;
    }
    if (written <= 0) {
      return false;
    }
    text.remove_prefix(static_cast<size_t>(written));
  }
  return true;
}

std::string errno_text() { return std::strerror(errno); }

// The directory's entry for the renamed file is only durable once the directory is synced.
void sync_directory_of(const std::string& path) {
  std::string directory = std::filesystem::path(path).parent_path().string();
  int fd = ::open(directory.empty() ? "." : directory.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd >= 0) {
    ::fsync(fd);
    ::close(fd);
  }
}

}  // namespace

// The old file is replaced only by a complete, synced new one: a full disk, an I/O error or a
// crash at any point leaves either the old state or the new one at `path`, never a torn file.
bool write_state_file(const std::string& text, const std::string& path, std::string* error) {
  std::string temporary = path + ".tmp";
  int fd = ::open(temporary.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) {
    *error = "cannot write " + temporary + ": " + errno_text();
    return false;
  }
  bool written = write_all(fd, text) && ::fsync(fd) == 0;
  int saved_errno = errno;
  if (::close(fd) != 0 && written) {
    written = false;
    saved_errno = errno;
  }
  if (!written) {
    *error = "cannot write " + temporary + ": " + std::strerror(saved_errno);
    ::unlink(temporary.c_str());
    return false;
  }
  if (::rename(temporary.c_str(), path.c_str()) != 0) {
    *error = "cannot rename " + temporary + " to " + path + ": " + errno_text();
    ::unlink(temporary.c_str());
    return false;
  }
  sync_directory_of(path);
  return true;
}

std::optional<cluster::State> load_state_file(const std::string& path, std::string* error) {
  auto text = read_file(path, error, size_t{4} << 30);
  if (!text) {
    return std::nullopt;
  }
  return decode_state(*text, path, error);
}

}  // namespace vmdns::kube
