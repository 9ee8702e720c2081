#pragma once
// How log lines look: `text` (the default, for people) or `json` (one object per line, for log
// collectors), chosen with --log-format.
//
//   text: 2026-01-02T03:04:05.678 info loaded 4 object(s) from 2 file(s) ...
//   json: {"time":"2026-01-02T03:04:05.678Z","level":"info","msg":"loaded 4 object(s) ..."}
//
// JSON times are UTC; the message is escaped (quotes, backslashes, control characters), so a
// file name or an error text can never break the line.

#include <string>

namespace vmdns::cli {

// `format` is "text" or "json".
void set_log_format(const std::string& format);

// `text` as the contents of a JSON string, without the surrounding quotes.
std::string json_escape(std::string_view text);

}  // namespace vmdns::cli
