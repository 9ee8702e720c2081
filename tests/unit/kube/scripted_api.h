#pragma once
// Test doubles for the API client's users (the reflector, the kube source): a transport that
// plays a script of answers, a clock whose waits return at once and are recorded, and a sink
// that records what it is told, one line per call.
//
//   ScriptedTransport api(stop);
//   api.page("/api/v1/services?limit=2", 200, service_list({"a", "b"}, "", "7"));
//   api.watch("/api/v1/services?watch=1&resourceVersion=7", {event("ADDED", "c", "8")});
//   Reflector reflector(options, api, sink, "origin", stop, on_status, &clock);
//   reflector.run();   // returns when the script is played out (the transport stops it)

#include <condition_variable>
#include <deque>
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <vector>

#include "kube/api_transport.h"
#include "kube/stop_signal.h"
#include "kube/wait_clock.h"
#include "sources/object_sink.h"

namespace vmdns::kube::testing {

// Orders two threads' requests (a relist's pages and the watch beside it): an answer can wait
// for a gate, and open one once played.
class Gate {
 public:
  void open() { opened_.stop(); }
  // Until open() or `stop`.
  void wait(StopSignal& stop);

 private:
  StopSignal opened_;
};

// One answer: to a GET of `path` (a list page), or to a watch whose path starts with `path`
// (the watch's timeoutSeconds is random). `chunks` are a watch's body, as they arrive.
struct Answer {
  bool watch = false;
  std::string path;
  HttpResult result;
  std::vector<std::string> chunks;
  Gate* waits_for = nullptr;  // answered once this is open
  Gate* opens = nullptr;      // opened once answered (a watch: once its chunks are read)
  Gate* asked = nullptr;      // opened once asked for, before waiting for `waits_for`
  bool held = false;          // a watch that stays open, silent, until stop
};

// Plays the answers in order, the pages and the watches each in their own order (a relist
// asks for both at once, from two threads); a request that is not the next one of its type
// fails the test. A request when no answer of its type is left waits until the script is
// played out (or stop). Once the script is played out, the next request stops `stop` (or,
// with `release`, waits for it first) and is answered as aborted.
class ScriptedTransport : public ApiTransport {
 public:
  explicit ScriptedTransport(StopSignal& stop, StopSignal* release = nullptr)
      : stop_(stop), release_(release) {}

  ScriptedTransport& page(std::string path, long status, std::string body,
                          std::optional<std::chrono::seconds> retry_after = std::nullopt);
  ScriptedTransport& failed_page(std::string path, HttpResult result);
  ScriptedTransport& watch(std::string path_prefix, std::vector<std::string> chunks,
                           long status = 200, std::string error = "",
                           std::optional<std::chrono::seconds> retry_after = std::nullopt);
  // The answer scripted last waits for `gate`; opens `gate`; (a watch) stays open until stop.
  ScriptedTransport& after(Gate& gate);
  ScriptedTransport& then_open(Gate& gate);
  ScriptedTransport& when_asked_open(Gate& gate);
  ScriptedTransport& held();

  HttpResult get(const std::string& path, std::chrono::seconds timeout,
                 size_t max_body) override;
  HttpResult stream(const std::string& path, std::chrono::seconds timeout,
                    const std::function<void(long)>& on_answer,
                    const std::function<bool(std::string_view)>& on_bytes) override;

  // Every request, in order ("GET /api/v1/services?limit=2", "WATCH /api/v1/...").
  std::vector<std::string> asked() const;
  bool played_out() const;
  void wait_played_out() const;

 private:
  std::optional<Answer> next(bool watch, const std::string& path);

  StopSignal& stop_;
  StopSignal* release_;
  mutable std::mutex mutex_;
  mutable std::condition_variable played_;
  std::deque<Answer> script_;
  std::vector<std::string> asked_;
};

// Time that moves only by the waits asked of it.
class FakeClock : public WaitClock {
 public:
  explicit FakeClock(StopSignal& stop) : stop_(stop) {}
  TimePoint now() override;
  bool wait_for(Duration duration) override;
  std::vector<Duration> waits() const;

 private:
  StopSignal& stop_;
  mutable std::mutex mutex_;
  TimePoint now_{};
  std::vector<Duration> waits_;
};

// Each call as one line: "replace Service prod/a Service prod/b", "upsert Service prod/c",
// "remove Service prod/a", "retain Service prod/b", "forget", "sync synced",
// "sync not_synced: <reason>", "sync lost: <reason>".
class RecordingSink : public sources::ObjectSink {
 public:
  void replace_origin(const std::string& origin, cluster::State objects) override;
  void upsert(const std::string& origin, sources::Object object) override;
  void remove(const std::string& origin, sources::ObjectRef ref) override;
  void retain(const std::string& origin, sources::ObjectKind kind,
              std::set<cluster::ObjectKey> keep) override;
  void forget_origin(const std::string& origin) override;
  void set_sync(const std::string& origin, sources::SyncState state) override;

  std::vector<std::string> lines() const;
  // What the calls add up to: each object held, with its label "v" (the scripts' objects carry
  // their resourceVersion there): "Service prod/a@7 Service prod/c@9".
  std::string held() const;
  // The lines of `origin` only, without the origin.
  std::vector<std::string> lines_of(const std::string& origin) const;
  // Waits until `origin` has been told `line`.
  void wait_for_line(const std::string& origin, const std::string& line) const;
  void clear();

 private:
  void add(const std::string& origin, std::string line);

  mutable std::mutex mutex_;
  mutable std::condition_variable changed_;
  std::vector<std::pair<std::string, std::string>> lines_;
  std::map<std::string, std::string> held_;  // "Service prod/a" -> its label "v"
};

// JSON for the script: a ServiceList page, a watch event line, a Status.
std::string service_list(const std::vector<std::string>& names, const std::string& continue_token,
                         const std::string& version);
std::string service_event(const std::string& type, const std::string& name,
                          const std::string& version);
std::string status_body(int code, const std::string& reason, const std::string& message);

}  // namespace vmdns::kube::testing
