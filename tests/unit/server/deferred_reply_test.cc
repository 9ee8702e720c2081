// Deferred replies: a handler that returns kDeferred and answers later from another thread
// through the query's ReplyRoute, the way the forwarder answers names outside our zones.
//
// Behaviour checked:
//   - UDP: the deferred reply reaches the client from the worker's socket; immediate replies in
//     the same batch are not held up by it.
//   - TCP: deferred replies are framed and sent by the loop, after later immediate replies
//     (out of order, RFC 7766 section 7); a client that half-closes still gets them; a reply for
//     a connection that has closed is dropped without harm.

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstring>
#include <deque>
#include <mutex>
#include <thread>
#include <vector>

#include "net/reply_route.h"
#include "server/server.h"
#include "testing/eventually.h"

namespace vmdns::server {
namespace {

using Bytes = std::vector<uint8_t>;
using namespace std::chrono_literals;

// Queries with an odd ID are deferred and answered by a helper thread once the test releases
// them (release()), so that "after" means after an event the test saw, not after a delay the
// machine may outlast; even IDs are answered at once. The reply is the query with QR set.
class Completer {
 public:
  Completer() : thread_([this] { run(); }) {}
  ~Completer() {
    {
      std::lock_guard lock(mutex_);
      done_ = true;
    }
    ready_.notify_all();
    thread_.join();
  }
  void add(const net::ReplyRoute& route, Bytes reply) {
    std::lock_guard lock(mutex_);
    pending_.push_back({route, std::move(reply)});
    ++deferred_;
    ready_.notify_all();
  }
  // The replies deferred so far, and any deferred later, are sent.
  void release() {
    std::lock_guard lock(mutex_);
    released_ = true;
    ready_.notify_all();
  }
  // Replies handed to send_reply() so far, and deferred so far.
  int sent() const { return sent_.load(); }
  int deferred() const { return deferred_.load(); }

 private:
  struct Pending {
    net::ReplyRoute route;
    Bytes reply;
  };
  void run() {
    std::unique_lock lock(mutex_);
    for (;;) {
      ready_.wait(lock, [this] { return done_ || (released_ && !pending_.empty()); });
      if (done_) {
        return;
      }
      Pending next = pending_.front();
      pending_.pop_front();
      lock.unlock();
      net::send_reply(next.route, next.reply);
      ++sent_;
      lock.lock();
    }
  }
  std::mutex mutex_;
  std::condition_variable ready_;
  std::deque<Pending> pending_;
  bool done_ = false;
  bool released_ = false;
  std::atomic<int> sent_{0};
  std::atomic<int> deferred_{0};
  std::thread thread_;
};

class DeferringHandler : public QueryHandler {
 public:
  explicit DeferringHandler(Completer* completer) : completer_(completer) {}
  size_t handle(std::span<const uint8_t> query, std::span<uint8_t> out, net::Transport) override {
    std::memcpy(out.data(), query.data(), query.size());
    out[2] |= 0x80;
    return query.size();
  }
  size_t handle_deferrable(std::span<const uint8_t> query, std::span<uint8_t> out,
                           const net::ReplyRoute& route) override {
    if (query.size() < 12) {
      return 0;
    }
    if ((query[1] & 1) == 0) {
      return handle(query, out, route.transport);
    }
    Bytes reply(query.begin(), query.end());
    reply[2] |= 0x80;
    completer_->add(route, std::move(reply));
    return kDeferred;
  }

 private:
  Completer* completer_;
};

Bytes make_query(uint16_t id) {
  Bytes query(29, 0);
  query[0] = static_cast<uint8_t>(id >> 8);
  query[1] = static_cast<uint8_t>(id & 0xff);
  query[5] = 1;
  return query;
}

Bytes reply_of(Bytes query) {
  query[2] |= 0x80;
  return query;
}

int connect_to(const net::ListenAddress& server, int type) {
  int fd = socket(server.family(), type | SOCK_CLOEXEC, 0);
  timeval tv{20, 0};  // ends a hang: every read expects its data
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
  EXPECT_EQ(connect(fd, reinterpret_cast<const sockaddr*>(&server.storage), server.length), 0);
  return fd;
}

Bytes read_framed(int fd) {
  uint8_t prefix[2];
  if (recv(fd, prefix, 2, MSG_WAITALL) != 2) {
    return {};
  }
  Bytes message((size_t{prefix[0]} << 8) | prefix[1]);
  if (recv(fd, message.data(), message.size(), MSG_WAITALL) !=
      static_cast<ssize_t>(message.size())) {
    return {};
  }
  return message;
}

Bytes framed(const Bytes& message) {
  Bytes out(2 + message.size());
  out[0] = static_cast<uint8_t>(message.size() >> 8);
  out[1] = static_cast<uint8_t>(message.size() & 0xff);
  std::copy(message.begin(), message.end(), out.begin() + 2);
  return out;
}

class DeferredReplyTest : public ::testing::Test {
 protected:
  net::ListenAddress start() {
    std::string error;
    auto listen = net::parse_listen_address("127.0.0.1:0", &error);
    server_ = std::make_unique<Server>(ServerOptions{.listen = *listen, .threads = 1}, [this] {
      return std::make_unique<DeferringHandler>(completer_.get());
    });
    EXPECT_TRUE(server_->start(&error)) << error;
    return server_->bound_address();
  }
  void TearDown() override {
    // Routes hold the server's sockets: the completer finishes before the server stops.
    completer_.reset();
    server_.reset();
  }

