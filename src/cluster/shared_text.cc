#include "cluster/shared_text.h"

namespace vmdns::cluster {

std::shared_ptr<const std::string> SharedText::intern(std::string_view text) {
  // The last text made on this thread: a loader makes the same file's name for each object.
  thread_local std::shared_ptr<const std::string> last;
  if (text.empty()) {
    return nullptr;
  }
  if (!last || *last != text) {
    last = std::make_shared<const std::string>(text);
  }
  return last;
}

}  // namespace vmdns::cluster
