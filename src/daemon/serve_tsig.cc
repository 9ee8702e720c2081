#include "daemon/serve_tsig.h"

#include "tsig/key_file.h"

namespace vmdns::daemon {

std::optional<tsig::KeyRing> tsig_keys(const settings::ServeOptions& options, std::string* error) {
  tsig::KeyRing ring;
  for (const std::string& spec : options.tsig_keys) {
    std::optional<tsig::Key> key = tsig::parse_key_spec(spec, error);
    if (!key) {
      *error = "--tsig-key: " + *error;
      return std::nullopt;
    }
    if (!ring.add(std::move(*key), error)) {
      *error = "--tsig-key: " + *error;
      return std::nullopt;
    }
  }
  for (const std::string& path : options.tsig_key_files) {
    tsig::KeyFileParse parsed = tsig::load_key_file(path);
    if (!parsed.error.empty()) {
      *error = "--tsig-key-file: " + parsed.error;
      return std::nullopt;
    }
    for (tsig::Key& key : parsed.keys) {
      if (!ring.add(std::move(key), error)) {
        *error = "--tsig-key-file: " + path + ": " + *error;
        return std::nullopt;
      }
    }
  }
  return ring;
}

}  // namespace vmdns::daemon
