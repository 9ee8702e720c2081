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
// A 401 makes the bearer token's file be read again before the next request (a rotated token);
// a `Retry-After` header in seconds is passed on in the result.

#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "kube/api_transport.h"
#include "kube/bearer_token.h"
#include "kube/kubeconfig.h"

namespace vmdns::kube {

class ApiClient : public ApiTransport {
 public:
  ApiClient(const KubeConfig& config, BearerToken& token, const std::atomic<bool>& stop);
  ~ApiClient();
  ApiClient(const ApiClient&) = delete;
  ApiClient& operator=(const ApiClient&) = delete;

  HttpResult get(const std::string& path, std::chrono::seconds timeout,
                 size_t max_body = size_t{256} << 20) override;
  HttpResult stream(const std::string& path, std::chrono::seconds timeout,
                    const std::function<void(long)>& on_answer,
                    const std::function<bool(std::string_view)>& on_bytes) override;

  const KubeConfig& config() const { return config_; }

  struct Transfer;  // one request's state, shared with curl's callbacks (api_client.cc)

 private:
  HttpResult perform(const std::string& path, std::chrono::seconds timeout, Transfer& transfer);

  KubeConfig config_;
  BearerToken& token_;
  const std::atomic<bool>& stop_;
  void* curl_ = nullptr;
};

// "Retry-After: 3\r\n" -> 3 s: a response header line in the seconds form; else nothing.
std::optional<std::chrono::seconds> retry_after_seconds(std::string_view header_line);

// "a=b,c!=d" -> "a%3Db%2Cc%21%3Dd": a value for a URL query.
std::string url_encode(std::string_view text);

}  // namespace vmdns::kube
