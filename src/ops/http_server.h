#pragma once
// A small HTTP/1.1 server for the operations endpoints (/metrics, /health, /ready): each
// listener has its own thread, epoll and connection budget, so that a flood of one port (a
// scraper, or anyone who can reach /metrics) never takes a connection or a moment of another
// port's thread (kubelet's probes).
//
//   HttpServer http({.max_connections = 64, .max_connections_per_client = 8});
//   http.add_listener(*parse_listen_address("127.0.0.1:8080", &err),
//                     {{"/health", [] { return HttpResponse{200, "OK"}; }}}, &err);
//   if (!http.start(&err)) die(err);
//   http.bound_address(0);   // the port picked for :0
//   http.counters(0)->refused_client_limit.load();
//   http.stop();
//
// Robust rather than fast: one request per connection (every response says Connection: close),
// GET and HEAD only, a head of at most kMaxHttpHead octets. A connection that sends nothing is
// closed after `idle_timeout`; one that has begun a request is closed `request_timeout` after
// its first octet whatever it does after (a trickle does not extend it). A client past its
// share of a listener is refused at once; when a listener is full, a client holding fewer
// connections than the heaviest takes the place of the heaviest's oldest unanswered
// connection. Bad requests get 400, 405, 404 or 431, never a crash. Responders run on their
// listener's thread; they may take locks and allocate (nothing here is on the DNS query path).

#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "net/connection_counters.h"
#include "net/listen_address.h"
#include "ops/http_request.h"
#include "ops/http_response.h"

namespace vmdns::ops {

struct HttpEndpoint {
  std::string path;  // exact match, e.g. "/metrics"
  std::function<HttpResponse()> respond;
  // Instead of `respond`, for an endpoint that reads the request: `path` ends in '/' and every
  // path under it is this endpoint's ("/explain/" serves "/explain/db.sub.default.svc..."); the
  // query string is the request's.
  std::function<HttpResponse(const HttpRequest&)> respond_to = nullptr;
};

// Each listener's, separately.
struct HttpLimits {
  size_t max_connections = 64;
  size_t max_connections_per_client = 8;
  // From accept to a request's first octet.
  std::chrono::milliseconds idle_timeout{5000};
  // From a request's first octet until the connection is closed, the response sent included.
  std::chrono::milliseconds request_timeout{5000};
  // How much of an IPv6 client's address names the client (IPv4: the whole address).
  unsigned client_ipv6_prefix = 128;
  // The clock the timeouts are timed by; empty: std::chrono::steady_clock. A test passes its
  // own and calls HttpServer::tick() after moving it.
  std::function<std::chrono::steady_clock::time_point()> clock = nullptr;
};

class HttpListener;

class HttpServer {
 public:
  explicit HttpServer(HttpLimits limits = {});
  ~HttpServer();  // stops
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  // Binds a listener on `address` (port 0: any free port) that serves `endpoints`. Before start().
  // `dual_stack` on [::] accepts IPv4 connections too (see net::open_tcp_listener).
  bool add_listener(const net::ListenAddress& address, std::vector<HttpEndpoint> endpoints,
                    std::string* error, bool dual_stack = false);
  size_t listener_count() const { return listeners_.size(); }
  // The address listener `index` (in add_listener order) is bound to.
  net::ListenAddress bound_address(size_t index) const;
  // The paths listener `index` serves: "/health", or "/health,/ready" when they share it; an
  // endpoint under a path beside others is left out ("/health" with "/explain/").
  std::string paths(size_t index) const;
  // What listener `index` did with its connections; valid for the server's lifetime and after.
  std::shared_ptr<const net::ConnectionCounters> counters(size_t index) const;

  bool start(std::string* error);
  void stop();  // idempotent
  // Returns once every listener has read its clock and closed what the time expires.
  void tick();

 private:
  HttpLimits limits_;
  std::vector<std::unique_ptr<HttpListener>> listeners_;
  bool running_ = false;
};

}  // namespace vmdns::ops
