// Fuzzes the operations endpoints' HTTP request parser: arbitrary bytes must never crash it,
// and a Complete parse must describe views inside the input, a path starting with '/', and a
// head no longer than the input and kMaxHttpHead. Fed in two pieces as well, the way a socket
// delivers them: a prefix is never Complete unless the whole is. The query string of a Complete
// parse goes through parse_http_query (GET /explain's parameters): pairs inside it, with a key,
// no '&' in them, never more than the limit.
//
//   fuzz_http_request -max_total_time=60 fuzz/corpus/http_request

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "fuzz_check.h"
#include "ops/http_query.h"
#include "ops/http_request.h"

namespace {

using vmdns::fuzz::check;

bool inside(std::string_view part, std::string_view whole) {
  return part.empty() ||
         (part.data() >= whole.data() && part.data() + part.size() <= whole.data() + whole.size());
}

}  // namespace

// The libFuzzer entry point; its name is fixed by libFuzzer.
extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {  // NOLINT
  using vmdns::ops::HttpParse;
  std::string_view text = vmdns::fuzz::as_text(data, size);
  vmdns::ops::HttpRequest request;
  HttpParse whole = vmdns::ops::parse_http_request(text, &request);
  if (whole == HttpParse::Complete) {
    check(inside(request.method, text) && inside(request.path, text) &&
          inside(request.query, text));
    check(!request.path.empty() && request.path.front() == '/');
    check(request.head_length <= text.size() &&
          request.head_length <= vmdns::ops::kMaxHttpHead + 1);
    // The head alone parses the same way.
    vmdns::ops::HttpRequest again;
    check(vmdns::ops::parse_http_request(text.substr(0, request.head_length), &again) ==
          HttpParse::Complete);
    check(again.path == request.path && again.method == request.method);
    if (auto parameters = vmdns::ops::parse_http_query(request.query)) {
      check(parameters->size() <= vmdns::ops::kMaxHttpQueryParameters);
      for (const vmdns::ops::HttpQueryParameter& p : *parameters) {
        check(!p.key.empty() && inside(p.key, request.query) && inside(p.value, request.query));
        check(p.key.find('&') == std::string_view::npos &&
              p.value.find('&') == std::string_view::npos &&
              p.key.find('=') == std::string_view::npos);
      }
    }
  }
  if (whole == HttpParse::Incomplete && size > 0) {
    vmdns::ops::HttpRequest prefix;
    check(vmdns::ops::parse_http_request(text.substr(0, size / 2), &prefix) != HttpParse::Complete);
  }
  return 0;
}
