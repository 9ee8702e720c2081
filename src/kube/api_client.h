#pragma once
// HTTPS GET requests to the Kubernetes API with libcurl: whole bodies (list pages) and streamed
// bodies (watches). One ApiClient per thread: it owns a curl handle, which keeps the connection
// to the API server open between requests.
//
//   ApiClient client(config, token, stop);
//   HttpResult page = client.get("/api/v1/services?limit=500");
//   HttpResult watch = client.stream("/api/v1/services?watch=1&resourceVersion=42",
//                                    on_answer, [&](std::string_view b) { return ...; });
//
// TLS is verified (peer and host name) against the kubeconfig's CA, or the system's when it
// names none; proxies from the environment are ignored, as the API server is reached directly.
// A request ends early, with `aborted`, when `stop` becomes true or the callback returns false.

#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "kube/bearer_token.h"
#include "kube/kubeconfig.h"

namespace vmdns::kube {

struct HttpResult {
  long status = 0;     // the HTTP status; 0 when no response came (see `error`)
  std::string body;    // get(): the body; stream(): the body only when the status is not 200
  std::string error;   // a transport problem (connect, TLS, timeout) as curl words it
  bool aborted = false;  // stopped by `stop` or by the stream callback

  bool ok() const { return error.empty() && !aborted && status == 200; }
};

class ApiClient {
 public:
  ApiClient(const KubeConfig& config, BearerToken& token, const std::atomic<bool>& stop);
  ~ApiClient();
  ApiClient(const ApiClient&) = delete;
  ApiClient& operator=(const ApiClient&) = delete;

  // `path` is the path and query ("/api/v1/namespaces?limit=500"). Bodies above `max_body`
  // bytes are refused.
  HttpResult get(const std::string& path, std::chrono::seconds timeout,
                 size_t max_body = size_t{256} << 20);
  // `on_answer` gets the status once the response headers are in; the body goes to `on_bytes`
  // as it arrives when the status is 200; false from it aborts.
  HttpResult stream(const std::string& path, std::chrono::seconds timeout,
                    const std::function<void(long)>& on_answer,
                    const std::function<bool(std::string_view)>& on_bytes);

  const KubeConfig& config() const { return config_; }

  struct Transfer;  // one request's state, shared with curl's callbacks (api_client.cc)

 private:
  HttpResult perform(const std::string& path, std::chrono::seconds timeout, Transfer& transfer);

  KubeConfig config_;
  BearerToken& token_;
  const std::atomic<bool>& stop_;
  void* curl_ = nullptr;
};

// "a=b,c!=d" -> "a%3Db%2Cc%21%3Dd": a value for a URL query.
std::string url_encode(std::string_view text);

}  // namespace vmdns::kube
