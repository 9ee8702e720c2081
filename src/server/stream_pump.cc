#include "server/stream_pump.h"

#include <spdlog/spdlog.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <optional>

#include "net/epoll_timeout.h"

namespace vmdns::server {
namespace {

constexpr size_t kMaxMessage = 65535;
// Messages made for one stream per wake-up before the others get their turn.
constexpr int kMessagesPerTurn = 4;
constexpr int kMaxEvents = 32;

void signal_event(int fd) {
  uint64_t one = 1;
  // A full counter (never, in practice) still leaves the eventfd readable.
  [[maybe_unused]] ssize_t n = ::write(fd, &one, sizeof(one));
}

void drain_event(int fd) {
  uint64_t count = 0;
  [[maybe_unused]] ssize_t n = ::read(fd, &count, sizeof(count));
}

}  // namespace

struct StreamPump::Job {
  int fd = -1;
  uint64_t connection = 0;
  std::unique_ptr<ReplyStream> stream;
  std::vector<uint8_t> buffer = std::vector<uint8_t>(2 + kMaxMessage);
  size_t length = 0;  // framed octets in buffer
  size_t sent = 0;
  bool exhausted = false;  // next() returned 0
  StreamPump::Clock::time_point progress;  // when the socket last took octets, or the lend
};

StreamPump::StreamPump(std::chrono::milliseconds stall_timeout,
                       std::function<Clock::time_point()> clock)
    : stall_timeout_(stall_timeout), clock_(std::move(clock)) {}

StreamPump::~StreamPump() {
  stop();
}

bool StreamPump::init(std::string* error) {
  epoll_.reset(epoll_create1(EPOLL_CLOEXEC));
  wake_event_.reset(eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC));
  returned_event_.reset(eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC));
  if (!epoll_.valid() || !wake_event_.valid() || !returned_event_.valid() || !tick_.valid()) {
    *error = "stream pump: " + net::errno_text(errno);
    return false;
  }
  epoll_event event{};
  event.events = EPOLLIN;
  event.data.ptr = nullptr;  // the wake eventfd
  epoll_event tick{};
  tick.events = EPOLLIN;
  tick.data.ptr = &tick_;
  if (epoll_ctl(epoll_.get(), EPOLL_CTL_ADD, wake_event_.get(), &event) != 0 ||
      epoll_ctl(epoll_.get(), EPOLL_CTL_ADD, tick_.fd(), &tick) != 0) {
    *error = "stream pump: epoll_ctl: " + net::errno_text(errno);
    return false;
  }
  return true;
}

void StreamPump::tick() {
  if (started_.load()) {
    tick_.tick();
  }
}

void StreamPump::lend(int fd, uint64_t connection, std::unique_ptr<ReplyStream> stream) {
  auto job = std::make_unique<Job>();
  job->fd = fd;
  job->connection = connection;
  job->stream = std::move(stream);
  inbox_.lock()->jobs.push_back(std::move(job));
  if (!started_.exchange(true)) {
    thread_ = std::thread([this] { run(); });
  }
  signal_event(wake_event_.get());
}

void StreamPump::take_returned(std::vector<Returned>* out) {
  drain_event(returned_event_.get());
  auto returned = returned_.lock();
  out->insert(out->end(), returned->begin(), returned->end());
  returned->clear();
}

void StreamPump::stop() {
  inbox_.lock()->stopping = true;
  if (wake_event_.valid()) {
    signal_event(wake_event_.get());
  }
  if (thread_.joinable()) {
    thread_.join();
  }
  // Streams lent after the thread ended, or never picked up.
  std::vector<std::unique_ptr<Job>> left = std::move(inbox_.lock()->jobs);
  for (auto& job : left) {
    job->stream->finished(false);
  }
}

