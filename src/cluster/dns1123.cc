#include "cluster/dns1123.h"

namespace vmdns::cluster {
namespace {

constexpr size_t kMaxLabel = 63;
constexpr size_t kMaxSubdomain = 253;

bool is_alnum(char c) {
  return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}

// The label regex of k8s.io/apimachinery without its length limit:
// [a-z0-9]([-a-z0-9]*[a-z0-9])?
bool matches_label_pattern(std::string_view value) {
  if (value.empty() || !is_alnum(value.front()) || !is_alnum(value.back())) {
    return false;
  }
  for (char c : value) {
    if (!is_alnum(c) && c != '-') {
      return false;
    }
  }
  return true;
}

}  // namespace

bool is_dns1123_label(std::string_view value) {
  return value.size() <= kMaxLabel && matches_label_pattern(value);
}

bool is_dns1123_subdomain(std::string_view value) {
  if (value.empty() || value.size() > kMaxSubdomain) {
    return false;
  }
  // Kubernetes checks only the total length of a subdomain, not each label's: an object may be
  // named with 70 characters and no dot, which is why KubeVirt truncates hostnames to 63.
  size_t start = 0;
  while (true) {
    size_t dot = value.find('.', start);
    if (!matches_label_pattern(value.substr(start, dot - start))) {
      return false;
    }
    if (dot == std::string_view::npos) {
      return true;
    }
    start = dot + 1;
  }
}

bool is_port_name(std::string_view value) {
  constexpr size_t kMaxPortName = 15;
  if (value.empty() || value.size() > kMaxPortName || value.front() == '-' || value.back() == '-' ||
      value.find("--") != std::string_view::npos) {
    return false;
  }
  bool letter = false;
  for (char c : value) {
    if (!is_alnum(c) && c != '-') {
      return false;
    }
    letter = letter || (c >= 'a' && c <= 'z');
  }
  return letter;
}

std::string dns1123_label_problem(std::string_view value) {
  if (value.empty()) {
    return "must not be empty";
  }
  if (value.size() > kMaxLabel) {
    return "must be no more than 63 characters";
  }
  if (!matches_label_pattern(value)) {
    return "must consist of lower case alphanumeric characters or '-', and must start and end "
           "with an alphanumeric character";
  }
  return "";
}

}  // namespace vmdns::cluster
