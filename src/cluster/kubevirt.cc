#include "cluster/kubevirt.h"

#include <openssl/evp.h>

#include <cstdio>
#include <cstdlib>

namespace vmdns::cluster {
namespace {

constexpr size_t kMaxLabelValue = 63;  // Kubernetes label values, and DNS labels
constexpr size_t kIdPrefix = 54;       // 54 + '-' + 8 hex digits = 63
constexpr size_t kIdHashDigits = 8;

// Lowercase hex SHA-1 of `text`. A libcrypto failure here is an environment failure, not bad
// input, so it terminates with a message (ARCHITECTURE.md habit 12).
std::string sha1_hex(std::string_view text) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  if (EVP_Digest(text.data(), text.size(), digest, &length, EVP_sha1(), nullptr) != 1) {
    std::fputs("vmdns: OpenSSL EVP_Digest(SHA-1) failed\n", stderr);
    std::abort();
  }
  static constexpr char kHex[] = "0123456789abcdef";
  std::string hex;
  hex.reserve(static_cast<size_t>(length) * 2);
  for (unsigned int i = 0; i < length; ++i) {
    hex.push_back(kHex[digest[i] >> 4]);
    hex.push_back(kHex[digest[i] & 0x0f]);
  }
  return hex;
}

}  // namespace

std::string sanitize_hostname(std::string_view vmi_name) {
  std::string_view hostname = vmi_name.substr(0, vmi_name.find('.'));
  return std::string(hostname.substr(0, kMaxLabelValue));
}

std::string vmi_hostname(const VirtualMachineInstance& vmi) {
  if (!vmi.hostname.empty()) {
    return vmi.hostname.str();
  }
  return sanitize_hostname(vmi.meta.name);
}

std::string vmi_id_label_value(std::string_view vmi_name) {
  if (vmi_name.size() <= kMaxLabelValue) {
    return std::string(vmi_name);
  }
  // A label value holds at most 63 characters; the hash keeps long names that share a prefix
  // apart.
  return std::string(vmi_name.substr(0, kIdPrefix)) + "-" +
         sha1_hex(vmi_name).substr(0, kIdHashDigits);
}

Labels launcher_pod_labels(const VirtualMachineInstance& vmi) {
  Labels labels = vmi.meta.labels;
  // KubeVirt sets these after copying the VMI's labels, so they win over same-named VMI labels.
  labels["kubevirt.io"] = "virt-launcher";
  labels["vmi.kubevirt.io/id"] = vmi_id_label_value(vmi.meta.name);
  labels["vm.kubevirt.io/name"] = vmi_hostname(vmi);
  return labels;
}

}  // namespace vmdns::cluster
