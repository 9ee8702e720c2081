#include "kube/bearer_token.h"

#include <spdlog/spdlog.h>

#include "kube/kubeconfig.h"

namespace vmdns::kube {
namespace {

bool same_file_state(const struct stat& a, const struct stat& b) {
  return a.st_ino == b.st_ino && a.st_dev == b.st_dev && a.st_size == b.st_size &&
         a.st_mtim.tv_sec == b.st_mtim.tv_sec && a.st_mtim.tv_nsec == b.st_mtim.tv_nsec;
}

std::string trimmed(const std::string& text) {
  size_t begin = text.find_first_not_of(" \t\r\n");
  size_t end = text.find_last_not_of(" \t\r\n");
  return begin == std::string::npos ? std::string() : text.substr(begin, end - begin + 1);
}

}  // namespace

BearerToken::BearerToken(std::string token, std::string file)
    : fixed_(std::move(token)), file_(std::move(file)) {}

std::string BearerToken::current() {
  std::lock_guard lock(mutex_);
  if (file_.empty()) {
    return fixed_;
  }
  struct stat now {};
  // stat() follows the symlink, so a swapped ..data link shows up as another inode.
  if (::stat(file_.c_str(), &now) != 0) {
    return cached_;  // keep the last token while the file is being replaced
  }
  if (have_seen_ && same_file_state(now, seen_)) {
    return cached_;
  }
  std::string error;
  auto content = read_file(file_, &error);
  if (!content) {
    spdlog::warn("bearer token: {}; keeping the last one", error);
    return cached_;
  }
  if (have_seen_) {
    spdlog::info("bearer token: {} changed, using the new token", file_);
  }
  cached_ = trimmed(*content);
  seen_ = now;
  have_seen_ = true;
  return cached_;
}

void BearerToken::refresh() {
  std::lock_guard lock(mutex_);
  have_seen_ = false;
}

}  // namespace vmdns::kube
