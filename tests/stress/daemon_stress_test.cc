// Everything that runs concurrently in `vmdns serve`, at once, in one process: a Daemon on two
// UDP workers and the TCP loop answers client threads (names of our zone, and names forwarded
// to a loopback upstream of the test's own), while the main thread rewrites the manifest file
// (the watcher's inotify events and rescans), reloads (SIGHUP's path: the --config file, read
// again and watched too, with a changing --ttl) and waits for each snapshot to be served.
//
// Run under ThreadSanitizer and AddressSanitizer by make test (tests/stress/CMakeLists.txt):
// a data race, a use after free or a leak between those threads is a failure there. The run
// is bounded by rounds, not by time; every wait is on an event (a reply, a flush).
//
// Each answer is checked too: the VMI's address carries the round of the manifest it comes
// from, and a reply can only come from a round between the last one served before the query
// was sent and the one in flight after the reply arrived.

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include "daemon/daemon.h"
#include "testing/dns_text.h"

namespace vmdns::daemon {
namespace {

constexpr int kRounds = 24;           // manifest rewrites, each served before the next
constexpr int kReloadEvery = 4;       // rounds between two reloads of the --config file
constexpr int kClients = 3;           // client threads
constexpr int kMinQueriesEach = 40;   // per client, even if the rounds end first
constexpr int kVmis = 4;
constexpr int kReplyTimeoutMs = 20000;  // bounds a hang only: sanitizer builds are slow
constexpr const char* kUpstreamAddress = "192.0.2.53";

// A file descriptor closed with its owner.
class Fd {
 public:
  explicit Fd(int fd) : fd_(fd) {}
  ~Fd() {
    if (fd_ >= 0)
      ::close(fd_);
  }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  int get() const { return fd_; }

 private:
  int fd_;
};

sockaddr_in loopback(uint16_t port) {
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(port);
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  return address;
}

bool readable(int fd, int timeout_ms) {
  pollfd p{fd, POLLIN, 0};
  return ::poll(&p, 1, timeout_ms) == 1;
}

// A loopback upstream: answers every query with one A record, kUpstreamAddress, until stopped.
class FakeUpstream {
 public:
  FakeUpstream() : socket_(::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0)) {
    sockaddr_in address = loopback(0);
    if (::bind(socket_.get(), reinterpret_cast<sockaddr*>(&address), sizeof(address)) == 0) {
      socklen_t size = sizeof(address);
      ::getsockname(socket_.get(), reinterpret_cast<sockaddr*>(&address), &size);
      port_ = ntohs(address.sin_port);
    }
    thread_ = std::thread([this] { serve(); });
  }
  ~FakeUpstream() {
    stop_ = true;
    thread_.join();
  }
  uint16_t port() const { return port_; }
  int answered() const { return answered_; }

 private:
  void serve() {
    while (!stop_) {
      // The stop flag is read between two polls: 50 ms bounds how long the destructor waits.
      if (!readable(socket_.get(), 50))
        continue;
      uint8_t packet[512];
      sockaddr_in peer{};
      socklen_t peer_size = sizeof(peer);
      ssize_t n = ::recvfrom(socket_.get(), packet, sizeof(packet), 0,
                             reinterpret_cast<sockaddr*>(&peer), &peer_size);
      if (n < 17)
        continue;
      // The header and the question; whatever follows (the forwarder's OPT) is dropped.
      size_t end = 12;
      while (end < static_cast<size_t>(n) && packet[end] != 0)
        end += packet[end] + 1;
      end += 5;
      if (end > static_cast<size_t>(n))
        continue;
      std::vector<uint8_t> reply(packet, packet + end);
      reply[2] |= 0x80;  // QR
      reply[3] = 0x80;   // RA, NOERROR
      reply[6] = 0, reply[7] = 1;                       // ANCOUNT
      reply[8] = reply[9] = reply[10] = reply[11] = 0;  // NSCOUNT, ARCOUNT
      const uint8_t record[] = {0xc0, 0x0c, 0, 1, 0, 1, 0, 0, 0, 60, 0, 4, 192, 0, 2, 53};
      reply.insert(reply.end(), record, record + sizeof(record));
      ::sendto(socket_.get(), reply.data(), reply.size(), 0, reinterpret_cast<sockaddr*>(&peer),
               peer_size);
      ++answered_;
    }
  }

