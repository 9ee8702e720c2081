#include "kube/kubeconfig.h"

#include <yaml-cpp/yaml.h>

#include <sys/stat.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>

namespace vmdns::kube {
namespace {

std::string directory_of(const std::string& path) {
  size_t slash = path.rfind('/');
  return slash == std::string::npos ? std::string(".") : path.substr(0, slash);
}

std::string resolve(const std::string& base_dir, const std::string& path) {
  return path.empty() || path.front() == '/' ? path : base_dir + "/" + path;
}

// Reads one entry of a kubeconfig, naming it in every error ("users[1] \"admin\": user.token").
class EntryReader {
 public:
  EntryReader(std::string file, std::string entry, std::string* error)
      : file_(std::move(file)), entry_(std::move(entry)), error_(error) {}

  bool fail(const std::string& field, const std::string& message) {
    *error_ = "kubeconfig " + file_ + ": " + entry_ + (field.empty() ? "" : ": " + field) + " " +
              message;
    return false;
  }

  // A string field; false (with the error) when present but not a string.
  bool string(const YAML::Node& map, const char* key, const std::string& path, std::string* out) {
    YAML::Node value = map[key];
    if (!value.IsDefined() || value.IsNull()) {
      return true;
    }
    if (!value.IsScalar()) {
      return fail(path + "." + key, "must be a string");
    }
    *out = value.Scalar();
    return true;
  }

  // `<key>` names a file (relative to the kubeconfig) and `<key>-data` holds base64 PEM; the
  // data wins, as in kubectl.
  bool pem(const YAML::Node& map, const std::string& key, const std::string& path,
           const std::string& base_dir, std::string* out) {
    std::string file;
    std::string data;
    if (!string(map, key.c_str(), path, &file) ||
        !string(map, (key + "-data").c_str(), path, &data)) {
      return false;
    }
    if (!data.empty()) {
      auto decoded = decode_base64(data);
      if (!decoded) {
        return fail(path + "." + key + "-data", "is not base64");
      }
      *out = std::move(*decoded);
      return true;
    }
    if (!file.empty()) {
      std::string read_error;
      auto content = read_file(resolve(base_dir, file), &read_error);
      if (!content) {
        return fail(path + "." + key, read_error);
      }
      *out = std::move(*content);
    }
    return true;
  }

