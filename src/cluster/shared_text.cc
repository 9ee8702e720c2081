#include "cluster/shared_text.h"

namespace vmdns::cluster {

// Out of line, so that the compiler does not follow the thread's last text into every aggregate
// that holds an Origin (GCC 12 then warns of an uninitialized shared_ptr).
SharedText::SharedText(std::string_view text) {
  // The last text made on this thread: a loader makes the same file's name for each object.
  thread_local std::shared_ptr<const std::string> last;
  if (text.empty()) {
    return;
  }
  if (!last || *last != text) {
    last = std::make_shared<const std::string>(text);
  }
  text_ = last;
}

}  // namespace vmdns::cluster