  Fd socket_;
  uint16_t port_ = 0;
  std::atomic<bool> stop_{false};
  std::atomic<int> answered_{0};
  std::thread thread_;
};

std::vector<uint8_t> ask_udp(uint16_t port, const std::vector<uint8_t>& query) {
  // A socket per query: a new source port each time, so the kernel spreads the queries over
  // every worker's SO_REUSEPORT socket.
  Fd socket(::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0));
  sockaddr_in address = loopback(port);
  if (::connect(socket.get(), reinterpret_cast<sockaddr*>(&address), sizeof(address)) != 0 ||
      ::send(socket.get(), query.data(), query.size(), 0) < 0 ||
      !readable(socket.get(), kReplyTimeoutMs)) {
    return {};
  }
  std::vector<uint8_t> reply(65535);
  ssize_t n = ::recv(socket.get(), reply.data(), reply.size(), 0);
  reply.resize(n > 0 ? static_cast<size_t>(n) : 0);
  return reply;
}

bool read_exactly(int fd, uint8_t* out, size_t size) {
  for (size_t done = 0; done < size;) {
    if (!readable(fd, kReplyTimeoutMs))
      return false;
    ssize_t n = ::recv(fd, out + done, size - done, 0);
    if (n <= 0)
      return false;
    done += static_cast<size_t>(n);
  }
  return true;
}

std::vector<uint8_t> ask_tcp(uint16_t port, const std::vector<uint8_t>& query) {
  Fd socket(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
  sockaddr_in address = loopback(port);
  std::vector<uint8_t> framed = {static_cast<uint8_t>(query.size() >> 8),
                                 static_cast<uint8_t>(query.size())};
  framed.insert(framed.end(), query.begin(), query.end());
  uint8_t length[2];
  if (::connect(socket.get(), reinterpret_cast<sockaddr*>(&address), sizeof(address)) != 0 ||
      ::send(socket.get(), framed.data(), framed.size(), 0) < 0 ||
      !read_exactly(socket.get(), length, 2)) {
    return {};
  }
  std::vector<uint8_t> reply(static_cast<size_t>(length[0] << 8 | length[1]));
  return read_exactly(socket.get(), reply.data(), reply.size()) ? reply : std::vector<uint8_t>{};
}

std::string vmi_name(int vmi) {
  return "vm" + std::to_string(vmi) + ".stress.default.svc.cluster.local";
}

// Round r serves VMI v at 10.77.r.v.
std::string vmi_address(int round, int vmi) {
  return "10.77." + std::to_string(round) + "." + std::to_string(vmi);
}

class DaemonStressTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char pattern[] = "/tmp/vmdns-stress-XXXXXX";
    ASSERT_NE(::mkdtemp(pattern), nullptr);
    directory_ = pattern;
    manifest_ = directory_ + "/vmis.yaml";
    config_ = directory_ + "/vmdns.yaml";
  }
  void TearDown() override {
    std::remove(manifest_.c_str());
    std::remove(config_.c_str());
    ::rmdir(directory_.c_str());
  }

  // Written to the side and renamed over the file, as editors and kubelet's volumes do.
  static void replace(const std::string& path, const std::string& text) {
    std::string temporary = path + ".new";
    std::ofstream(temporary, std::ios::trunc) << text;
    std::rename(temporary.c_str(), path.c_str());
  }

  void write_manifest(int round) {
    std::string text =
        "apiVersion: v1\nkind: Service\nmetadata:\n  name: stress\n  namespace: default\n"
        "spec:\n  clusterIP: None\n  selector:\n    app: stress\n";
    for (int vmi = 0; vmi < kVmis; ++vmi) {
      text += "---\napiVersion: kubevirt.io/v1\nkind: VirtualMachineInstance\nmetadata:\n"
              "  name: vm" + std::to_string(vmi) +
              "\n  namespace: default\n  labels:\n    app: stress\n"
              "spec:\n  subdomain: stress\nstatus:\n  phase: Running\n  interfaces:\n"
              "  - name: default\n    ipAddress: " + vmi_address(round, vmi) + "\n";
    }
    replace(manifest_, text);
  }

  void write_config(int ttl, uint16_t upstream_port) {
    replace(config_, "filename: [" + manifest_ + "]\n" +
                         "listen: 127.0.0.1:0\n"
                         "threads: 2\n"
                         "upstream: [127.0.0.1:" + std::to_string(upstream_port) + "]\n" +
                         "metrics-listen: none\n"
                         "health-listen: none\n"
                         "ready-listen: none\n"
                         "ttl: " + std::to_string(ttl) + "\n");
  }

  std::string directory_;
  std::string manifest_;
  std::string config_;
};

