#pragma once
// Where the Kubernetes API is and how to authenticate to it: a kubeconfig file's context, or the
// in-cluster service account.
//
//   std::string error;
//   auto config = load_kubeconfig("/root/.kube/config", /*context=*/"", &error);
//   if (!config) die(error);   // "kubeconfig /root/.kube/config: users[0] \"admin\": ..."
//
// TLS is always verified: against the cluster's certificate authority when the kubeconfig names
// one (file or base64 data), else against the system's. `insecure-skip-tls-verify` is refused
// rather than honoured, and so are credential plugins (`exec`, `auth-provider`), which would
// run programs on the user's behalf.

#include <optional>
#include <cstddef>
#include <string>
#include <string_view>

namespace vmdns::kube {

struct KubeConfig {
  std::string server;           // "https://10.0.0.1:6443", no trailing slash
  std::string ca_pem;           // the certificate authority bundle; empty: the system's CAs
  // The name the server's certificate is verified against and sent in SNI, when it is not the
  // server URL's host (cluster.tls-server-name: an API server reached by an address its
  // certificate does not name). Empty: the URL's host.
  std::string tls_server_name;
  std::string client_cert_pem;  // client certificate authentication, both or neither
  std::string client_key_pem;
  std::string token;       // a static bearer token
  std::string token_file;  // a bearer token re-read when the file changes (service accounts)
  std::string namespace_name;  // the context's namespace, or the service account's
  std::string description;     // "kubeconfig FILE, context NAME" or "in-cluster", for logs
};

// `context` empty: the kubeconfig's current-context. Relative paths in the file are relative to
// the file's directory, as kubectl has them.
std::optional<KubeConfig> load_kubeconfig(const std::string& path, const std::string& context,
                                          std::string* error);

// The same for a kubeconfig's text; `path` names it in errors and anchors relative paths.
std::optional<KubeConfig> parse_kubeconfig(const std::string& text, const std::string& path,
                                           const std::string& context, std::string* error);

// From the service account Kubernetes mounts into every pod (`dir` holds token, ca.crt and
// namespace) and the KUBERNETES_SERVICE_HOST and KUBERNETES_SERVICE_PORT variables.
inline constexpr const char* kServiceAccountDir = "/var/run/secrets/kubernetes.io/serviceaccount";
std::optional<KubeConfig> in_cluster_config(const std::string& dir, std::string* error);

// The API a command is pointed at: `in_cluster` (the service account of `service_account_dir`,
// kServiceAccountDir when empty), else the kubeconfig at `kubeconfig_path` and its `context`.
// serve's --in-cluster/--kubeconfig and explain's and check's are read through it.
std::optional<KubeConfig> resolve_config(bool in_cluster, const std::string& service_account_dir,
                                         const std::string& kubeconfig_path,
                                         const std::string& context, std::string* error);

// Standard base64 (RFC 4648 section 4), whitespace ignored; nullopt when malformed.
std::optional<std::string> decode_base64(std::string_view text);

// The whole content of a regular file of at most `max_size` bytes; nullopt (and `error`) when it
// cannot be read.
std::optional<std::string> read_file(const std::string& path, std::string* error,
                                     size_t max_size = size_t{16} << 20);

}  // namespace vmdns::kube