void StreamPump::run() {
  epoll_event events[kMaxEvents];
  int timeout = -1;
  for (;;) {
    int ready = epoll_wait(epoll_.get(), events, kMaxEvents, timeout);
    if (ready < 0) {
      if (errno == EINTR) {
        continue;
      }
      spdlog::critical("stream pump: epoll_wait: {}", net::errno_text(errno));
      std::abort();
    }
    uint64_t ticket = 0;
    for (int i = 0; i < ready; ++i) {
      if (events[i].data.ptr == nullptr) {
        drain_event(wake_event_.get());
        continue;
      }
      if (events[i].data.ptr == &tick_) {
        ticket = tick_.take();  // the clock is read after this, below
        continue;
      }
      Job& job = *static_cast<Job*>(events[i].data.ptr);
      bool complete = false;
      if ((events[i].events & (EPOLLERR | EPOLLHUP)) != 0 || !pump(job, &complete)) {
        end(job, complete);
      }
    }
    if (inbox_.lock()->stopping) {
      break;
    }
    adopt_new_jobs();
    timeout = give_up_stalled(now());
    tick_.served(ticket);
  }
  tick_.close();
  while (!jobs_.empty()) {
    end(*jobs_.back(), false);
  }
}

int StreamPump::give_up_stalled(Clock::time_point now) {
  std::optional<Clock::time_point> next;
  for (size_t i = 0; i < jobs_.size();) {
    Clock::time_point deadline = jobs_[i]->progress + stall_timeout_;
    if (now >= deadline) {
      spdlog::info("stream: the client read nothing for {} ms; given up", stall_timeout_.count());
      end(*jobs_[i], false);  // removes it from jobs_
      continue;
    }
    next = next ? std::min(*next, deadline) : deadline;
    ++i;
  }
  return net::epoll_timeout_ms(next, now);
}

void StreamPump::adopt_new_jobs() {
  std::vector<std::unique_ptr<Job>> fresh = std::move(inbox_.lock()->jobs);
  for (auto& job : fresh) {
    Job& j = *job;
    j.progress = now();
    jobs_.push_back(std::move(job));
    epoll_event event{};
    event.events = EPOLLOUT;
    event.data.ptr = &j;
    if (epoll_ctl(epoll_.get(), EPOLL_CTL_ADD, j.fd, &event) != 0) {
      spdlog::warn("stream pump: epoll_ctl: {}", net::errno_text(errno));
      end(j, false);
      continue;
    }
    // The socket is most likely writable now: start without waiting for the event.
    bool complete = false;
    if (!pump(j, &complete)) {
      end(j, complete);
    }
  }
}

bool StreamPump::pump(Job& job, bool* complete) {
  for (int made = 0;;) {
    while (job.sent < job.length) {
      ssize_t n = ::send(job.fd, job.buffer.data() + job.sent, job.length - job.sent,
                         MSG_NOSIGNAL | MSG_DONTWAIT);
      if (n > 0) {
        job.sent += static_cast<size_t>(n);
        job.progress = now();
        continue;
      }
      if (n < 0 && errno == EINTR) {
        continue;
      }
      if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
        return true;  // EPOLLOUT brings us back
      }
      spdlog::debug("stream: send: {}", net::errno_text(errno));
      return false;
    }
    if (job.exhausted) {
      *complete = true;
      return false;
    }
    if (made++ == kMessagesPerTurn) {
      return true;  // the socket is still writable: the next epoll_wait returns at once
    }
    size_t length = job.stream->next(std::span<uint8_t>(job.buffer.data() + 2, kMaxMessage));
    if (length == 0 || length > kMaxMessage) {
      job.exhausted = true;
      job.length = job.sent = 0;
      continue;
    }
    job.buffer[0] = static_cast<uint8_t>(length >> 8);
    job.buffer[1] = static_cast<uint8_t>(length);
    job.length = 2 + length;
    job.sent = 0;
  }
}

void StreamPump::end(Job& job, bool complete) {
  epoll_ctl(epoll_.get(), EPOLL_CTL_DEL, job.fd, nullptr);
  job.stream->finished(complete);
  returned_.lock()->push_back({job.connection, complete});
  signal_event(returned_event_.get());
  auto it = std::find_if(jobs_.begin(), jobs_.end(), [&](const auto& j) { return j.get() == &job; });
  if (it != jobs_.end()) {
    jobs_.erase(it);
  }
}

}  // namespace vmdns::server
