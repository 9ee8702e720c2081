#include "daemon/serve_hosts.h"

#include <spdlog/spdlog.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

#include "hosts/hosts_table.h"

namespace vmdns::daemon {

std::optional<std::vector<hosts::HostsEntry>> host_entries(const settings::ServeOptions& options,
                                                           std::string* error) {
  std::vector<hosts::HostsEntry> out;
  for (const std::string& line : options.hosts) {
    std::string why;
    auto entry = hosts::parse_host_line(line, &why);
    if (!entry) {
      *error = "--host \"" + line + "\": " + why;
      return std::nullopt;
    }
    out.push_back(std::move(*entry));
  }
  return out;
}

ServeHosts::ServeHosts(const settings::ServeOptions& options,
                       std::vector<hosts::HostsEntry> inline_entries)
    : path_(options.hosts_file),
      ttl_(options.hosts_ttl),
      watch_(settings::parse_duration(options.hosts_reload)
                 .value_or(std::chrono::milliseconds(1))
                 .count() != 0),
      inline_entries_(std::move(inline_entries)) {}

ServeHosts::~ServeHosts() {
  stop();
}

void ServeHosts::start() {
  if (!enabled()) {
    return;
  }
  load(/*force=*/true);
  if (path_.empty() || !watch_) {
    return;
  }
  watcher_ = std::make_unique<ConfigWatcher>(path_, [this] { load(/*force=*/false); });
  std::string error;
  if (!watcher_->start(&error)) {
    spdlog::warn("--hosts-file {}: not watched ({}); SIGHUP reads it again", path_, error);
    watcher_.reset();
  }
}

void ServeHosts::stop() {
  if (watcher_) {
    watcher_->stop();
    watcher_.reset();
  }
}

void ServeHosts::reload() {
  if (enabled()) {
    load(/*force=*/false);
  }
}

void ServeHosts::load(bool force) {
  std::lock_guard lock(mutex_);
  // The file's entries first, then --host's, as CoreDNS lists them.
  std::vector<hosts::HostsEntry> entries;
  if (!path_.empty()) {
    struct stat info {};
    bool readable = stat(path_.c_str(), &info) == 0;
    if (readable && !force && seen_ && info.st_size == size_ &&
        info.st_mtim.tv_sec == mtime_.tv_sec && info.st_mtim.tv_nsec == mtime_.tv_nsec) {
      return;  // unchanged: the table in force is the file's
    }
    std::ifstream file(path_);
    if (!readable || !file) {
      if (seen_ || force) {
        spdlog::warn("--hosts-file {}: cannot read it ({}); serving {} --host entries", path_,
                     std::strerror(errno), inline_entries_.size());
      }
      seen_ = false;
      size_ = -1;
    } else {
      std::stringstream text;
      text << file.rdbuf();
      hosts::HostsParse parsed = hosts::parse_hosts(text.str(), path_);
      for (const std::string& error : parsed.errors) {
        spdlog::warn("--hosts-file {} (line skipped)", error);
      }
      entries = std::move(parsed.entries);
      seen_ = true;
      size_ = info.st_size;
      mtime_ = info.st_mtim;
    }
  }
  entries.insert(entries.end(), inline_entries_.begin(), inline_entries_.end());
  auto table = hosts::HostsTable::build(entries, ttl_);
  spdlog::info("hosts: {} name(s), {} address(es){}", table->names(), table->addresses(),
               path_.empty() ? "" : " (" + path_ + " and --host)");
  holder_.publish(std::move(table));
}

}  // namespace vmdns::daemon
