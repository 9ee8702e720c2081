#pragma once
// --state-dir: an ObjectSink in front of the real one that passes every change on and keeps a
// copy of the API's objects, written to <dir>/state.json (at most once a second) while every
// collection is in sync. When the API's collections are all synced for the first time, the
// origin that served the state restored at startup is dropped: the API's own objects replace it.
//
//   StateSaver saver(control_loop, dir, source.origins(), "restored /var/lib/vmdns/state.json");
//   KubeSource source(config, options, saver);
//
// The copy costs a second set of slim objects (not of JSON); without --state-dir there is none.

#include <condition_variable>
#include <map>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "cluster/model.h"
#include "sources/object_sink.h"
#include "sync/guarded.h"

namespace vmdns::kube {

class StateSaver : public sources::ObjectSink {
 public:
  // `restored_origin`: empty when nothing was restored.
  StateSaver(sources::ObjectSink& next, std::string path, std::vector<std::string> origins,
             std::string restored_origin);
  ~StateSaver() override;
  void stop();

  void replace_origin(const std::string& origin, cluster::State objects) override;
  void upsert(const std::string& origin, sources::Object object) override;
  void remove(const std::string& origin, sources::ObjectRef ref) override;
  void retain(const std::string& origin, sources::ObjectKind kind,
              std::set<cluster::ObjectKey> keep) override;
  void forget_origin(const std::string& origin) override;
  void set_sync(const std::string& origin, sources::SyncState state) override;

 private:
  void run();

  sources::ObjectSink& next_;
  std::string path_;
  std::set<std::string> expected_;
  std::string restored_origin_;

  struct State {
    std::map<std::string, cluster::State> objects;
    std::set<std::string> synced;
    bool all_synced_once = false;
    bool dirty = false;
    bool stopping = false;
    bool failing = false;  // the last write failed
  };
  sync::Guarded<State> state_;
  std::condition_variable wake_;
  std::thread thread_;
};

}  // namespace vmdns::kube
