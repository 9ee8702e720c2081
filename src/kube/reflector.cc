#include "kube/reflector.h"

#include <pthread.h>
#include <spdlog/spdlog.h>

#include <thread>

#include "heap/allocator.h"
#include "kube/api_object.h"
#include "kube/collection_list.h"

namespace vmdns::kube {
namespace {

constexpr std::chrono::seconds kListTimeout{60};
// A page asked for again after a 429, a 5xx or a body cut off, before the list fails.
constexpr int kMaxPageRetries = 4;
}  // namespace

void Reflector::log_diagnostics(const std::vector<cluster::Diagnostic>& diagnostics) {
  for (const cluster::Diagnostic& d : diagnostics) {
    if (d.severity == cluster::Severity::Error) {
      spdlog::warn("{} (skipped)", d.to_string());
    } else {
      spdlog::debug("{}", d.to_string());
    }
  }
}

Reflector::Reflector(ReflectorOptions options, ApiTransport& client, sources::ObjectSink& sink,
                     std::string origin, StopSignal& stop,
                     std::function<void(ReflectorStatus, const std::string&)> on_status,
                     WaitClock* clock, ApiTransport* watch_client)
    : options_(std::move(options)),
      kind_(api_kind(options_.kind)),
      path_(kind_.collection_path(options_.namespace_scope)),
      client_(client),
      watch_client_(watch_client == nullptr ? client : *watch_client),
      sink_(sink),
      origin_(std::move(origin)),
      stop_(stop),
      on_status_(std::move(on_status)),
      own_clock_(clock == nullptr ? std::make_unique<SteadyWaitClock>(stop) : nullptr),
      clock_(clock == nullptr ? *own_clock_ : *clock),
      list_pacing_{Backoff(options_.backoff_initial, options_.backoff_cap), std::nullopt},
      watch_pacing_{Backoff(options_.backoff_initial, options_.backoff_cap), std::nullopt} {}

std::string Reflector::describe() const {
  std::string scope = kind_.namespaced ? (options_.namespace_scope.empty()
                                              ? " in all namespaces"
                                              : " in namespace " + options_.namespace_scope)
                                       : "";
  return std::string(kind_.name) + scope;
}

std::string Reflector::query(bool watch_request) const {
  std::string out;
  auto add = [&out](const std::string& key, const std::string& value) {
    out += (out.empty() ? "?" : "&") + key + "=" + url_encode(value);
  };
  if (!options_.label_selector.empty() && kind_.takes_label_selector) {
    add("labelSelector", options_.label_selector);
  }
  if (!options_.field_selector.empty()) {
    add("fieldSelector", options_.field_selector);
  }
  if (watch_request) {
    add("watch", "1");
    add("resourceVersion", resource_version_);
    add("allowWatchBookmarks", "true");
  }
  return out;
}

void Reflector::failed(const std::string& verb, const HttpResult& result, Pacing& pacing) {
  std::string why = failure_text(result);
  pacing.retry_after = result.retry_after;
  if (result.status == 403) {
    // RBAC: the same answer until someone changes the role, so it is said once, plainly, and
    // the retries that follow are quiet.
    std::string resource = std::string(kind_.resource) +
                           (kind_.group.empty() ? "" : "." + std::string(kind_.group));
    std::string scope = !kind_.namespaced              ? "(cluster-scoped)"
                        : options_.namespace_scope.empty() ? "in all namespaces"
                                                           : "in namespace " +
                                                                 options_.namespace_scope;
    if (!forbidden_.exchange(true)) {
      spdlog::error("kubernetes: forbidden: may not {} {} {}: the service account's role needs "
                    "the verb \"{}\" on \"{}\"; the other kinds keep serving, and this one is "
                    "asked again with backoff ({})",
                    verb, resource, scope, verb, resource, why);
    } else {
      spdlog::debug("kubernetes: {} {}: still forbidden", verb, describe());
    }
    on_status_(ReflectorStatus::Forbidden,
               "forbidden: may not " + verb + " " + resource + " " + scope + " (RBAC)");
    return;
  }
  spdlog::warn("kubernetes: cannot {} {}: {}{}", verb, describe(), why,
               result.status == 401 ? "; the token is read again" : "");
  on_status_(ReflectorStatus::Unreachable, verb + " " + path_ + ": " + why);
}

bool Reflector::wait_after_failure(Pacing& pacing) {
  auto wait = pacing.backoff.next();
  if (pacing.retry_after && *pacing.retry_after > wait) {
    wait = std::chrono::duration_cast<Backoff::Duration>(*pacing.retry_after);
  }
  pacing.retry_after.reset();
  return clock_.wait_for(wait);
}

void Reflector::run() {
  while (!first_list()) {
    if (!wait_after_failure(list_pacing_)) {
      return;
    }
  }
  WatchEnd end = watch_loop(nullptr);
  while (!stop_.stopped()) {
    if (end == WatchEnd::Expired) {
      spdlog::info("kubernetes: {}: resourceVersion {} expired (410 Gone), listing again",
                   describe(), resource_version_);
    } else {
      spdlog::debug("kubernetes: {}: periodic full list", describe());
    }
    end = relist();
  }
}

ListOutcome Reflector::list_pages(const std::function<void(sources::Object)>& on_object,
                                  const std::function<void()>& on_restart,
                                  const std::function<void(const std::string&)>& on_version,
                                  const std::function<bool()>& abandon) {
  std::string selectors = query(false);
  CollectionRequest request{&kind_, path_, selectors.empty() ? "" : selectors.substr(1),
                            options_.page_size, path_};
  ListCallbacks callbacks;
  callbacks.on_object = on_object;
  size_t passed_on = 0;
  size_t pages = 0;
  int page_retries = 0;
  callbacks.on_restart = [&] {
    spdlog::info("kubernetes: listing {}: the continue token expired (410 Gone) after {} "
                 "object(s); listing again from the start",
                 describe(), passed_on);
    on_restart();
    passed_on = 0;
    pages = 0;
  };
  callbacks.on_page = [&](size_t count) {
    passed_on += count;
    ++pages;
    page_retries = 0;
    // The server answers again: the next failure waits from the start of the backoff, not
    // from where the last page's retries left it (a long relist through restarts and 429s
    // otherwise reached the 30 s cap and waited it at every page retried after).
    list_pacing_.backoff.reset();
    if (options_.on_page) {
      options_.on_page(count);
    }
  };
  callbacks.on_version = on_version;
  callbacks.stopped = [&] { return stop_.stopped() || (abandon && abandon()); };
  callbacks.retry = [&](const HttpResult& page) {
    // A 429, a 5xx, a page cut off (a 200 whose body did not all come), or, past the first
    // page, no answer at all (an API server restarting): the continue token is still good (it
    // names an etcd revision, which outlives the API server), so the same page is asked for
    // again; nothing of the failed one was used. A long list thus survives a restart instead
    // of starting over.
    bool cut_off = page.status == 200 && !page.error.empty() && !page.aborted;
    bool unanswered = page.status == 0 && !page.error.empty() && !page.aborted && pages > 0;
    if (!(page.status == 429 || page.status >= 500 || cut_off || unanswered) ||
        ++page_retries > kMaxPageRetries || callbacks.stopped()) {
      return false;
    }
    list_pacing_.retry_after = page.retry_after;
    spdlog::warn("kubernetes: listing {}: {}; asking for the page again", describe(),
                 failure_text(page));
    return wait_after_failure(list_pacing_);
  };
  ListOutcome outcome = list_collection(
      request, [this](const std::string& path) { return client_.get(path, kListTimeout); },
      callbacks);
  switch (outcome.end) {
    case ListOutcome::End::Stopped:
    case ListOutcome::End::Complete:
      break;
    case ListOutcome::End::Failed:
      failed("list", outcome.failure, list_pacing_);
      break;
    case ListOutcome::End::NotJson:
      spdlog::warn("kubernetes: cannot list {}: the response is not a JSON object", describe());
      on_status_(ReflectorStatus::Unreachable, "list " + path_ + ": not a JSON object");
      break;
  }
  return outcome;
}

void Reflector::listed(const ListOutcome& outcome, WaitClock::TimePoint started,
                       size_t watched) {
  log_diagnostics(outcome.diagnostics);
  list_pacing_.backoff.reset();
  if (forbidden_.exchange(false)) {
    spdlog::info("kubernetes: {}: list allowed again", describe());
  }
  auto elapsed = std::chrono::duration_cast<std::chrono::milliseconds>(clock_.now() - started);
  spdlog::info("kubernetes: listed {}: {} object(s) at resourceVersion {} ({} ms){}", describe(),
               outcome.objects, outcome.resource_version, elapsed.count(),
               watched == 0 ? std::string()
                            : fmt::format("; {} changed meanwhile, as the watch told",
                                          watched));
  on_status_(ReflectorStatus::Listed, "");
}

bool Reflector::first_list() {
  // Nothing is held in the sink yet: the list goes there whole, in one change.
  cluster::State objects;
  auto started = clock_.now();
  ListOutcome outcome = list_pages([&](sources::Object object) { put(objects, std::move(object)); },
                                   [&] { objects = cluster::State(); }, nullptr, nullptr);
  if (!outcome.complete()) {
    return false;
  }
  sink_.replace_origin(origin_, std::move(objects));
  resource_version_ = outcome.resource_version;
  next_resync_ = clock_.now() + options_.resync_period;
  listed(outcome, started, 0);
  return true;
}

Reflector::WatchEnd Reflector::relist() {
  auto started = clock_.now();
  RelistMerge merge(sink_, origin_, object_kind(kind_.kind));
  std::thread watcher;
  std::atomic<bool> watch_ended{false};
  WatchEnd watch_end = WatchEnd::Closed;
  auto join = [&] {
    if (watcher.joinable()) {
      watcher.join();
    }
  };
  // The first page's resourceVersion is the whole list's: the watch starts there, beside the
  // pages still to come, and goes on after the list as the collection's watch.
  auto start_watch = [&](const std::string& version) {
    if (watcher.joinable() || version.empty()) {
      return;
    }
    resource_version_ = version;
    next_resync_ = clock_.now() + options_.resync_period;  // read by the watch thread
    watcher = std::thread([&] {
      std::string name = "watch " + std::string(kind_.name);
      pthread_setname_np(pthread_self(), name.substr(0, 15).c_str());
      heap::use_transient_arena();  // as the list's thread (kube_source.cc)
      watch_end = watch_loop(&merge);
      watch_ended = true;
    });
  };
  for (;;) {
    ListOutcome outcome =
        list_pages([&](sources::Object object) { merge.listed(std::move(object)); },
                   [&] { merge.list_restarted(); }, start_watch,
                   [&] { return watch_ended.load() || merge.expired(); });
    if (outcome.complete()) {
      size_t watched = merge.finish();
      if (!watcher.joinable()) {
        resource_version_ = outcome.resource_version;  // a list without versions: watch now
        next_resync_ = clock_.now() + options_.resync_period;
      }
      listed(outcome, started, watched);
      break;
    }
    if (stop_.stopped()) {
      join();
      return WatchEnd::Closed;
    }
    if (watch_ended || merge.expired()) {
      // The watch's resourceVersion expired (410 Gone) while the list ran: it cannot say what
      // changed while it was away, so neither its keys nor the list's snapshot are trusted
      // any more. Both start over, the list from its first page.
      join();
      watch_ended = false;
      spdlog::info("kubernetes: listing {}: the watch beside the list expired (410 Gone); "
                   "listing again from the start",
                   describe());
      merge.restart();
      continue;
    }
    if (!wait_after_failure(list_pacing_)) {
      join();
      return WatchEnd::Closed;
    }
  }
  if (!watcher.joinable()) {
    return watch_loop(&merge);
  }
  join();
  return watch_end;
}

}  // namespace vmdns::kube
