// libFuzzer target: kubeconfig text -> KubeConfig or an error. Whatever the bytes, reading must
// neither crash nor throw. Paths in the input are relative to a directory that does not exist,
// so that the fuzzer reads no file of the machine's unless the input names it absolutely, and
// only regular files are ever read.

#include <cstddef>
#include <cstdint>
#include <string>

#include "kube/kubeconfig.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string text(reinterpret_cast<const char*>(data), size);
  std::string error;
  (void)vmdns::kube::parse_kubeconfig(text, "/nonexistent/kubeconfig", "", &error);
  (void)vmdns::kube::parse_kubeconfig(text, "/nonexistent/kubeconfig", "admin@lab", &error);
  (void)vmdns::kube::decode_base64(text);
  return 0;
}
