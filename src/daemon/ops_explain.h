#pragma once
// GET /explain/<name> on the running server: `vmdns explain NAME`, computed on the control
// thread from the objects it serves now (the address holds included), not from manifests.
//
//   ExplainEndpoint explain;
//   start_ops_http(..., explain.endpoint());   // beside /health
//   explain.attach(&control);                  // once the control loop runs
//   ...
//   explain.attach(nullptr);                   // before it stops
//
//   GET /explain/db.sub.prod.svc.cluster.local           the text `vmdns explain` prints
//   GET /explain/db.sub?namespace=prod&output=json       as a pod of prod asks it, in JSON
//   GET /explain/db.sub?from-vmi=client&namespace=prod   as the guest of VMI prod/client asks it
//
// 200 with the explanation (whether the name resolves or not), 400 for a malformed name or
// parameter, 404 when from-vmi names no VMI, 503 before the first snapshot or when the control
// thread did not answer within 2 s. Off the DNS path: the HTTP listener's thread waits for the
// control thread, which answers after the batch of changes it is applying.

#include <mutex>
#include <string>

#include "control/control_loop.h"
#include "ops/http_server.h"

namespace vmdns::daemon {

class ExplainEndpoint {
 public:
  // The loop that answers from now on; null: none (503). Waits for a request being answered.
  void attach(control::ControlLoop* loop);
  // "/explain/", answered by this object (which must outlive the HTTP server's listeners).
  ops::HttpEndpoint endpoint();

  ops::HttpResponse respond(const ops::HttpRequest& request);

 private:
  std::mutex mutex_;  // held while a request waits for the loop
  control::ControlLoop* loop_ = nullptr;
};

}  // namespace vmdns::daemon
