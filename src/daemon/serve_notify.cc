#include "daemon/serve_notify.h"

#include "notify/notify_target.h"

namespace vmdns::daemon {

std::optional<std::vector<notify::Peer>> notify_peers(const settings::ServeOptions& options,
                                                      const tsig::KeyRing& keys,
                                                      std::string* error) {
  std::vector<notify::Peer> peers;
  for (const std::string& text : options.notify) {
    std::optional<notify::NotifyTarget> target = notify::parse_notify_target(text, error);
    if (!target) {
      *error = "--notify " + *error;
      return std::nullopt;
    }
    notify::Peer peer{target->address, std::nullopt};
    if (target->key_name) {
      const tsig::Key* key = keys.find(*target->key_name);
      if (key == nullptr) {
        *error = "--notify \"" + text + "\": no --tsig-key or --tsig-key-file key named " +
                 target->key_name->to_text();
        return std::nullopt;
      }
      peer.key = *key;
    } else if (keys.keys().size() == 1) {
      peer.key = keys.keys().front();
    } else if (keys.keys().size() > 1) {
      *error = "--notify \"" + text + "\": " + std::to_string(keys.keys().size()) +
               " TSIG keys are configured: name the one to sign with (ADDR:PORT,key=NAME)";
      return std::nullopt;
    }
    peers.push_back(std::move(peer));
  }
  return peers;
}

}  // namespace vmdns::daemon
