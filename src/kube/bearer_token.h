#pragma once
// The bearer token of API requests: a fixed one, or the content of a token file that is re-read
// whenever it changes. Kubernetes rotates projected service account tokens (by default every
// hour, through an atomic symlink swap), so a token read once at startup expires.
//
//   BearerToken token(config.token, config.token_file);
//   std::string header = "Authorization: Bearer " + token.current();
//   // on 401 Unauthorized: token.refresh(); then retry
//
// Thread-safe: every reflector thread asks for the token before each request.

#include <sys/stat.h>

#include <string>

#include "sync/guarded.h"

namespace vmdns::kube {

class BearerToken {
 public:
  BearerToken(std::string token, std::string file);

  // The token to send now ("" for none). Re-reads the file when its inode, size or mtime moved.
  std::string current();
  // Forgets what was read, so that the next current() reads the file again.
  void refresh();

 private:
  // What was last read from the file, and the file's state then.
  struct Read {
    std::string token;
    struct stat seen {};
    bool have_seen = false;
  };

  const std::string fixed_;
  const std::string file_;
  sync::Guarded<Read> read_;
};

}  // namespace vmdns::kube
