// `vmdns serve` in-process: a Daemon started from a --config file over the examples' manifests
// on 127.0.0.1 port 0, asked over UDP and TCP, reloaded with a new --ttl, and stopped. Every
// wait is on an event (a reply, a flush of the control loop, the sockets closing).

#include "daemon/daemon.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <string>
#include <vector>

#include "testing/dns_text.h"

namespace vmdns::daemon {
namespace {

constexpr const char* kName = "myvmi.mysubdomain.default.svc.cluster.local";
// Long enough for a loaded machine; a reply that never comes fails rather than hangs.
constexpr int kReplyTimeoutMs = 10000;

class Socket {
 public:
  explicit Socket(int type) : fd_(::socket(AF_INET, type | SOCK_CLOEXEC, 0)) {}
  ~Socket() {
    if (fd_ >= 0)
      ::close(fd_);
  }
  int fd() const { return fd_; }
  bool connect_to(uint16_t port) const {
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(port);
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    return ::connect(fd_, reinterpret_cast<const sockaddr*>(&address), sizeof(address)) == 0;
  }
  bool readable() const {
    pollfd p{fd_, POLLIN, 0};
    return ::poll(&p, 1, kReplyTimeoutMs) == 1;
  }

 private:
  int fd_;
};

std::vector<uint8_t> ask_udp(uint16_t port, const std::vector<uint8_t>& query) {
  Socket socket(SOCK_DGRAM);
  if (!socket.connect_to(port) || ::send(socket.fd(), query.data(), query.size(), 0) < 0 ||
      !socket.readable()) {
    return {};
  }
  std::vector<uint8_t> reply(65535);
  ssize_t n = ::recv(socket.fd(), reply.data(), reply.size(), 0);
  reply.resize(n > 0 ? static_cast<size_t>(n) : 0);
  return reply;
}

bool read_exactly(const Socket& socket, uint8_t* out, size_t size) {
  for (size_t done = 0; done < size;) {
    if (!socket.readable())
      return false;
    ssize_t n = ::recv(socket.fd(), out + done, size - done, 0);
    if (n <= 0)
      return false;
    done += static_cast<size_t>(n);
  }
  return true;
}

std::vector<uint8_t> ask_tcp(uint16_t port, const std::vector<uint8_t>& query) {
  Socket socket(SOCK_STREAM);
  std::vector<uint8_t> framed = {static_cast<uint8_t>(query.size() >> 8),
                                 static_cast<uint8_t>(query.size())};
  framed.insert(framed.end(), query.begin(), query.end());
  uint8_t length[2];
  if (!socket.connect_to(port) || ::send(socket.fd(), framed.data(), framed.size(), 0) < 0 ||
      !read_exactly(socket, length, 2)) {
    return {};
  }
  std::vector<uint8_t> reply(static_cast<size_t>(length[0] << 8 | length[1]));
  return read_exactly(socket, reply.data(), reply.size()) ? reply : std::vector<uint8_t>{};
}

// The answer section of a reply, "" when there is no reply.
std::vector<std::string> answer(const std::vector<uint8_t>& reply) {
  auto parsed = testing::parse_response(reply);
  return parsed ? parsed->answer : std::vector<std::string>{"(no reply)"};
}

class DaemonTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char pattern[] = "/tmp/vmdns-daemon-test-XXXXXX";
    ASSERT_NE(::mkdtemp(pattern), nullptr);
    directory_ = pattern;
    config_ = directory_ + "/vmdns.yaml";
  }
  void TearDown() override {
    std::remove(config_.c_str());
    ::rmdir(directory_.c_str());
  }

  // serve's settings as a --config file: the examples, port 0, no upstream, no HTTP endpoint.
  void write_config(int ttl) {
    std::ofstream out(config_, std::ios::trunc);
    out << "filename: [" << VMDNS_SOURCE_DIR << "/examples]\n"
        << "listen: 127.0.0.1:0\n"
        << "threads: 1\n"
        << "no-upstream: true\n"
        << "metrics-listen: none\n"
        << "health-listen: none\n"
        << "ready-listen: none\n"
        << "ttl: " << ttl << "\n";
  }

  std::string directory_;
  std::string config_;
};

TEST_F(DaemonTest, ServesUdpAndTcpReloadsAndStops) {
  write_config(5);
  SettingsSource source;
  source.label = "--config";
  source.path = config_;
  source.read = settings::config_file_reader(config_);
  source.watch = false;  // reloaded by reload() alone, as SIGHUP does
  std::string error;
  auto loaded = settings::load_serve_settings(config_, source.read, source.given, &error);
  ASSERT_TRUE(loaded) << error;
  source.loaded = *loaded;

  int exit_code = -1;
  auto daemon = Daemon::start(source.loaded.options, &source, &exit_code);
  ASSERT_TRUE(daemon) << "exit code " << exit_code;
  EXPECT_EQ(exit_code, 0);
  uint16_t port = daemon->bound_address().port();
  ASSERT_NE(port, 0);

  const std::vector<uint8_t> query = testing::make_query({.name = kName});
  const std::vector<std::string> before = {std::string(kName) + ".\t5\tIN\tA\t10.244.0.57"};
  EXPECT_EQ(answer(ask_udp(port, query)), before);
  EXPECT_EQ(answer(ask_tcp(port, query)), before);

  // A name outside our zones with no upstream: REFUSED, not forwarded anywhere.
  auto outside = testing::parse_response(ask_udp(port, testing::make_query({.name = "example."})));
  ASSERT_TRUE(outside);
  EXPECT_EQ(outside->rcode, dns::Rcode::Refused);

  // SIGHUP's reload: the file's new --ttl is applied and served once the control loop flushed.
  write_config(30);
  daemon->reload();
  daemon->flush();
  const std::vector<std::string> after = {std::string(kName) + ".\t30\tIN\tA\t10.244.0.57"};
  EXPECT_EQ(answer(ask_udp(port, query)), after);
  EXPECT_EQ(answer(ask_tcp(port, query)), after);

  // Stopped: every component is gone, and the port no longer accepts connections.
  daemon.reset();
  Socket late(SOCK_STREAM);
  EXPECT_FALSE(late.connect_to(port));
}

TEST_F(DaemonTest, BadSettingsAreRefusedWithExitCodeTwo) {
  settings::ServeOptions options;
  options.listen = "127.0.0.1:notaport";
  int exit_code = -1;
  EXPECT_FALSE(Daemon::start(options, nullptr, &exit_code));
  EXPECT_EQ(exit_code, 2);

  options.listen = "127.0.0.1:0";  // and no source at all
  EXPECT_FALSE(Daemon::start(options, nullptr, &exit_code));
  EXPECT_EQ(exit_code, 2);
}

}  // namespace
}  // namespace vmdns::daemon
