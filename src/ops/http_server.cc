#include "ops/http_server.h"

#include "net/socket_util.h"
#include "ops/http_listener.h"

namespace vmdns::ops {

HttpServer::HttpServer(HttpLimits limits) : limits_(limits) {}

HttpServer::~HttpServer() {
  stop();
}

bool HttpServer::add_listener(const net::ListenAddress& address,
                              std::vector<HttpEndpoint> endpoints, std::string* error,
                              bool dual_stack) {
  int error_number = 0;
  net::UniqueFd socket = net::open_tcp_listener(address, error, &error_number, dual_stack);
  if (!socket.valid()) {
    return false;
  }
  net::ListenAddress bound;
  if (!net::local_address(socket.get(), &bound, error)) {
    return false;
  }
  listeners_.push_back(
      std::make_unique<HttpListener>(std::move(socket), bound, std::move(endpoints), limits_));
  return true;
}

net::ListenAddress HttpServer::bound_address(size_t index) const {
  return index < listeners_.size() ? listeners_[index]->bound() : net::ListenAddress{};
}

std::string HttpServer::paths(size_t index) const {
  return index < listeners_.size() ? listeners_[index]->paths() : std::string();
}

std::shared_ptr<const net::ConnectionCounters> HttpServer::counters(size_t index) const {
  return index < listeners_.size() ? listeners_[index]->counters() : nullptr;
}

bool HttpServer::start(std::string* error) {
  if (running_) {
    *error = "the HTTP server is already running";
    return false;
  }
  for (auto& listener : listeners_) {
    if (!listener->start(error)) {
      stop();
      return false;
    }
  }
  running_ = true;
  return true;
}

void HttpServer::tick() {
  if (!running_) {
    return;
  }
  for (auto& listener : listeners_) {
    listener->tick();
  }
}

void HttpServer::stop() {
  for (auto& listener : listeners_) {
    listener->stop();
  }
  running_ = false;
}

}  // namespace vmdns::ops
