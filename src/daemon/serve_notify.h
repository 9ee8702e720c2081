#pragma once
// `--notify ADDR:PORT[,key=NAME]` made into the NOTIFY sender's targets, checked at start: a bad
// target, or a key that is not among the --tsig-key ones, stops `serve` with an error naming the
// flag and the value.
//
//   std::string error;
//   auto peers = notify_peers(options, keys, &error);   // nullopt: error says why
//   // each peer signed with key=NAME's key, else with the only key, else unsigned

#include <optional>
#include <string>
#include <vector>

#include "notify/notifier.h"
#include "settings/serve_options.h"
#include "tsig/key.h"

namespace vmdns::daemon {

std::optional<std::vector<notify::Peer>> notify_peers(const settings::ServeOptions& options,
                                                      const tsig::KeyRing& keys,
                                                      std::string* error);

}  // namespace vmdns::daemon
