#include "kube/api_client.h"

#include <curl/curl.h>

#include <cctype>
#include <mutex>
#include <optional>

namespace vmdns::kube {
namespace {

void global_init() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

// "https://10.0.0.1:6443/prefix" -> {"10.0.0.1", "6443", "/prefix"}; "[fd00::1]" keeps its
// brackets, as curl's CONNECT_TO wants them; no port: 443.
struct ServerAddress {
  std::string host;
  std::string port = "443";
  std::string prefix;
};

ServerAddress split_server(const std::string& server) {
  ServerAddress out;
  std::string rest = server.substr(server.find("://") == std::string::npos
                                       ? 0
                                       : server.find("://") + 3);
  size_t slash = rest.find('/');
  if (slash != std::string::npos) {
    out.prefix = rest.substr(slash);
    rest.resize(slash);
  }
  size_t colon = rest.rfind(':');
  size_t bracket = rest.rfind(']');
  if (colon != std::string::npos && (bracket == std::string::npos || colon > bracket)) {
    out.port = rest.substr(colon + 1);
    rest.resize(colon);
  }
  out.host = rest;
  return out;
}

}  // namespace

struct ApiClient::Transfer {
  const std::function<bool(std::string_view)>* on_bytes = nullptr;  // null: collect the body
  const std::function<void(long)>* on_answer = nullptr;
  size_t max_body = 0;
  long status = 0;
  std::string body;
  std::optional<std::chrono::seconds> retry_after;
  bool aborted = false;
  bool too_large = false;
  CURL* curl = nullptr;
  const std::atomic<bool>* stop = nullptr;
};

namespace {

size_t on_write(char* data, size_t size, size_t count, void* user) {
  auto* transfer = static_cast<ApiClient::Transfer*>(user);
  size_t bytes = size * count;
  if (transfer->status == 0) {
    curl_easy_getinfo(transfer->curl, CURLINFO_RESPONSE_CODE, &transfer->status);
  }
  // Error bodies (a Status object) are collected whole, so that callers can report them.
  if (transfer->on_bytes != nullptr && transfer->status == 200) {
    if (!(*transfer->on_bytes)(std::string_view(data, bytes))) {
      transfer->aborted = true;
      return 0;  // anything but `bytes` makes curl abort the transfer
    }
    return bytes;
  }
  if (transfer->body.size() + bytes > transfer->max_body) {
    transfer->too_large = true;
    return 0;
  }
  transfer->body.append(data, bytes);
  return bytes;
}

// Called once per header line; the empty line ends the headers of a response. Interim
// responses (100 Continue) have headers of their own, so only a final status is passed on.
size_t on_header(char* data, size_t size, size_t count, void* user) {
  auto* transfer = static_cast<ApiClient::Transfer*>(user);
  size_t bytes = size * count;
  if (auto seconds = retry_after_seconds(std::string_view(data, bytes))) {
    transfer->retry_after = seconds;
  }
  if (bytes <= 2 && transfer->on_answer != nullptr) {
    long status = 0;
    curl_easy_getinfo(transfer->curl, CURLINFO_RESPONSE_CODE, &status);
    if (status >= 200) {
      (*transfer->on_answer)(status);
    }
  }
  return bytes;
}

}  // namespace

// "Retry-After: 3\r\n" -> 3 s; any other header line, or the date form -> nothing.
std::optional<std::chrono::seconds> retry_after_seconds(std::string_view line) {
  constexpr std::string_view kName = "retry-after:";
  if (line.size() <= kName.size()) {
    return std::nullopt;
  }
  for (size_t i = 0; i < kName.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(line[i])) != kName[i]) {
      return std::nullopt;
    }
  }
  std::string_view value = line.substr(kName.size());
  while (!value.empty() && (value.front() == ' ' || value.front() == '\t')) {
    value.remove_prefix(1);
  }
  while (!value.empty() && (value.back() == '\r' || value.back() == '\n' ||
                            value.back() == ' ' || value.back() == '\t')) {
    value.remove_suffix(1);
  }
  if (value.empty() || value.size() > 9) {
    return std::nullopt;
  }
  long seconds = 0;
  for (char c : value) {
    if (c < '0' || c > '9') {
      return std::nullopt;
    }
    seconds = seconds * 10 + (c - '0');
  }
  return std::chrono::seconds(seconds);
}

namespace {

int on_progress(void* user, curl_off_t, curl_off_t, curl_off_t, curl_off_t) {
  auto* transfer = static_cast<ApiClient::Transfer*>(user);
  if (transfer->stop->load(std::memory_order_relaxed)) {
    transfer->aborted = true;
    return 1;
  }
  return 0;
}

}  // namespace

std::string url_encode(std::string_view text) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (char c : text) {
    auto byte = static_cast<unsigned char>(c);
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
        c == '_' || c == '.' || c == '~') {
      out += c;
    } else {
      out += '%';
      out += kHex[byte >> 4];
      out += kHex[byte & 0x0f];
    }
  }
  return out;
}

ApiClient::ApiClient(const KubeConfig& config, BearerToken& token, const std::atomic<bool>& stop)
    : config_(config), token_(token), stop_(stop) {
  global_init();
  curl_ = curl_easy_init();
}

ApiClient::~ApiClient() { curl_easy_cleanup(static_cast<CURL*>(curl_)); }

