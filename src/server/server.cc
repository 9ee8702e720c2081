#include "server/server.h"

#include <pthread.h>
#include <spdlog/spdlog.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <cerrno>
#include <mutex>
#include <system_error>

#include "net/socket_util.h"
#include "server/tcp_loop.h"
#include "server/udp_worker.h"

namespace vmdns::server {
namespace {

// With port 0 the TCP port is chosen first and the UDP sockets join it; if another program
// holds that UDP port, we try again with a new port this many times.
constexpr int kBindAttempts = 8;

void name_thread(const std::string& name) {
  // Linux limits thread names to 15 characters; shows in top -H and gdb.
  pthread_setname_np(pthread_self(), name.substr(0, 15).c_str());
}

}  // namespace

struct Server::Impl {
  ServerOptions options;
  QueryHandlerFactory factory;
  // stop() sets `stopping` and then makes `stop_fd` readable. Every thread polls the eventfd
  // next to its sockets, so a thread blocked in poll or epoll_wait wakes at once and a thread
  // busy with queries sees the flag before its next batch. The eventfd is only drained by the
  // next start(), so it wakes every thread, however many, whenever they next wait.
  net::UniqueFd stop_fd;
  std::atomic<bool> stopping{false};
  // Serialises start() and stop(); never taken on the query path.
  std::mutex lifecycle;
  std::vector<std::unique_ptr<UdpWorker>> udp_workers;
  std::unique_ptr<TcpLoop> tcp_loop;
  std::vector<std::thread> threads;
  std::shared_ptr<net::ConnectionCounters> tcp_counters =
      std::make_shared<net::ConnectionCounters>();

  void signal_stop() {
    stopping.store(true, std::memory_order_release);
    if (stop_fd.valid()) {
      uint64_t one = 1;
      while (write(stop_fd.get(), &one, sizeof(one)) < 0 && errno == EINTR) {
      }
    }
  }

  void stop_locked() {
    if (threads.empty() && udp_workers.empty() && !tcp_loop) {
      return;
    }
    signal_stop();
    for (std::thread& thread : threads) {
      thread.join();
    }
    threads.clear();
    // Closes the sockets, now that no thread uses them.
    udp_workers.clear();
    tcp_loop.reset();
  }

  bool bind_sockets(net::ListenAddress* bound, net::UniqueFd* tcp, std::vector<net::UniqueFd>* udp,
                    std::string* error);
  bool start_locked(net::ListenAddress* bound, std::string* error);
};

// The TCP socket is bound first, then the UDP sockets to the same port. With port 0 this makes
// the port unique: Linux never gives a TCP socket bound to port 0 a port that another socket
// uses, whereas a UDP socket with SO_REUSEPORT bound to port 0 may be given a port that another
// SO_REUSEPORT socket of the same user already has, and would then share its queries.
bool Server::Impl::bind_sockets(net::ListenAddress* bound, net::UniqueFd* tcp,
                                std::vector<net::UniqueFd>* udp, std::string* error) {
  bool any_port = options.listen.port() == 0;
  int attempts = any_port ? kBindAttempts : 1;
  for (int attempt = 1; attempt <= attempts; ++attempt) {
    int error_number = 0;
    net::UniqueFd listener = net::open_tcp_listener(options.listen, error, &error_number);
    if (!listener.valid()) {
      return false;
    }
    net::ListenAddress address = options.listen;
    if (any_port) {
      net::ListenAddress local;
      if (!net::local_address(listener.get(), &local, error)) {
        return false;
      }
      address.set_port(local.port());
    }
    std::vector<net::UniqueFd> sockets;
    for (unsigned i = 0; i < options.threads; ++i) {
      net::UniqueFd socket = net::open_udp_socket(address, error, &error_number);
      if (!socket.valid()) {
        break;
      }
      sockets.push_back(std::move(socket));
    }
    if (sockets.size() == options.threads) {
      *bound = address;
      *tcp = std::move(listener);
      *udp = std::move(sockets);
      return true;
    }
    if (!any_port || error_number != EADDRINUSE) {
      return false;
    }
    spdlog::debug("udp port {} is taken; trying another ({} of {})", address.port(), attempt,
                  attempts);
  }
  *error = "no port free for both UDP and TCP after " + std::to_string(attempts) +
           " attempts: " + *error;
  return false;
}

bool Server::Impl::start_locked(net::ListenAddress* bound, std::string* error) {
  if (!threads.empty()) {
    *error = "the server is already running";
    return false;
  }
  if (options.threads == 0) {
    *error = "at least one UDP thread is needed";
    return false;
  }
  if (options.listen.family() != AF_INET && options.listen.family() != AF_INET6) {
    *error = "no listen address";
    return false;
  }
  if (!stop_fd.valid()) {
    stop_fd.reset(eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC));
    if (!stop_fd.valid()) {
      *error = "eventfd: " + net::errno_text(errno);
      return false;
    }
  }
  // Re-arm after a previous stop: drain the eventfd, then clear the flag.
  uint64_t drained = 0;
  while (read(stop_fd.get(), &drained, sizeof(drained)) < 0 && errno == EINTR) {
  }
  stopping.store(false, std::memory_order_release);

