#include "kube/collection_list.h"


#include "kube/api_object.h"

namespace vmdns::kube {
namespace {

constexpr int kMaxExpiredContinues = 3;

std::string continue_of(const sources::JsonValue& list) {
  return sources::json_string_member(list.member("metadata"), "continue");
}

}  // namespace

std::string failure_text(const HttpResult& result) {
  if (!result.error.empty()) {
    return result.error;
  }
  sources::JsonDocument status;
  std::string message = status.parse(result.body) ? status_message(status.root()) : std::string();
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
  sources::JsonDocument parsed;  // one parser for every page: its buffers are reused
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
    // The page's text is dropped once parsed: the document holds a padded copy (reused from
    // page to page) and the values, all dropped after the list.
    if (!parsed.parse(page.body) || !parsed.root().is_object()) {
      out.end = ListOutcome::End::NotJson;
      out.failed_path = request.path + query;
      out.why = "the response is not a JSON object";
      return out;
    }
    page.body = std::string();
    size_t page_count = 0;
    for (const sources::JsonValue& item : parsed.root().member("items").items()) {
      if (auto object = decode_api_object(item, *request.kind, request.origin, out.diagnostics)) {
        callbacks.on_object(std::move(*object));
        ++page_count;
      }
    }
    out.objects += page_count;
    if (callbacks.on_page) {
      callbacks.on_page(page_count);
    }
    out.resource_version = resource_version_of(parsed.root());
    if (callbacks.on_version) {
      callbacks.on_version(out.resource_version);
    }
    continue_token = continue_of(parsed.root());
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
