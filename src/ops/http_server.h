#pragma once
// A small HTTP/1.1 server for the operations endpoints (/metrics, /health, /ready): one thread,
// epoll, non-blocking sockets, several listeners each with its own paths.
//
//   HttpServer http;
//   http.add_listener(*parse_listen_address("127.0.0.1:8080", &err),
//                     {{"/health", [] { return HttpResponse{200, "OK"}; }}}, &err);
//   if (!http.start(&err)) die(err);
//   http.bound_address(0);   // the port picked for :0
//   http.stop();
//
// Robust rather than fast: one request per connection (every response says Connection: close),
// GET and HEAD only, a head of at most kMaxHttpHead octets, at most kMaxConnections at once, and
// each connection closed after kConnectionDeadline whatever it does. Bad requests get 400, 405,
// 404 or 431, never a crash. Responders run on the server's thread; they may take locks and
// allocate (nothing here is on the DNS query path).

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "server/listen_address.h"

namespace vmdns::ops {

inline constexpr std::string_view kTextContentType = "text/plain; charset=utf-8";

struct HttpResponse {
  int status = 200;
  std::string body;
  std::string content_type = std::string(kTextContentType);
};

struct HttpEndpoint {
  std::string path;  // exact match, e.g. "/metrics"
  std::function<HttpResponse()> respond;
};

class HttpServer {
 public:
  static constexpr size_t kMaxConnections = 64;
  static constexpr std::chrono::seconds kConnectionDeadline{10};

  HttpServer();
  ~HttpServer();  // stops
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  // Binds a listener on `address` (port 0: any free port) that serves `endpoints`. Before start().
  // `dual_stack` on [::] accepts IPv4 connections too (see server::open_tcp_listener).
  bool add_listener(const server::ListenAddress& address, std::vector<HttpEndpoint> endpoints,
                    std::string* error, bool dual_stack = false);
  // The address listener `index` (in add_listener order) is bound to.
  server::ListenAddress bound_address(size_t index) const;

  bool start(std::string* error);
  void stop();  // idempotent

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// "OK" for 200, "Service Unavailable" for 503, ...
std::string_view http_reason(int status);

}  // namespace vmdns::ops
