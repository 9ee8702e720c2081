#pragma once
// The manifest files under the -f paths, each delivered to an ObjectSink as its own origin and
// re-read only when it changed.
//
//   ManifestFiles files({"examples/", "vmi.yaml"}, sink);
//   files.rescan();              // reads every file (the first time), then only changed ones
//   files.mark_changed("examples/a.yaml");   // an inotify event named it
//   files.rescan();              // re-reads a.yaml, forgets files that are gone
//   files.rescan(Rescan::All);   // SIGHUP: re-read everything
//
// A file is changed when its inode, size or modification time moved, or it was marked, and its
// text differs from what was last read (a file touched or saved unchanged is skipped). A file
// that now fails (invalid YAML, an object with an error, unreadable) keeps the objects it last
// delivered, and its errors are logged once, when the change is seen; fixing it delivers it. On
// its first read, a file with errors delivers the objects that loaded (as `vmdns check` reports
// and `serve` always did). A removed file's origin is forgotten. Standard input ("-") is read on
// the first rescan only.
//
// A file rewritten in place can be read while its writer is still at it, or after the writer
// died mid-write: a prefix of the new text, often still valid YAML with the last object cut
// (its status or its kind missing), or an empty file between the writer's truncation and its
// first write. A file whose last delivered text ended in a line break and whose new text does
// not (or is empty) is taken for such a prefix and kept like a file with errors, until its text
// is whole again; to withdraw a file's objects, remove it. Writers that write a new file and
// rename it over the old one, as kubectl, editors and the kubelet's ConfigMap volumes do, are
// never read half-written.

#include <chrono>
#include <cstdint>
#include <ctime>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "sources/object_sink.h"

namespace vmdns::sources {

enum class Rescan { Changed, All };

struct RescanSummary {
  size_t files = 0;      // manifest files found
  size_t read = 0;       // files read by this rescan
  size_t delivered = 0;  // of which delivered to the sink
  size_t kept = 0;       // of which failed and kept their last good objects
  size_t unchanged = 0;  // of which had the same text as before, and were skipped
  size_t removed = 0;    // files forgotten
  size_t objects = 0;    // objects in the delivered files
  // Reading, parsing and decoding the files (delivering them to the sink not included).
  std::chrono::microseconds load_time{0};
  std::chrono::microseconds load_cpu_time{0};  // the process's CPU time meanwhile
  // Errors met by this rescan, by file (or -f path): a bad object or document, a file that
  // cannot be read, a -f path that went missing (counted once, when it goes missing).
  std::map<std::string, size_t> errors;
};

class ManifestFiles {
 public:
  ManifestFiles(std::vector<std::string> paths, ObjectSink& sink);

  void mark_changed(const std::string& file) { marked_.insert(file); }
  RescanSummary rescan(Rescan mode = Rescan::Changed);

  // The directories to watch, each with the names in it that matter (empty: every name): the
  // -f directories and their subdirectories, and the parent of every -f path, for that path.
  std::map<std::string, std::set<std::string>> watch_list() const;

 private:
  struct Stamp {
    uint64_t device = 0, inode = 0;
    int64_t size = -1;
    timespec modified{};
    bool operator==(const Stamp& o) const;
  };
  struct File {
    Stamp stamp;
    bool delivered = false;             // the sink holds objects from this file
    size_t text_hash = 0;               // of the text last read
    bool ends_with_line_break = false;  // the text last delivered did
  };

  // Reads `path` and delivers it unless it failed after an earlier delivery.
  // A file whose text is what it was is skipped unless `mode` is All: touching it, or saving it
  // unchanged, costs no rebuild.
  void read(const std::string& path, File& file, Rescan mode, RescanSummary& summary);

  std::vector<std::string> paths_;
  ObjectSink& sink_;
  std::map<std::string, File> files_;
  std::set<std::string> marked_;
  std::set<std::string> path_errors_;  // logged already; logged again only after they clear
  bool stdin_read_ = false;
};

}  // namespace vmdns::sources
