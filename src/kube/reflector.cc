#include "kube/reflector.h"

#include <spdlog/spdlog.h>

#include <random>
#include <set>
#include <variant>

#include "kube/api_object.h"
#include "kube/collection_list.h"
#include "kube/watch_stream.h"

namespace vmdns::kube {
namespace {

constexpr std::chrono::seconds kListTimeout{60};
// A page asked for again after a 429, a 5xx or a body cut off, before the list fails.
constexpr int kMaxPageRetries = 4;
// Added to the watch's own timeoutSeconds before curl gives up on a silent server.
constexpr std::chrono::seconds kWatchGrace{30};

void log_diagnostics(const std::vector<cluster::Diagnostic>& diagnostics) {
  for (const cluster::Diagnostic& d : diagnostics) {
    if (d.severity == cluster::Severity::Error) {
      spdlog::warn("{} (skipped)", d.to_string());
    } else {
      spdlog::debug("{}", d.to_string());
    }
  }
}

cluster::ObjectKey key_of_object(const sources::Object& object) {
  return std::visit([](const auto& typed) { return cluster::key_of(typed.meta); }, object);
}

}  // namespace

Reflector::Reflector(ReflectorOptions options, ApiTransport& client, sources::ObjectSink& sink,
                     std::string origin, StopSignal& stop,
                     std::function<void(ReflectorStatus, const std::string&)> on_status,
                     WaitClock* clock)
    : options_(std::move(options)),
      kind_(api_kind(options_.kind)),
      path_(kind_.collection_path(options_.namespace_scope)),
      client_(client),
      sink_(sink),
      origin_(std::move(origin)),
      stop_(stop),
      on_status_(std::move(on_status)),
      own_clock_(clock == nullptr ? std::make_unique<SteadyWaitClock>(stop) : nullptr),
      clock_(clock == nullptr ? *own_clock_ : *clock),
      backoff_(options_.backoff_initial, options_.backoff_cap) {}

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

void Reflector::failed(const std::string& verb, const HttpResult& result) {
  std::string why = failure_text(result);
  retry_after_ = result.retry_after;
  if (result.status == 403) {
    // RBAC: the same answer until someone changes the role, so it is said once, plainly, and
    // the retries that follow are quiet.
    std::string resource = std::string(kind_.resource) +
                           (kind_.group.empty() ? "" : "." + std::string(kind_.group));
    std::string scope = !kind_.namespaced              ? "(cluster-scoped)"
                        : options_.namespace_scope.empty() ? "in all namespaces"
                                                           : "in namespace " +
                                                                 options_.namespace_scope;
    if (!forbidden_) {
      spdlog::error("kubernetes: forbidden: may not {} {} {}: the service account's role needs "
                    "the verb \"{}\" on \"{}\"; the other kinds keep serving, and this one is "
                    "asked again with backoff ({})",
                    verb, resource, scope, verb, resource, why);
    } else {
      spdlog::debug("kubernetes: {} {}: still forbidden", verb, describe());
    }
    forbidden_ = true;
    on_status_(ReflectorStatus::Forbidden,
               "forbidden: may not " + verb + " " + resource + " " + scope + " (RBAC)");
    return;
  }
  spdlog::warn("kubernetes: cannot {} {}: {}{}", verb, describe(), why,
               result.status == 401 ? "; the token is read again" : "");
  on_status_(ReflectorStatus::Unreachable, verb + " " + path_ + ": " + why);
}

bool Reflector::wait_after_failure() {
  auto wait = backoff_.next();
  if (retry_after_ && *retry_after_ > wait) {
    wait = std::chrono::duration_cast<Backoff::Duration>(*retry_after_);
  }
  retry_after_.reset();
  return clock_.wait_for(wait);
}

void Reflector::run() {
  bool need_list = true;
  while (!stop_.stopped()) {
    if (need_list) {
      if (!list()) {
        if (!wait_after_failure()) {
          return;
        }
        continue;
      }
      need_list = false;
    }
    switch (watch()) {
      case WatchEnd::Expired:
        spdlog::info("kubernetes: {}: resourceVersion {} expired (410 Gone), listing again",
                     describe(), resource_version_);
        need_list = true;
        break;
      case WatchEnd::Resync:
        spdlog::debug("kubernetes: {}: periodic full list", describe());
        need_list = true;
        break;
      case WatchEnd::Closed:
        break;
      case WatchEnd::Failed:
        if (!wait_after_failure()) {
          return;
        }
        break;
    }
  }
}

bool Reflector::list() {
  // The first list goes to the sink whole (nothing is held there yet, so there is one copy);
  // a relist is passed on object by object, and only the keys it saw are kept until its end,
  // so that the collection is never held twice.
  const bool relist = listed_once_;
  cluster::State objects;
  std::set<cluster::ObjectKey> listed;
  auto started = clock_.now();
  std::string selectors = query(false);
  CollectionRequest request{&kind_, path_, selectors.empty() ? "" : selectors.substr(1),
                            options_.page_size, path_};
  ListCallbacks callbacks;
  callbacks.on_object = [&](sources::Object object) {
    if (relist) {
      // Unchanged objects cost the sink a comparison, not a rebuild.
      listed.insert(key_of_object(object));
      sink_.upsert(origin_, std::move(object));
    } else {
      put(objects, std::move(object));
    }
  };
  size_t passed_on = 0;
  size_t pages = 0;
  int page_retries = 0;
  callbacks.on_restart = [&] {
    spdlog::info("kubernetes: listing {}: the continue token expired (410 Gone) after {} "
                 "object(s); listing again from the start",
                 describe(), passed_on);
    // What a relist already passed on stays (it was current); what it saw is forgotten, so
    // that an object deleted since is not taken for listed.
    objects = cluster::State();
    listed.clear();
    passed_on = 0;
    pages = 0;
  };
  callbacks.on_page = [&](size_t count) {
    passed_on += count;
    ++pages;
    page_retries = 0;
    if (options_.on_page) {
      options_.on_page(count);
    }
  };
  callbacks.stopped = [this] { return stop_.stopped(); };
  callbacks.retry = [&](const HttpResult& page) {
    // A 429, a 5xx, a page cut off (a 200 whose body did not all come), or, past the first
    // page, no answer at all (an API server restarting): the continue token is still good (it
    // names an etcd revision, which outlives the API server), so the same page is asked for
    // again; nothing of the failed one was used. A long list thus survives a restart instead
    // of starting over.
    bool cut_off = page.status == 200 && !page.error.empty() && !page.aborted;
    bool unanswered = page.status == 0 && !page.error.empty() && !page.aborted && pages > 0;
    if (!(page.status == 429 || page.status >= 500 || cut_off || unanswered) ||
        ++page_retries > kMaxPageRetries || stop_.stopped()) {
      return false;
    }
    retry_after_ = page.retry_after;
    spdlog::warn("kubernetes: listing {}: {}; asking for the page again", describe(),
                 failure_text(page));
    return wait_after_failure();
  };
  ListOutcome outcome = list_collection(
      request, [this](const std::string& path) { return client_.get(path, kListTimeout); },
      callbacks);
  switch (outcome.end) {
    case ListOutcome::End::Stopped:
      return false;
    case ListOutcome::End::Failed:
      failed("list", outcome.failure);
      return false;
    case ListOutcome::End::NotJson:
      spdlog::warn("kubernetes: cannot list {}: the response is not a JSON object", describe());
      on_status_(ReflectorStatus::Unreachable, "list " + path_ + ": not a JSON object");
      return false;
    case ListOutcome::End::Complete:
      break;
  }
  log_diagnostics(outcome.diagnostics);
  if (relist) {
    // What the sink holds and the list does not was deleted while no watch told (or is
    // invalid now): the list is the whole truth.
    sink_.retain(origin_, object_kind(kind_.kind), std::move(listed));
  } else {
    sink_.replace_origin(origin_, std::move(objects));
  }
  listed_once_ = true;
  resource_version_ = outcome.resource_version;
  next_resync_ = clock_.now() + options_.resync_period;
  backoff_.reset();
  if (forbidden_) {
    spdlog::info("kubernetes: {}: list allowed again", describe());
    forbidden_ = false;
  }
  auto elapsed = std::chrono::duration_cast<std::chrono::milliseconds>(clock_.now() - started);
  spdlog::info("kubernetes: listed {}: {} object(s) at resourceVersion {} ({} ms)", describe(),
               outcome.objects, resource_version_, elapsed.count());
  on_status_(ReflectorStatus::Listed, "");
  return true;
}

Reflector::WatchEnd Reflector::watch() {
  using namespace std::chrono;
  auto now = clock_.now();
  if (now >= next_resync_) {
    return WatchEnd::Resync;
  }
  // client-go draws the watch timeout from [t, 2t) so that watches do not all end together.
  static thread_local std::mt19937 random(std::random_device{}());
  auto timeout = seconds(options_.watch_timeout.count() +
                         std::uniform_int_distribution<long>(0, options_.watch_timeout.count())(
                             random));
  auto until_resync = duration_cast<seconds>(next_resync_ - now) + seconds(1);
  timeout = std::min(timeout, until_resync);
  std::string path = path_ + query(true) + "&timeoutSeconds=" + std::to_string(timeout.count());

  WatchStreamDecoder decoder;
  bool expired = false;
  bool resync = false;
  bool answered = false;
  std::vector<cluster::Diagnostic> diagnostics;
  auto on_event = [&](WatchEvent&& event) {
    if (event.type == WatchEvent::Type::Error) {
      if (status_code(event.object) == 410) {
        expired = true;
      } else {
        spdlog::warn("kubernetes: watch {}: error event: {}", describe(),
                     status_message(event.object));
        on_status_(ReflectorStatus::BadStream, "watch " + path_ + ": error event");
      }
      return;
    }
    std::string version = resource_version_of(event.object);
    if (event.type == WatchEvent::Type::Deleted) {
      if (auto key = key_of(event.object, kind_)) {
        sink_.remove(origin_, sources::ObjectRef{object_kind(kind_.kind), *key});
      }
    } else if (event.type != WatchEvent::Type::Bookmark) {
      // A MODIFIED object that is now invalid keeps its last good version.
      diagnostics.clear();
      if (auto object = decode_api_object(event.object, kind_, path_, diagnostics)) {
        sink_.upsert(origin_, std::move(*object));
      }
      log_diagnostics(diagnostics);
    }
    if (!version.empty()) {
      resource_version_ = std::move(version);
    }
  };
  auto on_answer = [&](long status) {
    if (status == 200 && !answered) {
      answered = true;
      if (forbidden_) {
        spdlog::info("kubernetes: {}: watch allowed again", describe());
        forbidden_ = false;
      }
      on_status_(ReflectorStatus::Watching, "");
    }
  };
  auto on_bytes = [&](std::string_view bytes) {
    if (!decoder.feed(bytes, on_event)) {
      return false;
    }
    if (decoder.events() > 0) {
      backoff_.reset();
    }
    if (expired) {
      return false;  // the server closes after a 410 event anyway; do not wait for it
    }
    if (clock_.now() >= next_resync_) {
      resync = true;
      return false;
    }
    return true;
  };
  HttpResult result = client_.stream(path, timeout + kWatchGrace, on_answer, on_bytes);
  if (stop_.stopped()) {
    return WatchEnd::Closed;
  }
  if (expired || result.status == 410) {
    return WatchEnd::Expired;
  }
  if (resync || clock_.now() >= next_resync_) {
    return WatchEnd::Resync;
  }
  if (!decoder.error().empty()) {
    spdlog::warn("kubernetes: watch {}: {}; watching again from resourceVersion {}", describe(),
                 decoder.error(), resource_version_);
    on_status_(ReflectorStatus::BadStream, "watch " + path_ + ": " + decoder.error());
    return WatchEnd::Failed;
  }
  if (result.status != 200 || !result.error.empty()) {
    failed("watch", result);
    return WatchEnd::Failed;
  }
  if (!decoder.at_boundary()) {
    spdlog::warn("kubernetes: watch {}: the connection dropped in the middle of an event; "
                 "watching again from resourceVersion {}",
                 describe(), resource_version_);
    on_status_(ReflectorStatus::BadStream, "watch " + path_ + ": dropped mid-event");
    return WatchEnd::Failed;
  }
  if (decoder.events() == 0 && clock_.now() - now < seconds(1)) {
    // A watch that ends at once with nothing in it: not a failure, but do not spin on it.
    clock_.wait_for(backoff_.next());
  }
  return WatchEnd::Closed;
}

}  // namespace vmdns::kube