HttpResult ApiClient::get(const std::string& path, std::chrono::seconds timeout,
                          size_t max_body) {
  Transfer transfer;
  transfer.max_body = max_body;
  return perform(path, timeout, transfer);
}

HttpResult ApiClient::stream(const std::string& path, std::chrono::seconds timeout,
                             const std::function<void(long)>& on_answer,
                             const std::function<bool(std::string_view)>& on_bytes) {
  Transfer transfer;
  transfer.on_bytes = &on_bytes;
  transfer.on_answer = &on_answer;
  transfer.max_body = size_t{1} << 20;  // a Status body
  return perform(path, timeout, transfer);
}

HttpResult ApiClient::perform(const std::string& path, std::chrono::seconds timeout,
                              Transfer& transfer) {
  HttpResult result;
  auto* curl = static_cast<CURL*>(curl_);
  if (curl == nullptr) {
    result.error = "cannot create a curl handle";
    return result;
  }
  curl_easy_reset(curl);
  transfer.curl = curl;
  transfer.stop = &stop_;
  std::string url = config_.server + path;
  std::string connect_to;
  curl_slist* connect_to_list = nullptr;
  if (!config_.tls_server_name.empty()) {
    // curl verifies and sends in SNI the URL's host: put tls-server-name there, and connect to
    // the server's own address.
    ServerAddress server = split_server(config_.server);
    url = "https://" + config_.tls_server_name + ":" + server.port + server.prefix + path;
    connect_to = config_.tls_server_name + ":" + server.port + ":" + server.host + ":" +
                 server.port;
    connect_to_list = curl_slist_append(nullptr, connect_to.c_str());
    curl_easy_setopt(curl, CURLOPT_CONNECT_TO, connect_to_list);
  }
  curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
  curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "https");
  curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(curl, CURLOPT_PROXY, "");  // never an environment proxy
  curl_easy_setopt(curl, CURLOPT_SSL_VERIFYPEER, 1L);
  curl_easy_setopt(curl, CURLOPT_SSL_VERIFYHOST, 2L);
  curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT, 10L);
  curl_easy_setopt(curl, CURLOPT_TIMEOUT, static_cast<long>(timeout.count()));
  curl_easy_setopt(curl, CURLOPT_ACCEPT_ENCODING, "");  // gzip when the server offers it
  curl_blob ca{const_cast<char*>(config_.ca_pem.data()), config_.ca_pem.size(),
               CURL_BLOB_COPY};
  if (!config_.ca_pem.empty()) {
    curl_easy_setopt(curl, CURLOPT_CAINFO_BLOB, &ca);
  }
  curl_blob cert{const_cast<char*>(config_.client_cert_pem.data()),
                 config_.client_cert_pem.size(), CURL_BLOB_COPY};
  curl_blob key{const_cast<char*>(config_.client_key_pem.data()), config_.client_key_pem.size(),
                CURL_BLOB_COPY};
  if (!config_.client_cert_pem.empty()) {
    curl_easy_setopt(curl, CURLOPT_SSLCERT_BLOB, &cert);
    curl_easy_setopt(curl, CURLOPT_SSLCERTTYPE, "PEM");
    curl_easy_setopt(curl, CURLOPT_SSLKEY_BLOB, &key);
    curl_easy_setopt(curl, CURLOPT_SSLKEYTYPE, "PEM");
  }
  curl_slist* headers = curl_slist_append(nullptr, "Accept: application/json");
  std::string token = token_.current();
  std::string authorization = "Authorization: Bearer " + token;
  if (!token.empty()) {
    headers = curl_slist_append(headers, authorization.c_str());
  }
  curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
  curl_easy_setopt(curl, CURLOPT_USERAGENT, "vmdns");
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, on_write);
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, &transfer);
  curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, on_header);
  curl_easy_setopt(curl, CURLOPT_HEADERDATA, &transfer);
  curl_easy_setopt(curl, CURLOPT_TCP_KEEPALIVE, 1L);
  curl_easy_setopt(curl, CURLOPT_NOPROGRESS, 0L);
  curl_easy_setopt(curl, CURLOPT_XFERINFOFUNCTION, on_progress);
  curl_easy_setopt(curl, CURLOPT_XFERINFODATA, &transfer);

  char error_text[CURL_ERROR_SIZE] = {};
  curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, error_text);
  CURLcode code = curl_easy_perform(curl);
  curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, nullptr);
  curl_easy_setopt(curl, CURLOPT_HTTPHEADER, nullptr);
  curl_slist_free_all(headers);
  curl_easy_setopt(curl, CURLOPT_CONNECT_TO, nullptr);
  curl_slist_free_all(connect_to_list);
  curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &result.status);
  result.body = std::move(transfer.body);
  result.aborted = transfer.aborted;
  result.retry_after = transfer.retry_after;
  if (transfer.too_large) {
    result.error = "the response is larger than " + std::to_string(transfer.max_body) + " bytes";
  } else if (code != CURLE_OK && !transfer.aborted) {
    result.error = error_text[0] != '\0' ? error_text : curl_easy_strerror(code);
  }
  if (result.status == 401) {
    token_.refresh();  // a rotated token: read the file again before the next request
  }
  return result;
}

}  // namespace vmdns::kube
