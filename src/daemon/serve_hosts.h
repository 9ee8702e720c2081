#pragma once
// `vmdns serve`'s hosts entries (CoreDNS's hosts plugin): `--host "IP NAME..."` and
// `--hosts-file PATH`, made into a hosts::HostsTable and published to the workers; the file is
// read again when it changes (inotify, unless --hosts-reload 0) and on SIGHUP.
//
//   auto inline_entries = host_entries(options, &error);     // --host, checked at start
//   ServeHosts hosts(options, std::move(*inline_entries));
//   hosts.start();                 // reads the file, publishes, watches
//   hosts::LocalHosts local(hosts.holder());
//   hosts.reload();                // SIGHUP
//
// A bad line of the file is logged as `PATH:LINE: why` and skipped; a file that is missing or
// unreadable is logged and the inline entries serve alone until it can be read. A file that
// did not change (same size and modification time) is not parsed again.

#include <sys/stat.h>

#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "daemon/config_watcher.h"
#include "hosts/hosts_file.h"
#include "hosts/hosts_holder.h"
#include "settings/serve_options.h"

namespace vmdns::daemon {

// --host's entries; nullopt with `error` naming the bad one.
std::optional<std::vector<hosts::HostsEntry>> host_entries(const settings::ServeOptions& options,
                                                           std::string* error);

class ServeHosts {
 public:
  ServeHosts(const settings::ServeOptions& options, std::vector<hosts::HostsEntry> inline_entries);
  ~ServeHosts();

  // Publishes the first table and starts watching the file. Without --host and --hosts-file,
  // nothing is published and enabled() is false.
  void start();
  void stop();
  // Reads the file again (if it changed) and publishes a new table. Any thread.
  void reload();

  bool enabled() const { return !inline_entries_.empty() || !path_.empty(); }
  const hosts::HostsHolder& holder() const { return holder_; }

 private:
  void load(bool force);

  const std::string path_;
  const uint32_t ttl_;
  const bool watch_;
  const std::vector<hosts::HostsEntry> inline_entries_;
  hosts::HostsHolder holder_;
  std::mutex mutex_;  // serialises load(); guards the file's last stat
  bool seen_ = false;
  struct timespec mtime_ {};
  off_t size_ = -1;
  std::unique_ptr<ConfigWatcher> watcher_;
};

}  // namespace vmdns::daemon
