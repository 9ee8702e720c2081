#pragma once
// The NOTIFY sender of `serve` (RFC 1996): a thread that tells every `--notify` target of each
// new serial of our zones over UDP, signed with TSIG when the target has a key, retried with
// backoff until a matching answer comes (NotifySchedule), and counted for /metrics.
//
//   Notifier notifier({{address, key}}, {});     // starts its thread; check ok()
//   notifier.publish(*snapshot);                 // control thread, after each publish: O(zones)
//   notifier.write_metrics(exposition);          // vmdns_notifies_total{target,result}
//
// publish() only queues the serials that changed and wakes the thread: the control thread never
// waits on the network. A matching answer has our ID, opcode NOTIFY, QR set, the zone in its
// question, comes from the target's address and, when we signed, verifies with the key.

#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "metrics/exposition.h"
#include "net/listen_address.h"
#include "net/socket_util.h"
#include "notify/notify_schedule.h"
#include "tsig/key.h"
#include "zone/snapshot.h"

namespace vmdns::notify {

struct Peer {
  net::ListenAddress address;
  std::optional<tsig::Key> key;  // unset: unsigned
};

// Per target. `failed` counts exchanges given up after the last try, answered with an error
// rcode, or sent to an unreachable address (sendto failing every try).
struct NotifyCounters {
  std::atomic<uint64_t> sent{0};          // NOTIFY messages sent, first tries and retries
  std::atomic<uint64_t> acknowledged{0};  // exchanges the target answered with NOERROR
  std::atomic<uint64_t> retried{0};       // sends after the first of an exchange
  std::atomic<uint64_t> failed{0};
};

class Notifier {
 public:
  // Opens one UDP socket per address family of `peers`; check ok() (error() says why not).
  Notifier(std::vector<Peer> peers, ScheduleOptions options);
  ~Notifier();  // stops the thread
  Notifier(const Notifier&) = delete;
  Notifier& operator=(const Notifier&) = delete;

  bool ok() const { return error_.empty(); }
  const std::string& error() const { return error_; }

  // Each zone of `snapshot` whose SOA serial differs from the one last published (every zone,
  // the first time) is queued for every target, with its SOA.
  void publish(const zone::Snapshot& snapshot);

  const NotifyCounters& counters(size_t peer) const { return counters_[peer]; }
  void write_metrics(metrics::Exposition& out) const;

 private:
  struct Pending {
    dns::Name zone;
    uint32_t serial = 0;
    uint32_t ttl = 0;
    std::vector<uint8_t> soa;  // rdata
  };
  struct InFlight {
    uint16_t id = 0;
    // The last distinct MACs of the exchange's tries (oldest first), to verify a signed answer:
    // a secondary's answer to one try may cross the next try, whose MAC differs (its time).
    std::vector<std::vector<uint8_t>> request_macs;
  };
  static constexpr size_t kTriesVerified = 4;
  void run();
  void send(const NotifySend& s);
  void receive(int fd, Clock::time_point now);

  std::vector<Peer> peers_;
  std::unique_ptr<NotifyCounters[]> counters_;
  std::string error_;
  net::UniqueFd socket4_;
  net::UniqueFd socket6_;
  net::UniqueFd wake_;  // eventfd: publish() and the destructor

  // The thread's own.
  NotifySchedule schedule_;
  std::vector<Pending> latest_;      // by the schedule's zone index: the newest SOA
  std::vector<InFlight> in_flight_;  // zone x peer, as the schedule numbers them

  // publish()'s own (the control thread): the serial last queued per zone apex (wire form).
  std::map<std::string, uint32_t, std::less<>> published_;

  std::mutex mutex_;
  std::vector<Pending> inbox_;  // guarded by mutex_
  bool stopping_ = false;       // guarded by mutex_
  std::thread thread_;
};

}  // namespace vmdns::notify