 private:
  std::string file_;
  std::string entry_;
  std::string* error_;
};

// The entry of `list` (clusters, users, contexts) named `name`, and its index.
YAML::Node find_named(const YAML::Node& list, const std::string& name, size_t* index) {
  if (!list.IsSequence()) {
    return YAML::Node();
  }
  size_t i = 0;
  for (const YAML::Node& entry : list) {
    YAML::Node entry_name = entry.IsMap() ? entry["name"] : YAML::Node();
    if (entry_name.IsDefined() && entry_name.IsScalar() && entry_name.Scalar() == name) {
      *index = i;
      return entry;
    }
    ++i;
  }
  return YAML::Node();
}

std::string trim(std::string text) {
  size_t begin = text.find_first_not_of(" \t\r\n");
  size_t end = text.find_last_not_of(" \t\r\n");
  return begin == std::string::npos ? std::string() : text.substr(begin, end - begin + 1);
}

std::optional<KubeConfig> parse(const YAML::Node& root, const std::string& path,
                                const std::string& wanted_context, std::string* error) {
  std::string base_dir = directory_of(path);
  auto fail = [&](const std::string& message) -> std::optional<KubeConfig> {
    *error = "kubeconfig " + path + ": " + message;
    return std::nullopt;
  };
  if (!root.IsMap()) {
    return fail("not a kubeconfig: expected a map with clusters, users and contexts");
  }
  std::string context_name = wanted_context;
  if (context_name.empty()) {
    YAML::Node current = root["current-context"];
    if (!current.IsDefined() || !current.IsScalar() || current.Scalar().empty()) {
      return fail("current-context is not set: give --context");
    }
    context_name = current.Scalar();
  }
  size_t index = 0;
  YAML::Node context_entry = find_named(root["contexts"], context_name, &index);
  if (!context_entry.IsDefined() || context_entry.IsNull()) {
    return fail("no context named \"" + context_name + "\" in contexts");
  }
  KubeConfig config;
  config.description = "kubeconfig " + path + ", context " + context_name;
  std::string cluster_name;
  std::string user_name;
  {
    EntryReader reader(path, "contexts[" + std::to_string(index) + "] \"" + context_name + "\"",
                       error);
    YAML::Node context = context_entry["context"];
    if (!context.IsMap()) {
      reader.fail("context", "must be a map");
      return std::nullopt;
    }
    if (!reader.string(context, "cluster", "context", &cluster_name) ||
        !reader.string(context, "user", "context", &user_name) ||
        !reader.string(context, "namespace", "context", &config.namespace_name)) {
      return std::nullopt;
    }
    if (cluster_name.empty()) {
      reader.fail("context.cluster", "is required");
      return std::nullopt;
    }
  }

  YAML::Node cluster_entry = find_named(root["clusters"], cluster_name, &index);
  if (!cluster_entry.IsDefined() || cluster_entry.IsNull()) {
    return fail("context \"" + context_name + "\" names cluster \"" + cluster_name +
                "\", which is not in clusters");
  }
  EntryReader cluster_reader(
      path, "clusters[" + std::to_string(index) + "] \"" + cluster_name + "\"", error);
  YAML::Node cluster = cluster_entry["cluster"];
  if (!cluster.IsMap()) {
    cluster_reader.fail("cluster", "must be a map");
    return std::nullopt;
  }
  if (!cluster_reader.string(cluster, "server", "cluster", &config.server) ||
      !cluster_reader.pem(cluster, "certificate-authority", "cluster", base_dir,
                          &config.ca_pem)) {
    return std::nullopt;
  }
  if (config.server.empty()) {
    cluster_reader.fail("cluster.server", "is required");
    return std::nullopt;
  }
  if (config.server.rfind("https://", 0) != 0) {
    cluster_reader.fail("cluster.server",
                        "\"" + config.server + "\" is not an https:// URL: the API is only "
                        "spoken to over TLS");
    return std::nullopt;
  }
  while (config.server.size() > 8 && config.server.back() == '/') {
    config.server.pop_back();
  }
  if (!cluster_reader.string(cluster, "tls-server-name", "cluster", &config.tls_server_name)) {
    return std::nullopt;
  }
  if (!config.tls_server_name.empty() &&
      (config.tls_server_name.size() > 253 ||
       !std::all_of(config.tls_server_name.begin(), config.tls_server_name.end(), [](char c) {
         return std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '-';
       }))) {
    cluster_reader.fail("cluster.tls-server-name",
                        "\"" + config.tls_server_name + "\" is not a host name");
    return std::nullopt;
  }
  YAML::Node insecure = cluster["insecure-skip-tls-verify"];
  bool skip_verify = false;
  if (insecure.IsDefined() && insecure.IsScalar() &&
      YAML::convert<bool>::decode(insecure, skip_verify) && skip_verify) {
    cluster_reader.fail("cluster.insecure-skip-tls-verify",
                        "is not supported: vmdns always verifies the API server; give "
                        "certificate-authority or certificate-authority-data");
    return std::nullopt;
  }

  if (user_name.empty()) {
    return config;  // anonymous
  }
  YAML::Node user_entry = find_named(root["users"], user_name, &index);
  if (!user_entry.IsDefined() || user_entry.IsNull()) {
    return fail("context \"" + context_name + "\" names user \"" + user_name +
                "\", which is not in users");
  }
  EntryReader user_reader(path, "users[" + std::to_string(index) + "] \"" + user_name + "\"",
                          error);
  YAML::Node user = user_entry["user"];
  if (!user.IsDefined() || user.IsNull()) {
    return config;
  }
  if (!user.IsMap()) {
    user_reader.fail("user", "must be a map");
    return std::nullopt;
  }
  for (const char* plugin : {"exec", "auth-provider"}) {
    if (user[plugin].IsDefined() && !user[plugin].IsNull()) {
      user_reader.fail(std::string("user.") + plugin,
                       "is not supported: use a client certificate, a token or a tokenFile");
      return std::nullopt;
    }
  }
  std::string token_file;
  if (!user_reader.pem(user, "client-certificate", "user", base_dir, &config.client_cert_pem) ||
      !user_reader.pem(user, "client-key", "user", base_dir, &config.client_key_pem) ||
      !user_reader.string(user, "token", "user", &config.token) ||
      !user_reader.string(user, "tokenFile", "user", &token_file)) {
    return std::nullopt;
  }
  if (config.client_cert_pem.empty() != config.client_key_pem.empty()) {
    user_reader.fail(config.client_cert_pem.empty() ? "user.client-certificate" : "user.client-key",
                     "is required with the other half of the client key pair");
    return std::nullopt;
  }
  if (config.token.empty() && !token_file.empty()) {
    config.token_file = resolve(base_dir, token_file);
    std::string read_error;
    if (!read_file(config.token_file, &read_error)) {
      user_reader.fail("user.tokenFile", read_error);
      return std::nullopt;
    }
  }
  config.token = trim(config.token);
  return config;
}

}  // namespace

std::optional<std::string> read_file(const std::string& path, std::string* error,
                                     size_t max_size) {
  struct stat info {};
  if (::stat(path.c_str(), &info) != 0) {
    *error = "cannot read " + path + ": " + std::strerror(errno);
    return std::nullopt;
  }
  if (!S_ISREG(info.st_mode)) {
    *error = "cannot read " + path + ": not a regular file";  // a FIFO or /dev/zero never ends
    return std::nullopt;
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    *error = "cannot read " + path + ": " + std::strerror(errno);
    return std::nullopt;
  }
  in.seekg(0, std::ios::end);
  std::streamoff size = in.tellg();
  if (size < 0 || static_cast<size_t>(size) > max_size) {
    *error = path + " is larger than " + std::to_string(max_size) + " bytes";
    return std::nullopt;
  }
  in.seekg(0, std::ios::beg);
  std::ostringstream content;
  content << in.rdbuf();
  return content.str();
}

std::optional<std::string> decode_base64(std::string_view text) {
  auto value_of = [](char c) -> int {
    if (c >= 'A' && c <= 'Z') return c - 'A';
    if (c >= 'a' && c <= 'z') return c - 'a' + 26;
    if (c >= '0' && c <= '9') return c - '0' + 52;
    if (c == '+') return 62;
    if (c == '/') return 63;
    return -1;
  };
  std::string out;
  uint32_t bits = 0;
  int bit_count = 0;
  int padding = 0;
  size_t symbols = 0;
  for (char c : text) {
    if (c == ' ' || c == '\n' || c == '\r' || c == '\t') {
      continue;
    }
    ++symbols;
    if (c == '=') {
      ++padding;
      continue;
    }
    int value = value_of(c);
    if (value < 0 || padding > 0) {
      return std::nullopt;  // a stray character, or data after the padding
    }
    bits = (bits << 6) | static_cast<uint32_t>(value);
    bit_count += 6;
    if (bit_count >= 8) {
      bit_count -= 8;
      out += static_cast<char>((bits >> bit_count) & 0xff);
    }
  }
  if (padding > 2 || (padding > 0 && symbols % 4 != 0) || bit_count >= 6) {
    return std::nullopt;
  }
  return out;
}

std::optional<KubeConfig> load_kubeconfig(const std::string& path, const std::string& context,
                                          std::string* error) {
  std::string read_error;
  auto text = read_file(path, &read_error);
  if (!text) {
    *error = "kubeconfig: " + read_error;
    return std::nullopt;
  }
  return parse_kubeconfig(*text, path, context, error);
}

std::optional<KubeConfig> parse_kubeconfig(const std::string& text, const std::string& path,
                                           const std::string& context, std::string* error) {
  try {
    YAML::Node root = YAML::Load(text);
    return parse(root, path, context, error);
  } catch (const YAML::Exception& e) {
    *error = "kubeconfig " + path + ": invalid YAML: " + e.msg + " (line " +
             std::to_string(e.mark.line + 1) + ")";
  } catch (const std::exception& e) {
    *error = "kubeconfig " + path + ": " + e.what();
  }
  return std::nullopt;
}

std::optional<KubeConfig> in_cluster_config(const std::string& dir, std::string* error) {
  const char* host = std::getenv("KUBERNETES_SERVICE_HOST");
  const char* port = std::getenv("KUBERNETES_SERVICE_PORT");
  if (host == nullptr || *host == '\0' || port == nullptr || *port == '\0') {
    *error = "--in-cluster: KUBERNETES_SERVICE_HOST and KUBERNETES_SERVICE_PORT are not set "
             "(not running in a pod?)";
    return std::nullopt;
  }
  KubeConfig config;
  std::string host_text = host;
  if (host_text.find(':') != std::string::npos) {
    host_text = "[" + host_text + "]";  // an IPv6 Service address
  }
  config.server = "https://" + host_text + ":" + port;
  config.description = "in-cluster service account (" + dir + ")";
  std::string read_error;
  auto ca = read_file(dir + "/ca.crt", &read_error);
  if (!ca) {
    *error = "--in-cluster: " + read_error;
    return std::nullopt;
  }
  config.ca_pem = std::move(*ca);
  config.token_file = dir + "/token";
  if (!read_file(config.token_file, &read_error)) {
    *error = "--in-cluster: " + read_error;
    return std::nullopt;
  }
  if (auto ns = read_file(dir + "/namespace", &read_error)) {
    config.namespace_name = trim(*ns);
  }
  return config;
}

std::optional<KubeConfig> resolve_config(bool in_cluster, const std::string& service_account_dir,
                                         const std::string& kubeconfig_path,
                                         const std::string& context, std::string* error) {
  if (in_cluster) {
    return in_cluster_config(
        service_account_dir.empty() ? std::string(kServiceAccountDir) : service_account_dir,
        error);
  }
  return load_kubeconfig(kubeconfig_path, context, error);
}

}  // namespace vmdns::kube