  std::unique_ptr<Completer> completer_ = std::make_unique<Completer>();
  std::unique_ptr<Server> server_;
};

TEST_F(DeferredReplyTest, UdpDeferredReplyArrivesAfterImmediateOne) {
  net::ListenAddress server = start();
  int fd = connect_to(server, SOCK_DGRAM);
  Bytes deferred = make_query(0x0101);
  Bytes immediate = make_query(0x0102);
  ASSERT_EQ(send(fd, deferred.data(), deferred.size(), 0), ssize_t(deferred.size()));
  ASSERT_EQ(send(fd, immediate.data(), immediate.size(), 0), ssize_t(immediate.size()));
  Bytes buffer(512);
  ssize_t n = recv(fd, buffer.data(), buffer.size(), 0);
  ASSERT_GT(n, 0);
  buffer.resize(n);
  EXPECT_EQ(buffer, reply_of(immediate));
  completer_->release();
  buffer.resize(512);
  n = recv(fd, buffer.data(), buffer.size(), 0);
  ASSERT_GT(n, 0);
  buffer.resize(n);
  EXPECT_EQ(buffer, reply_of(deferred));
  close(fd);
}

TEST_F(DeferredReplyTest, TcpRepliesOutOfOrderAndAfterHalfClose) {
  net::ListenAddress server = start();
  int fd = connect_to(server, SOCK_STREAM);
  Bytes stream;
  for (uint16_t id : {0x0201, 0x0202, 0x0203, 0x0204}) {
    Bytes f = framed(make_query(id));
    stream.insert(stream.end(), f.begin(), f.end());
  }
  ASSERT_EQ(send(fd, stream.data(), stream.size(), MSG_NOSIGNAL), ssize_t(stream.size()));
  shutdown(fd, SHUT_WR);
  // The two immediate replies first, in order, then the two deferred ones.
  EXPECT_EQ(read_framed(fd), reply_of(make_query(0x0202)));
  EXPECT_EQ(read_framed(fd), reply_of(make_query(0x0204)));
  completer_->release();
  EXPECT_EQ(read_framed(fd), reply_of(make_query(0x0201)));
  EXPECT_EQ(read_framed(fd), reply_of(make_query(0x0203)));
  uint8_t byte;
  EXPECT_EQ(recv(fd, &byte, 1, 0), 0);  // then the server closes
  close(fd);
}

TEST_F(DeferredReplyTest, ReplyForAClosedConnectionIsDropped) {
  net::ListenAddress server = start();
  int fd = connect_to(server, SOCK_STREAM);
  Bytes f = framed(make_query(0x0301));
  ASSERT_EQ(send(fd, f.data(), f.size(), MSG_NOSIGNAL), ssize_t(f.size()));
  // The deferred query reached the handler; the client goes before its reply is sent.
  ASSERT_TRUE(testing::eventually([&] { return completer_->deferred() == 1; }));
  close(fd);
  completer_->release();
  // The deferred reply arrives for a closed connection: once it has, a new connection (which
  // may have the same descriptor) asks, and gets its own reply alone.
  ASSERT_TRUE(testing::eventually([&] { return completer_->sent() == 1; }));
  int again = connect_to(server, SOCK_STREAM);
  Bytes g = framed(make_query(0x0302));
  ASSERT_EQ(send(again, g.data(), g.size(), MSG_NOSIGNAL), ssize_t(g.size()));
  EXPECT_EQ(read_framed(again), reply_of(make_query(0x0302)));
  close(again);
}

}  // namespace
}  // namespace vmdns::server
