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
  if (file_.empty()) {
    return fixed_;
  }
  auto read = read_.lock();
  struct stat now {};
  // stat() follows the symlink, so a swapped ..data link shows up as another inode.
  if (::stat(file_.c_str(), &now) != 0) {
    return read->token;  // keep the last token while the file is being replaced
  }
  if (read->have_seen && same_file_state(now, read->seen)) {
    return read->token;
  }
  std::string error;
  auto content = read_file(file_, &error);
  if (!content) {
    spdlog::warn("bearer token: {}; keeping the last one", error);
    return read->token;
  }
  if (read->have_seen) {
    spdlog::info("bearer token: {} changed, using the new token", file_);
  }
  read->token = trimmed(*content);
  read->seen = now;
  read->have_seen = true;
  return read->token;
}

void BearerToken::refresh() {
  read_.lock()->have_seen = false;
}

}  // namespace vmdns::kube
