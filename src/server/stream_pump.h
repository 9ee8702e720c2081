#pragma once
// The thread that writes streamed replies (reply_stream.h): the TCP loop lends it a
// connection whose query was answered with a stream, and takes it back when the stream ends.
// The pump makes a message only when the previous one is wholly in the socket's buffer, so a
// transfer proceeds at the client's pace and holds one message (64 KiB) of output at a time;
// several streams share the thread, a message each in turn. A stream whose client reads
// nothing for the stall timeout is given up. The stall timeout runs on the clock given (the
// steady clock unless a test passes its own, moves it, and calls tick()).
//
//   StreamPump pump(std::chrono::seconds(10));
//   pump.init(&error);                      // its eventfds; the thread starts on the first lend
//   pump.lend(fd, connection_id, std::move(stream));
//   ...pump.returned_fd() readable...
//   pump.take_returned(&done);             // {connection_id, complete}
//   pump.stop();                            // ends every stream (finished(false)) and joins
//
// The descriptor stays the loop's: the pump only writes to it and never closes it, and the
// loop closes no lent connection before stop() returns.

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "net/loop_tick.h"
#include "net/socket_util.h"
#include "server/reply_stream.h"
#include "sync/guarded.h"

namespace vmdns::server {

class StreamPump {
 public:
  struct Returned {
    uint64_t connection = 0;
    bool complete = false;  // every message sent; false: the connection is to be closed
  };

  using Clock = std::chrono::steady_clock;

  // `clock`: the time the stall timeout is measured on; empty: Clock::now.
  explicit StreamPump(std::chrono::milliseconds stall_timeout,
                      std::function<Clock::time_point()> clock = nullptr);
  ~StreamPump();  // stop()
  StreamPump(const StreamPump&) = delete;
  StreamPump& operator=(const StreamPump&) = delete;

  bool init(std::string* error);
  // Any thread (the loop's): `fd` is written to until the stream ends.
  void lend(int fd, uint64_t connection, std::unique_ptr<ReplyStream> stream);
  // Readable when connections came back.
  int returned_fd() const { return returned_event_.get(); }
  void take_returned(std::vector<Returned>* out);
  // Ends every stream still running and joins the thread. Idempotent.
  void stop();
  // Any other thread: returns once the pump has run a round with its clock's time read after
  // the call, every stream that time stalls given up (net/loop_tick.h); at once when no stream
  // was ever lent or the pump has stopped.
  void tick();

 private:
  struct Job;
  void run();
  void adopt_new_jobs();
  // Sends what the job holds and makes its next messages while the socket takes them; false
  // when the job is over (done or failed; `complete` says which).
  bool pump(Job& job, bool* complete);
  void end(Job& job, bool complete);
  // Gives up the streams whose client read nothing for the stall timeout; epoll_wait's timeout
  // until the next one would be.
  int give_up_stalled(Clock::time_point now);
  Clock::time_point now() const { return clock_ ? clock_() : Clock::now(); }

  std::chrono::milliseconds stall_timeout_;
  std::function<Clock::time_point()> clock_;
  net::UniqueFd epoll_;
  net::UniqueFd wake_event_;      // lend() and stop() write it
  net::UniqueFd returned_event_;  // the pump writes it
  struct Inbox {
    std::vector<std::unique_ptr<Job>> jobs;
    bool stopping = false;
  };
  sync::Guarded<Inbox> inbox_;
  sync::Guarded<std::vector<Returned>> returned_;
  std::vector<std::unique_ptr<Job>> jobs_;  // the pump thread's
  std::thread thread_;
  std::atomic<bool> started_{false};
  net::LoopTick tick_;
};

}  // namespace vmdns::server
