#include "kube/collection_list.h"

#include <nlohmann/json.hpp>

#include "kube/api_object.h"

namespace vmdns::kube {
namespace {

constexpr int kMaxExpiredContinues = 3;

std::string continue_of(const nlohmann::json& list) {
  auto metadata = list.find("metadata");
  if (metadata == list.end() || !metadata->is_object()) {
    return "";
  }
  auto token = metadata->find("continue");
  return token != metadata->end() && token->is_string() ? token->get<std::string>() : "";
}

}  // namespace

std::string failure_text(const HttpResult& result) {
  if (!result.error.empty()) {
    return result.error;
  }
  nlohmann::json status = nlohmann::json::parse(result.body, nullptr, false);
  std::string message = status.is_discarded() ? std::string() : status_message(status);
  if (message.empty()) {
    message = result.body.substr(0, 200);
  }
  return "HTTP " + std::to_string(result.status) + ": " + message;
}

ListOutcome list_collection(const CollectionRequest& request, const PageFetch& fetch,
                            const ListCallbacks& callbacks) {
  ListOutcome out;
  std::string continue_token;
  int expired_continues = 0;
  auto stopped = [&callbacks] { return callbacks.stopped && callbacks.stopped(); };
  // Not a do-while: a restart (continue below) must fetch the first page again, not end the loop
  // on the token it just cleared.
  for (;;) {
    std::string query = "?" + request.selectors + (request.selectors.empty() ? "" : "&") +
                        "limit=" + std::to_string(request.page_size);
    if (!continue_token.empty()) {
      query += "&continue=" + url_encode(continue_token);
    }
    HttpResult page = fetch(request.path + query);
    if (stopped()) {
      out.end = ListOutcome::End::Stopped;
      return out;
    }
    if (page.status == 410 && !continue_token.empty() &&
        ++expired_continues <= kMaxExpiredContinues) {
      // The continue token outlived the server's history: the list starts over, and what was
      // passed on may have changed since.
      if (callbacks.on_restart) {
        callbacks.on_restart();
      }
      out.objects = 0;
      continue_token.clear();
      continue;
    }
    if (!page.ok() && callbacks.retry && callbacks.retry(page)) {
      continue;
    }
    if (!page.ok()) {
      out.end = ListOutcome::End::Failed;
      out.why = failure_text(page);
      out.failed_path = request.path + query;
      out.failure = std::move(page);
      return out;
    }
    nlohmann::json parsed = nlohmann::json::parse(page.body, nullptr, false);
    page.body = std::string();
    if (parsed.is_discarded() || !parsed.is_object()) {
      out.end = ListOutcome::End::NotJson;
      out.failed_path = request.path + query;
      out.why = "the response is not a JSON object";
      return out;
    }
    size_t page_count = 0;
    if (auto items = parsed.find("items"); items != parsed.end() && items->is_array()) {
      for (nlohmann::json& item : *items) {
        if (auto object = decode_api_object(item, *request.kind, request.origin,
                                            out.diagnostics)) {
          callbacks.on_object(std::move(*object));
          ++page_count;
        }
        item = nullptr;  // drop each item's JSON as soon as it is decoded
      }
    }
    out.objects += page_count;
    if (callbacks.on_page) {
      callbacks.on_page(page_count);
    }
    out.resource_version = resource_version_of(parsed);
    continue_token = continue_of(parsed);
    if (continue_token.empty()) {
      break;
    }
    if (stopped()) {
      out.end = ListOutcome::End::Stopped;
      return out;
    }
  }
  out.end = ListOutcome::End::Complete;
  return out;
}

}  // namespace vmdns::kube
