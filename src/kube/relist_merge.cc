#include "kube/relist_merge.h"

#include <variant>

namespace vmdns::kube {
namespace {

cluster::ObjectKey key_of_object(const sources::Object& object) {
  return std::visit([](const auto& typed) { return cluster::key_of(typed.meta); }, object);
}

}  // namespace

RelistMerge::RelistMerge(sources::ObjectSink& sink, std::string origin, sources::ObjectKind kind)
    : sink_(sink), origin_(std::move(origin)), kind_(kind) {}

void RelistMerge::listed(sources::Object object) {
  cluster::ObjectKey key = key_of_object(object);
  std::lock_guard lock(mutex_);
  bool watched = watched_.count(key) != 0;
  listed_.insert(std::move(key));
  if (!watched) {
    // An unchanged object costs the sink a comparison, not a rebuild.
    sink_.upsert(origin_, std::move(object));
  }
}

void RelistMerge::list_restarted() {
  std::lock_guard lock(mutex_);
  // What was passed on stays (it was current when listed); what was seen is forgotten, so that
  // an object deleted since is not taken for listed.
  listed_.clear();
}

void RelistMerge::restart() {
  std::lock_guard lock(mutex_);
  listed_.clear();
  watched_.clear();
  listing_ = true;
  expired_ = false;
}

void RelistMerge::watched_upsert(sources::Object object) {
  std::lock_guard lock(mutex_);
  if (listing_) {
    watched_.insert(key_of_object(object));
  }
  sink_.upsert(origin_, std::move(object));
}

void RelistMerge::watched_remove(const cluster::ObjectKey& key) {
  std::lock_guard lock(mutex_);
  if (listing_) {
    watched_.insert(key);
  }
  sink_.remove(origin_, sources::ObjectRef{kind_, key});
}

void RelistMerge::watched(const cluster::ObjectKey& key) {
  std::lock_guard lock(mutex_);
  if (listing_) {
    watched_.insert(key);
  }
}

size_t RelistMerge::finish() {
  std::lock_guard lock(mutex_);
  size_t watched = watched_.size();
  // A key the watch deleted is in `keep` but no longer in the sink: retaining it changes
  // nothing. Sets are merged node by node: the keys are never held twice.
  std::set<cluster::ObjectKey> keep = std::move(listed_);
  keep.merge(watched_);
  listed_.clear();
  watched_.clear();
  listing_ = false;
  sink_.retain(origin_, kind_, std::move(keep));
  return watched;
}

bool RelistMerge::listing() const {
  std::lock_guard lock(mutex_);
  return listing_;
}

size_t RelistMerge::watched_keys() const {
  std::lock_guard lock(mutex_);
  return watched_.size();
}

}  // namespace vmdns::kube