// One client's queries and what it found wrong (checked by the main thread afterwards).
struct ClientReport {
  int queries = 0;
  int forwarded = 0;
  std::vector<std::string> errors;
};

TEST_F(DaemonStressTest, QueriesForwardsRewritesAndReloadsAllAtOnce) {
  FakeUpstream upstream;
  ASSERT_NE(upstream.port(), 0);
  write_manifest(0);
  write_config(5, upstream.port());

  SettingsSource source;
  source.label = "--config";
  source.path = config_;
  source.read = settings::config_file_reader(config_);
  source.watch = true;  // the file watcher's thread reloads on the edits too
  std::string error;
  auto loaded = settings::load_serve_settings(config_, source.read, source.given, &error);
  ASSERT_TRUE(loaded) << error;
  source.loaded = *loaded;
  int exit_code = -1;
  auto daemon = Daemon::start(source.loaded.options, &source, &exit_code);
  ASSERT_TRUE(daemon) << "exit code " << exit_code;
  const uint16_t port = daemon->bound_address().port();

  std::atomic<int> served{0};  // every round up to this one has been served
  std::atomic<bool> rounds_done{false};
  std::vector<ClientReport> reports(kClients);
  std::vector<std::thread> clients;
  for (int c = 0; c < kClients; ++c) {
    clients.emplace_back([&, c] {
      ClientReport& report = reports[c];
      for (int n = 0; !rounds_done || n < kMinQueriesEach; ++n) {
        int vmi = n % kVmis;
        int first = served;
        auto query = testing::make_query(
            {.name = vmi_name(vmi), .id = static_cast<uint16_t>(n), .edns = n % 2 == 0});
        auto reply = testing::parse_response(n % 5 == 4 ? ask_tcp(port, query)
                                                        : ask_udp(port, query));
        int last = served + 1;  // the round being written may already be served
        ++report.queries;
        if (!reply || reply->rcode != dns::Rcode::NoError || reply->answer.size() != 1) {
          report.errors.push_back(vmi_name(vmi) + ": no single answer");
          continue;
        }
        bool found = false;
        for (int round = first; round <= last && !found; ++round)
          found = reply->answer[0].ends_with("\tA\t" + vmi_address(round, vmi));
        if (!found) {
          report.errors.push_back(reply->answer[0] + ": not of rounds " + std::to_string(first) +
                                  ".." + std::to_string(last));
        }
        // A name outside our zones, a new one each time so that the cache never has it.
        std::string outside = "q" + std::to_string(c) + "-" + std::to_string(n) + ".example.";
        auto forwarded = testing::parse_response(ask_udp(port, testing::make_query({.name = outside})));
        ++report.queries;
        if (!forwarded || forwarded->answer.size() != 1 ||
            !forwarded->answer[0].ends_with(std::string("\tA\t") + kUpstreamAddress)) {
          report.errors.push_back(outside + ": not forwarded");
        } else {
          ++report.forwarded;
        }
      }
    });
  }

  for (int round = 1; round <= kRounds; ++round) {
    write_manifest(round);
    if (round % kReloadEvery == 0) {
      write_config(5 + round % 2, upstream.port());
    }
    daemon->reload();  // SIGHUP: the --config file and the manifests, read again
    daemon->flush();
    served = round;
  }
  rounds_done = true;
  for (auto& client : clients)
    client.join();
  daemon.reset();

  for (int c = 0; c < kClients; ++c) {
    EXPECT_GE(reports[c].queries, 2 * kMinQueriesEach) << "client " << c;
    EXPECT_GT(reports[c].forwarded, 0) << "client " << c;
    for (const auto& e : reports[c].errors)
      ADD_FAILURE() << "client " << c << ": " << e;
  }
  EXPECT_GT(upstream.answered(), 0);
}

}  // namespace
}  // namespace vmdns::daemon
