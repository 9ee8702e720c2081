#include "zone/node.h"

namespace vmdns::zone {

const RrSet* Node::find(dns::RrType type) const {
  for (const RrSet& set : rrsets()) {
    if (set.type() == type) {
      return &set;
    }
  }
  return nullptr;
}

}  // namespace vmdns::zone
