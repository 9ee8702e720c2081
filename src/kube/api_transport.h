#pragma once
// What the reflector and the lists ask of an HTTP client of the API: one GET with the whole
// body (a list page), or one streamed GET (a watch). ApiClient implements it with libcurl; unit
// tests implement it with a script of answers, so that every status, header and cut-off body
// the API server can send is played without a server.
//
//   class Script : public ApiTransport {
//     HttpResult get(const std::string& path, std::chrono::seconds, size_t) override {
//       return {.status = 429, .retry_after = std::chrono::seconds(3)};
//     }
//     ...
//   };

#include <chrono>
#include <cstddef>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

namespace vmdns::kube {

struct HttpResult {
  long status = 0;     // the HTTP status; 0 when no response came (see `error`)
  std::string body;    // get(): the body; stream(): the body only when the status is not 200
  std::string error;   // a transport problem (connect, TLS, timeout) as curl words it
  bool aborted = false;  // stopped by `stop` or by the stream callback
  // `Retry-After: N` (the seconds form; RFC 9110 10.2.3) of a 429 or 503: wait at least this
  // long before asking again. The date form is not used by the API server and is ignored.
  std::optional<std::chrono::seconds> retry_after;

  bool ok() const { return error.empty() && !aborted && status == 200; }
};

class ApiTransport {
 public:
  virtual ~ApiTransport() = default;

  // `path` is the path and query ("/api/v1/namespaces?limit=500"). Bodies above `max_body`
  // bytes are refused.
  virtual HttpResult get(const std::string& path, std::chrono::seconds timeout,
                         size_t max_body = size_t{256} << 20) = 0;
  // `on_answer` gets the status once the response headers are in; the body goes to `on_bytes`
  // as it arrives when the status is 200; false from it aborts.
  virtual HttpResult stream(const std::string& path, std::chrono::seconds timeout,
                            const std::function<void(long)>& on_answer,
                            const std::function<bool(std::string_view)>& on_bytes) = 0;
};

}  // namespace vmdns::kube