  net::UniqueFd listener;
  std::vector<net::UniqueFd> sockets;
  net::ListenAddress address;
  if (!bind_sockets(&address, &listener, &sockets, error)) {
    return false;
  }

  // The handlers are made here rather than in each thread so that a factory failure is reported
  // by start(); each is then used only by the thread it is given to.
  bool pktinfo = net::is_wildcard(address);
  for (net::UniqueFd& socket : sockets) {
    std::unique_ptr<QueryHandler> handler = factory();
    if (!handler) {
      *error = "the query handler factory returned no handler";
      udp_workers.clear();
      return false;
    }
    udp_workers.push_back(std::make_unique<UdpWorker>(std::move(socket), std::move(handler),
                                                      pktinfo, stop_fd.get(), &stopping,
                                                      options.clock));
  }
  std::unique_ptr<QueryHandler> tcp_handler = factory();
  if (!tcp_handler) {
    *error = "the query handler factory returned no handler";
    udp_workers.clear();
    return false;
  }
  tcp_loop = std::make_unique<TcpLoop>(std::move(listener), std::move(tcp_handler),
                                       TcpLimits{.max_connections = options.max_tcp_connections,
                                                 .max_connections_per_client =
                                                     options.max_tcp_connections_per_client,
                                                 .client_ipv6_prefix = options.client_ipv6_prefix,
                                                 .idle_timeout_ms = options.tcp_idle_timeout_ms,
                                                 .query_timeout_ms = options.tcp_query_timeout_ms,
                                                 .clock = options.clock},
                                       stop_fd.get(), &stopping, tcp_counters.get());
  if (!tcp_loop->init(error)) {
    udp_workers.clear();
    tcp_loop.reset();
    return false;
  }

  try {
    for (size_t i = 0; i < udp_workers.size(); ++i) {
      UdpWorker* worker = udp_workers[i].get();
      threads.emplace_back([worker, i] {
        name_thread("vmdns-udp-" + std::to_string(i));
        worker->run();
      });
    }
    TcpLoop* loop = tcp_loop.get();
    threads.emplace_back([loop] {
      name_thread("vmdns-tcp");
      loop->run();
    });
  } catch (const std::system_error& e) {
    *error = std::string("cannot start a thread: ") + e.what();
    stop_locked();
    return false;
  }
  *bound = address;
  return true;
}

Server::Server(ServerOptions options, QueryHandlerFactory factory)
    : impl_(std::make_unique<Impl>()), bound_(options.listen) {
  impl_->options = options;
  impl_->factory = std::move(factory);
  // Made here so that request_stop() never races with its creation; start() reports a failure.
  impl_->stop_fd.reset(eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC));
}

Server::~Server() {
  stop();
}

bool Server::start(std::string* error) {
  std::lock_guard lock(impl_->lifecycle);
  std::string ignored;
  return impl_->start_locked(&bound_, error != nullptr ? error : &ignored);
}

void Server::stop() {
  std::lock_guard lock(impl_->lifecycle);
  impl_->stop_locked();
}

std::shared_ptr<const net::ConnectionCounters> Server::tcp_counters() const {
  return impl_->tcp_counters;
}

void Server::tick() {
  std::lock_guard lock(impl_->lifecycle);
  if (impl_->tcp_loop) {
    impl_->tcp_loop->tick();
  }
}

void Server::request_stop() {
  impl_->signal_stop();
}

}  // namespace vmdns::server
