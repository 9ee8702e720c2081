#pragma once
// One listener of the HttpServer (http_server.h): its socket, its thread and epoll, its
// connections and their budget. Listeners share nothing, so one that is flooded never delays
// or starves another.
//
//   HttpListener listener(std::move(socket), bound, endpoints, limits);
//   if (!listener.start(&error)) die(error);
//   listener.counters()->open.load();
//   listener.stop();   // joins; idempotent

#include <atomic>
#include <chrono>
#include <memory>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

#include "net/client_table.h"
#include "net/connection_admission.h"
#include "net/connection_counters.h"
#include "net/deadline_queue.h"
#include "net/listen_address.h"
#include "net/loop_tick.h"
#include "net/socket_util.h"
#include "ops/http_server.h"

namespace vmdns::ops {

class HttpListener {
 public:
  HttpListener(net::UniqueFd socket, net::ListenAddress bound, std::vector<HttpEndpoint> endpoints,
               const HttpLimits& limits);
  ~HttpListener();  // stops
  HttpListener(const HttpListener&) = delete;
  HttpListener& operator=(const HttpListener&) = delete;

  bool start(std::string* error);
  void stop();
  // Returns once the listener's thread has read its clock and closed what the time expires
  // (HttpLimits::clock moved by a test); at once when it does not run.
  void tick() { tick_.tick(); }

  const net::ListenAddress& bound() const { return bound_; }
  const std::string& paths() const { return paths_; }
  std::shared_ptr<const net::ConnectionCounters> counters() const { return counters_; }

 private:
  using Clock = std::chrono::steady_clock;
  struct Connection {
    net::UniqueFd fd;
    std::string in;
    std::string out;
    size_t sent = 0;
    bool began = false;      // a request's first octet has arrived
    bool responded = false;  // the response is queued; afterwards input is read and dropped
    Clock::time_point accepted;
    net::DeadlineQueue<Connection>::Link idle;     // accepted, nothing received yet
    net::DeadlineQueue<Connection>::Link request;  // since the request's first octet
    net::ClientTable<Connection>::Link client;
  };

  void run();
  void accept_all(Clock::time_point now);
  void on_connection(int fd, uint32_t events, Clock::time_point now);
  void respond(Connection& connection);
  bool flush(Connection& connection);  // false: the connection is finished or broken
  void close_connection(int fd);
  void expire(Clock::time_point now);
  void watch(int fd, uint32_t events, int op);
  void set_listening(bool on, Clock::time_point now);
  Clock::time_point clock_now() const { return limits_.clock ? limits_.clock() : Clock::now(); }

  net::UniqueFd socket_;
  net::ListenAddress bound_;
  std::vector<HttpEndpoint> endpoints_;
  std::string paths_;  // "/health,/ready", for logs and metrics
  HttpLimits limits_;
  net::UniqueFd epoll_;
  net::UniqueFd stop_fd_;
  std::thread thread_;
  std::shared_ptr<net::ConnectionCounters> counters_;

  // The listener's thread only.
  std::unordered_map<int, Connection> connections_;  // by fd; nodes never move
  net::DeadlineQueue<Connection> idle_;
  net::DeadlineQueue<Connection> request_;
  net::ConnectionAdmission<Connection> admission_;
  // Taken out of epoll for a moment when accept runs out of descriptors or memory.
  bool listening_ = true;
  Clock::time_point resume_at_{};
  net::LoopTick tick_;
};

}  // namespace vmdns::ops
