#include "scripted_api.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <variant>

namespace vmdns::kube::testing {

ScriptedTransport& ScriptedTransport::page(std::string path, long status, std::string body,
                                           std::optional<std::chrono::seconds> retry_after) {
  HttpResult result;
  result.status = status;
  result.body = std::move(body);
  result.retry_after = retry_after;
  return failed_page(std::move(path), std::move(result));
}

ScriptedTransport& ScriptedTransport::failed_page(std::string path, HttpResult result) {
  std::lock_guard lock(mutex_);
  script_.push_back({false, std::move(path), std::move(result), {}});
  return *this;
}

ScriptedTransport& ScriptedTransport::watch(std::string path_prefix,
                                            std::vector<std::string> chunks, long status,
                                            std::string error,
                                            std::optional<std::chrono::seconds> retry_after) {
  HttpResult result;
  result.status = status;
  result.error = std::move(error);
  result.retry_after = retry_after;
  if (status != 200) {
    result.body = status_body(static_cast<int>(status), "Failure", "watch refused");
  }
  std::lock_guard lock(mutex_);
  script_.push_back({true, std::move(path_prefix), std::move(result), std::move(chunks)});
  return *this;
}

void Gate::wait(StopSignal& stop) {
  while (!opened_.stopped() && !stop.stopped()) {
    opened_.wait_for(std::chrono::milliseconds(5));
  }
}

ScriptedTransport& ScriptedTransport::after(Gate& gate) {
  std::lock_guard lock(mutex_);
  script_.back().waits_for = &gate;
  return *this;
}

ScriptedTransport& ScriptedTransport::then_open(Gate& gate) {
  std::lock_guard lock(mutex_);
  script_.back().opens = &gate;
  return *this;
}

ScriptedTransport& ScriptedTransport::when_asked_open(Gate& gate) {
  std::lock_guard lock(mutex_);
  script_.back().asked = &gate;
  return *this;
}

ScriptedTransport& ScriptedTransport::held() {
  std::lock_guard lock(mutex_);
  script_.back().held = true;
  return *this;
}

std::optional<Answer> ScriptedTransport::next(bool watch, const std::string& path) {
  std::optional<Answer> answer;
  {
    std::unique_lock lock(mutex_);
    asked_.push_back((watch ? "WATCH " : "GET ") + path);
    for (;;) {
      auto it = std::find_if(script_.begin(), script_.end(),
                             [&](const Answer& a) { return a.watch == watch; });
      if (it != script_.end()) {
        answer = std::move(*it);
        script_.erase(it);
        break;
      }
      if (script_.empty() || stop_.stopped()) {
        break;
      }
      // The other thread's answers are still to come: this one waits for the script's end.
      played_.wait_for(lock, std::chrono::milliseconds(5));
    }
    played_.notify_all();
  }
  if (answer) {
    bool matches = watch ? path.rfind(answer->path, 0) == 0 : path == answer->path;
    EXPECT_TRUE(matches) << "asked " << (watch ? "WATCH " : "GET ") << path << ", scripted "
                         << (answer->watch ? "WATCH " : "GET ") << answer->path;
    if (answer->asked != nullptr) {
      answer->asked->open();
    }
    if (answer->waits_for != nullptr) {
      answer->waits_for->wait(stop_);
    }
    return answer;
  }
  if (release_ != nullptr) {
    release_->wait_for(std::chrono::hours(1));
  } else {
    stop_.stop();
  }
  return std::nullopt;
}

HttpResult ScriptedTransport::get(const std::string& path, std::chrono::seconds, size_t) {
  std::optional<Answer> answer = next(false, path);
  if (!answer) {
    return HttpResult{0, "", "", true, {}};
  }
  if (answer->opens != nullptr) {
    answer->opens->open();
  }
  return answer->result;
}

HttpResult ScriptedTransport::stream(const std::string& path, std::chrono::seconds,
                                     const std::function<void(long)>& on_answer,
                                     const std::function<bool(std::string_view)>& on_bytes) {
  std::optional<Answer> answer = next(true, path);
  if (!answer) {
    return HttpResult{0, "", "", true, {}};
  }
  HttpResult result = answer->result;
  if (result.status != 0) {
    on_answer(result.status);
  }
  if (result.status == 200) {
    for (const std::string& chunk : answer->chunks) {
      if (!on_bytes(chunk)) {
        result.aborted = true;
        break;
      }
    }
  }
  if (answer->opens != nullptr) {
    answer->opens->open();
  }
  if (answer->held && !result.aborted) {
    while (stop_.wait_for(std::chrono::hours(1))) {
    }
    result.aborted = true;
  }
  return result;
}

std::vector<std::string> ScriptedTransport::asked() const {
  std::lock_guard lock(mutex_);
  return asked_;
}

void ScriptedTransport::wait_played_out() const {
  std::unique_lock lock(mutex_);
  played_.wait(lock, [&] { return script_.empty(); });
}

bool ScriptedTransport::played_out() const {
  std::lock_guard lock(mutex_);
  return script_.empty();
}

WaitClock::TimePoint FakeClock::now() {
  std::lock_guard lock(mutex_);
  return now_;
}

bool FakeClock::wait_for(Duration duration) {
  std::lock_guard lock(mutex_);
  waits_.push_back(duration);
  now_ += duration;
  return !stop_.stopped();
}

std::vector<WaitClock::Duration> FakeClock::waits() const {
  std::lock_guard lock(mutex_);
  return waits_;
}

namespace {

std::string key_text(sources::ObjectKind kind, const cluster::ObjectKey& key) {
  std::string name;
  sources::with_kind_type(kind, [&]<typename T>(std::type_identity<T>) {
    name = std::string(cluster::kind_name<T>());
  });
  return name + " " + (key.namespace_name.empty() ? "" : key.namespace_name + "/") + key.name;
}

template <typename T>
sources::ObjectKind kind_of() {
  if constexpr (std::is_same_v<T, cluster::Service>) {
    return sources::ObjectKind::Service;
  } else if constexpr (std::is_same_v<T, cluster::Namespace>) {
    return sources::ObjectKind::Namespace;
  } else if constexpr (std::is_same_v<T, cluster::EndpointSlice>) {
    return sources::ObjectKind::EndpointSlice;
  } else if constexpr (std::is_same_v<T, cluster::Pod>) {
    return sources::ObjectKind::Pod;
  } else if constexpr (std::is_same_v<T, cluster::VirtualMachine>) {
    return sources::ObjectKind::VirtualMachine;
  } else {
    return sources::ObjectKind::VirtualMachineInstance;
  }
}

std::string object_text(const sources::Object& object) {
  return std::visit(
      [](const auto& typed) {
        using T = std::decay_t<decltype(typed)>;
        return key_text(kind_of<T>(), cluster::key_of(typed.meta));
      },
      object);
}

std::string label_v(const cluster::ObjectMeta& meta) {
  auto it = meta.labels.find("v");
  return it == meta.labels.end() ? "" : it->second;
}

}  // namespace

void RecordingSink::add(const std::string& origin, std::string line) {
  {
    std::lock_guard lock(mutex_);
    lines_.emplace_back(origin, std::move(line));
  }
  changed_.notify_all();
}

void RecordingSink::replace_origin(const std::string& origin, cluster::State objects) {
  std::string line = "replace";
  std::map<std::string, std::string> held;
  for (const auto& [key, service] : objects.services) {
    std::string text = key_text(sources::ObjectKind::Service, key);
    line += " " + text;
    held[text] = label_v(service.meta);
  }
  {
    std::lock_guard lock(mutex_);
    held_ = std::move(held);
  }
  add(origin, line);
}

void RecordingSink::upsert(const std::string& origin, sources::Object object) {
  std::string text = object_text(object);
  {
    std::lock_guard lock(mutex_);
    held_[text] = std::visit([](const auto& typed) { return label_v(typed.meta); }, object);
  }
  add(origin, "upsert " + text);
}

void RecordingSink::remove(const std::string& origin, sources::ObjectRef ref) {
  std::string text = key_text(ref.kind, ref.key);
  {
    std::lock_guard lock(mutex_);
    held_.erase(text);
  }
  add(origin, "remove " + text);
}

void RecordingSink::retain(const std::string& origin, sources::ObjectKind kind,
                           std::set<cluster::ObjectKey> keep) {
  std::string line = "retain";
  std::set<std::string> kept;
  for (const cluster::ObjectKey& key : keep) {
    kept.insert(key_text(kind, key));
    line += " " + key_text(kind, key);
  }
  std::string prefix = key_text(kind, {"", ""});  // "Service "
  {
    std::lock_guard lock(mutex_);
    std::erase_if(held_, [&](const auto& entry) {
      return entry.first.rfind(prefix, 0) == 0 && kept.count(entry.first) == 0;
    });
  }
  add(origin, line);
}

std::string RecordingSink::held() const {
  std::lock_guard lock(mutex_);
  std::string out;
  for (const auto& [text, v] : held_) {
    out += (out.empty() ? "" : " ") + text + "@" + v;
  }
  return out;
}

void RecordingSink::forget_origin(const std::string& origin) { add(origin, "forget"); }

void RecordingSink::set_sync(const std::string& origin, sources::SyncState state) {
  static constexpr const char* kNames[] = {"not_synced", "synced", "lost"};
  add(origin, std::string("sync ") + kNames[static_cast<int>(state.status)] +
                  (state.reason.empty() ? "" : ": " + state.reason));
}

std::vector<std::string> RecordingSink::lines() const {
  std::lock_guard lock(mutex_);
  std::vector<std::string> out;
  for (const auto& [origin, line] : lines_) {
    out.push_back(line);
  }
  return out;
}

std::vector<std::string> RecordingSink::lines_of(const std::string& origin) const {
  std::lock_guard lock(mutex_);
  std::vector<std::string> out;
  for (const auto& [o, line] : lines_) {
    if (o == origin) {
      out.push_back(line);
    }
  }
  return out;
}

void RecordingSink::wait_for_line(const std::string& origin, const std::string& wanted) const {
  std::unique_lock lock(mutex_);
  changed_.wait(lock, [&] {
    for (const auto& [o, line] : lines_) {
      if (o == origin && line == wanted) {
        return true;
      }
    }
    return false;
  });
}

void RecordingSink::clear() {
  std::lock_guard lock(mutex_);
  lines_.clear();
}

std::string service_list(const std::vector<std::string>& names, const std::string& continue_token,
                         const std::string& version) {
  std::string items;
  for (const std::string& name : names) {
    items += std::string(items.empty() ? "" : ",") + R"({"metadata":{"name":")" + name +
             R"(","namespace":"prod","labels":{"v":")" + version +
             R"("}},"spec":{"clusterIP":"None","selector":{"a":"b"}}})";
  }
  std::string metadata = R"({"resourceVersion":")" + version + "\"" +
                         (continue_token.empty() ? "" : R"(,"continue":")" + continue_token + "\"") +
                         "}";
  return R"({"kind":"ServiceList","apiVersion":"v1","metadata":)" + metadata +
         R"(,"items":[)" + items + "]}";
}

std::string service_event(const std::string& type, const std::string& name,
                          const std::string& version) {
  if (type == "BOOKMARK") {
    return R"({"type":"BOOKMARK","object":{"kind":"Service","apiVersion":"v1",)"
           R"("metadata":{"resourceVersion":")" +
           version + "\"}}}\n";
  }
  return R"({"type":")" + type + R"(","object":{"kind":"Service","apiVersion":"v1",)" +
         R"("metadata":{"name":")" + name + R"(","namespace":"prod","resourceVersion":")" +
         version + R"(","labels":{"v":")" + version +
         R"("}},"spec":{"clusterIP":"None","selector":{"a":"b"}}}})" + "\n";
}

std::string status_body(int code, const std::string& reason, const std::string& message) {
  return R"({"kind":"Status","apiVersion":"v1","status":"Failure","code":)" +
         std::to_string(code) + R"(,"reason":")" + reason + R"(","message":")" + message + "\"}";
}

}  // namespace vmdns::kube::testing
