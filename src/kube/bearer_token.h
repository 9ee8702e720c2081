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

#include <mutex>
#include <string>
#include <sys/stat.h>

namespace vmdns::kube {

class BearerToken {
 public:
  BearerToken(std::string token, std::string file);

  // The token to send now ("" for none). Re-reads the file when its inode, size or mtime moved.
  std::string current();
  // Forgets what was read, so that the next current() reads the file again.
  void refresh();

 private:
  std::mutex mutex_;
  std::string fixed_;
  std::string file_;
  std::string cached_;
  struct stat seen_ {};
  bool have_seen_ = false;
};

}  // namespace vmdns::kube
