#pragma once
// The last cluster state synced from the API, kept on disk (--state-dir) so that a restarted
// vmdns answers at once instead of failing until the API server answers.
//
//   save_state_file(state, "/var/lib/vmdns/state.json", &error);   // atomically replaced
//   auto restored = load_state_file("/var/lib/vmdns/state.json", &error);
//
// The file is a `kind: List` of API objects holding exactly the fields vmdns reads, so it is
// read back by the same decoders (and `vmdns check -f` reads it too). Only the slim objects are
// written: no annotations, no managed fields, no secrets.

#include <optional>
#include <string>

#include "cluster/model.h"

namespace vmdns::kube {

// The state as a JSON `List`; `encode_state` then `decode_state` gives back an equal state.
std::string encode_state(const cluster::State& state);
std::optional<cluster::State> decode_state(const std::string& text, const std::string& origin,
                                           std::string* error);

// Writes to a temporary file in the same directory, fsyncs it, then renames it over `path` (and
// fsyncs the directory): on a full disk or any error, `path` keeps its last complete state.
bool save_state_file(const cluster::State& state, const std::string& path, std::string* error);
// The same for a state already encoded (encode_state), so that it can be encoded under a lock
// and written without it.
bool write_state_file(const std::string& text, const std::string& path, std::string* error);
std::optional<cluster::State> load_state_file(const std::string& path, std::string* error);

}  // namespace vmdns::kube
