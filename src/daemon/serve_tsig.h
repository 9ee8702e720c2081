#pragma once
// `--tsig-key` and `--tsig-key-file` made into the server's TSIG keys, checked at start: a bad
// key stops `serve` with an error naming the flag or the file, line and field.
//
//   std::string error;
//   auto keys = tsig_keys(options, &error);      // nullopt: error says why
//   if (keys && !keys->empty()) { ...transfers need a signature... }

#include <optional>
#include <string>

#include "settings/serve_options.h"
#include "tsig/key.h"

namespace vmdns::daemon {

std::optional<tsig::KeyRing> tsig_keys(const settings::ServeOptions& options, std::string* error);

}  // namespace vmdns::daemon
