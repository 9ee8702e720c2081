"""vmdns serve --kubeconfig against a fake Kubernetes API server (fake_kube_api.py), with dig.

The behaviour, as the tests check it:
- initial sync: after the paginated lists of Namespaces, Services, EndpointSlices and
  VirtualMachineInstances, the KubeVirt page's name answers with the VMI's address;
- add, modify and delete of each kind show in the answers within moments;
- a VMI that migrates (new IP) answers with the new address; a paused VMI leaves its headless
  Service;
- a watch whose resourceVersion expired (410 Gone) relists, and sees what it missed;
- a dropped connection re-watches from the last resourceVersion and misses nothing;
- garbage in a watch stream is logged and the watch restarts;
- a rotated service account token is read again from its file;
- a periodic relist (--resync-period) repairs a change no watch reported;
- an API server that never answers: names answer SERVFAIL, never NXDOMAIN, until the first sync
  (reverse names under the default fallthrough included);
  with --state-dir, the last synced state is served at once, marked stale in the log;
- Pods are listed and watched with --pods verified only: --pods insecure answers
  <dashed-ip>.<ns>.pod names without them, and says so in the log.
"""

import copy
import os
import shutil
import tempfile
import unittest

from fake_kube_api import FakeKubeApi, load_objects
from vmdns_harness import FIXTURES, VmdnsServer, require_tools, wait_for

CLUSTER = os.path.join(FIXTURES, "kube", "cluster.json")
MYVMI = "myvmi.mysubdomain.default.svc.cluster.local"


def by_name(objects, kind, name):
    return copy.deepcopy(next(o for o in objects if o["kind"] == kind and
                              o["metadata"]["name"] == name))


class KubeApiTest(unittest.TestCase):
    def setUp(self):
        require_tools("dig", "openssl")
        self.dir = tempfile.mkdtemp(prefix="vmdns-kube-")
        self.api = FakeKubeApi(self.dir).start()
        self.objects = load_objects(CLUSTER)
        for obj in self.objects:
            self.api.add(obj)
        self.kubeconfig = self.api.write_kubeconfig()
        self.servers = []

    def tearDown(self):
        for server in self.servers:
            server.stop()
        self.api.stop()
        shutil.rmtree(self.dir, ignore_errors=True)

    def serve(self, *extra):
        server = VmdnsServer([], ["--kubeconfig", self.kubeconfig, *extra])
        self.servers.append(server)
        return server

    def wait_answer(self, server, name, expected, rtype="A", timeout=5.0):
        """Waits until `name` answers exactly `expected` (a list of rdatas; [] for NXDOMAIN)."""
        seen = []

        def check():
            reply = server.dig(name, rtype)
            seen[:] = [reply.status, reply.rdatas(rtype)]
            if expected:
                return reply.status == "NOERROR" and reply.rdatas(rtype) == sorted(expected)
            return reply.status == "NXDOMAIN"
        self.assertTrue(wait_for(check, timeout), "%s %s: last %r\n%s" % (
            name, rtype, seen, server.log()))

    def synced(self, server):
        self.wait_answer(server, MYVMI, ["10.244.0.57"])

    def move_vmi(self, ip, publish=None):
        """vmi-fedora (MYVMI) gets the address `ip`, published by `publish` (an update, which
        its watchers see, unless told otherwise)."""
        vmi = by_name(self.objects, "VirtualMachineInstance", "vmi-fedora")
        vmi["status"]["interfaces"][0]["ipAddresses"] = [ip]
        (publish or self.api.update)(vmi)

    def lists(self):
        return sum(1 for r in self.api.requests if "watch=1" not in r)

    def move_vmi_while_away(self, server, ip, compact):
        """The watches drop, and while the API server does not answer vmi-fedora moves to `ip`
        (the history compacted too, when `compact`) and the last data keeps serving; then the
        API server answers again and the new address is served. Returns how many lists vmdns
        made to get there."""
        self.assertTrue(wait_for(lambda: self.api.watchers() == 4))
        self.api.hang()
        self.api.drop_watches()
        self.move_vmi(ip)
        if compact:
            self.api.compact()
        self.assertEqual(server.dig(MYVMI).rdatas("A"), ["10.244.0.57"])
        lists_before = self.lists()
        self.api.hang(False)
        self.wait_answer(server, MYVMI, [ip])
        return self.lists() - lists_before

    def test_initial_sync(self):
        server = self.serve()
        self.synced(server)
        self.assertEqual(server.dig("web.shop.svc.cluster.local").rdatas("A"), ["10.96.0.20"])
        reply = server.dig("nosuchvm.mysubdomain.default.svc.cluster.local")
        self.assertEqual(reply.status, "NXDOMAIN")
        self.assertIn("aa", reply.flags)
        log = server.log()
        self.assertIn("listed VirtualMachineInstance in all namespaces: 1 object(s)", log)
        self.assertIn("in sync with", log)

    def test_paginated_lists(self):
        for i in range(7):
            self.api.add({"apiVersion": "v1", "kind": "Namespace",
                          "metadata": {"name": "team-%d" % i}})
        server = self.serve()
        self.synced(server)
        reply = server.dig("team-6.svc.cluster.local")
        self.assertEqual(reply.status, "NOERROR")

    def test_add_modify_delete_each_kind(self):
        server = self.serve()
        self.synced(server)
        # Namespace
        self.api.add({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "lab"}})
        self.assertTrue(wait_for(lambda: server.dig("lab.svc.cluster.local").status == "NOERROR"))
        self.api.delete("Namespace", "", "lab")
        self.assertTrue(wait_for(lambda: server.dig("lab.svc.cluster.local").status == "NXDOMAIN"))
        # Service
        web = by_name(self.objects, "Service", "web")
        db = copy.deepcopy(web)
        db["metadata"]["name"] = "db"
        db["spec"]["clusterIP"] = "10.96.0.30"
        db["spec"]["clusterIPs"] = ["10.96.0.30"]
        self.api.add(db)
        self.wait_answer(server, "db.shop.svc.cluster.local", ["10.96.0.30"])
        db["spec"]["clusterIPs"] = ["10.96.0.31"]
        self.api.update(db)
        self.wait_answer(server, "db.shop.svc.cluster.local", ["10.96.0.31"])
        self.api.delete("Service", "shop", "db")
        self.wait_answer(server, "db.shop.svc.cluster.local", [])
        # EndpointSlice: a headless Service's endpoints come from its slices.
        headless = copy.deepcopy(web)
        headless["metadata"]["name"] = "cache"
        headless["spec"]["clusterIP"] = "None"
        headless["spec"]["clusterIPs"] = ["None"]
        headless["spec"]["selector"] = {"app": "cache"}
        self.api.add(headless)
        slice_ = by_name(self.objects, "EndpointSlice", "web-8kz2q")
        slice_["metadata"]["name"] = "cache-abcde"
        slice_["metadata"]["labels"]["kubernetes.io/service-name"] = "cache"
        slice_["endpoints"][0]["addresses"] = ["10.244.2.9"]
        self.api.add(slice_)
        self.wait_answer(server, "cache.shop.svc.cluster.local", ["10.244.2.9"])
        slice_["endpoints"][0]["addresses"] = ["10.244.2.10"]
        self.api.update(slice_)
        self.wait_answer(server, "cache.shop.svc.cluster.local", ["10.244.2.10"])
        self.api.delete("EndpointSlice", "shop", "cache-abcde")
        self.wait_answer(server, "cache.shop.svc.cluster.local", [])
        # VirtualMachineInstance
        vmi = by_name(self.objects, "VirtualMachineInstance", "vmi-fedora")
        vmi["metadata"]["name"] = "vmi-two"
        vmi["spec"]["hostname"] = "two"
        vmi["status"]["interfaces"][0]["ipAddresses"] = ["10.244.0.60"]
        self.api.add(vmi)
        self.wait_answer(server, "two.mysubdomain.default.svc.cluster.local", ["10.244.0.60"])
        self.api.delete("VirtualMachineInstance", "default", "vmi-two")
        self.wait_answer(server, "two.mysubdomain.default.svc.cluster.local", [])

    def test_vmi_migration_and_pause(self):
        server = self.serve()
        self.synced(server)
        vmi = by_name(self.objects, "VirtualMachineInstance", "vmi-fedora")
        # A migration: the VMI comes up on another node with another pod address.
        vmi["status"]["nodeName"] = "node-3"
        vmi["status"]["migrationState"] = {"completed": True, "sourceNode": "node-2",
                                           "targetNode": "node-3"}
        vmi["status"]["interfaces"][0]["ipAddress"] = "10.244.3.17"
        vmi["status"]["interfaces"][0]["ipAddresses"] = ["10.244.3.17"]
        self.api.update(vmi)
        self.wait_answer(server, MYVMI, ["10.244.3.17"])
        # Paused: Ready goes False and the Paused condition appears.
        vmi["status"]["conditions"] = [
            {"type": "Ready", "status": "False", "reason": "PausedByUser"},
            {"type": "Paused", "status": "True", "reason": "PausedByUser"},
        ]
        self.api.update(vmi)
        self.wait_answer(server, "mysubdomain.default.svc.cluster.local", [])

    def test_expired_resource_version_relists(self):
        server = self.serve()
        self.synced(server)
        # While vmdns is away the history is compacted: the re-watch gets 410 Gone, and only a
        # new list can tell what happened.
        self.assertGreater(self.move_vmi_while_away(server, "10.244.0.99", compact=True), 0)
        self.assertIn("(410 Gone), listing again", server.log())

    def test_dropped_connection_resumes_without_loss(self):
        server = self.serve()
        self.synced(server)
        # Resumed by a watch from the last resourceVersion, not by a new list.
        self.assertEqual(self.move_vmi_while_away(server, "10.244.0.77", compact=False), 0)

    def test_garbage_in_the_stream(self):
        server = self.serve()
        self.synced(server)
        self.assertTrue(wait_for(lambda: self.api.watchers() == 4))
        self.api.garbage()
        self.assertTrue(wait_for(lambda: "expected '{' to start an event, found 't'" in
                                 server.log()), server.log())
        self.move_vmi("10.244.0.88")
        self.wait_answer(server, MYVMI, ["10.244.0.88"])

    def test_token_rotation(self):
        server = self.serve()
        self.synced(server)
        self.assertTrue(wait_for(lambda: self.api.watchers() == 4))
        self.api.rotate_token("token-2")
        self.api.drop_watches()
        self.move_vmi("10.244.0.66")
        self.wait_answer(server, MYVMI, ["10.244.0.66"])
        self.assertIn("token-2", self.api.tokens_seen)
        self.assertIn("changed, using the new token", server.log())

    def test_periodic_relist_repairs_a_missed_change(self):
        server = self.serve("--resync-period", "2")
        self.synced(server)
        self.move_vmi("10.244.0.55", self.api.set_silently)
        self.wait_answer(server, MYVMI, ["10.244.0.55"], timeout=8)

    def test_periodic_relist_removes_what_was_deleted_unseen(self):
        server = self.serve("--resync-period", "2")
        self.synced(server)
        self.api.delete_silently("VirtualMachineInstance", "default", "vmi-fedora")
        self.wait_answer(server, MYVMI, [], timeout=8)
        self.assertIn("1 object(s) no longer listed (deleted without a watch event), removed",
                      server.log())
        # Relists that find nothing new publish nothing: the SOA serial stays.
        serial = server.dig("cluster.local", "SOA").rdatas("SOA")
        lists = self.lists()
        self.assertTrue(wait_for(lambda: self.lists() >= lists + 4, timeout=8))
        self.assertEqual(server.dig("cluster.local", "SOA").rdatas("SOA"), serial)

    def test_namespaces_and_labels_are_pushed_down(self):
        server = self.serve("--namespaces", "shop", "--labels", "app=web")
        self.wait_answer(server, "web.shop.svc.cluster.local", ["10.96.0.20"])
        paths = [r.split("?")[0] for r in self.api.requests]
        self.assertIn("GET /api/v1/namespaces/shop/services", paths)
        self.assertIn("GET /apis/kubevirt.io/v1/namespaces/shop/virtualmachineinstances", paths)
        self.assertTrue(any("labelSelector=app%3Dweb" in r and "/services" in r
                            for r in self.api.requests))
        self.assertTrue(any(r.startswith("GET /api/v1/namespaces?") and
                            "fieldSelector=metadata.name%3Dshop" in r
                            for r in self.api.requests))

    def test_pods_are_watched_with_verified_only(self):
        pod_requests = lambda: [r for r in self.api.requests if "/pods" in r]  # noqa: E731
        server = self.serve("--pods", "insecure", "--autopath")
        self.synced(server)
        self.wait_answer(server, "10-1-2-3.shop.pod.cluster.local", ["10.1.2.3"])
        self.assertEqual(pod_requests(), [])
        self.assertIn("--pods insecure: Pods are not watched", server.log())
        self.assertIn("--autopath and --expand-short-names know VMI guests only", server.log())
        verified = self.serve("--pods", "verified")
        self.synced(verified)
        self.assertTrue(wait_for(lambda: any(r.startswith("GET /api/v1/pods?")
                                             for r in pod_requests())), self.api.requests)

    def test_unanswering_api_without_state_dir(self):
        self.api.hang()
        server = self.serve()
        # Not synced: what would be NXDOMAIN is SERVFAIL, never a false "does not exist".
        reply = server.dig(MYVMI)
        self.assertEqual(reply.status, "SERVFAIL")
        self.assertEqual(server.dig("cluster.local", "SOA").status, "NOERROR")
        # The same for a reverse name under the default fallthrough: it may be a cluster IP
        # not yet listed, so it is neither denied nor asked upstream.
        self.assertEqual(server.dig("8.8.8.8.in-addr.arpa", "PTR").status, "SERVFAIL")
        self.api.hang(False)
        self.synced(server)

    def test_unanswering_api_with_state_dir(self):
        state_dir = os.path.join(self.dir, "state")
        first = self.serve("--state-dir", state_dir)
        self.synced(first)
        self.assertTrue(wait_for(lambda: os.path.exists(os.path.join(state_dir, "state.json"))))
        first.stop()
        self.api.hang()
        second = self.serve("--state-dir", state_dir)
        # Served at once from the state directory, and NXDOMAIN is trusted again.
        self.assertEqual(second.dig(MYVMI).rdatas("A"), ["10.244.0.57"])
        self.assertEqual(second.dig("nosuchvm.mysubdomain.default.svc.cluster.local").status,
                         "NXDOMAIN")
        self.assertIn("STALE until the API server answers", second.log())
        self.move_vmi("10.244.0.44")
        self.api.hang(False)
        self.wait_answer(second, MYVMI, ["10.244.0.44"])

    def test_bad_kubeconfig_is_a_clear_error(self):
        from vmdns_harness import run_vmdns
        path = os.path.join(self.dir, "insecure")
        with open(path, "w") as f:
            f.write("current-context: x\ncontexts: [{name: x, context: {cluster: c}}]\n"
                    "clusters: [{name: c, cluster: {server: 'https://127.0.0.1:1', "
                    "insecure-skip-tls-verify: true}}]\n")
        result = run_vmdns("serve", "--kubeconfig", path, "--no-upstream")
        self.assertEqual(result.returncode, 2)
        self.assertIn("clusters[0] \"c\": cluster.insecure-skip-tls-verify is not supported",
                      result.stderr)

    def test_tls_is_verified(self):
        # A kubeconfig whose CA did not sign the server's certificate: no data, ever.
        other = tempfile.mkdtemp(prefix="vmdns-otherca-", dir=self.dir)
        impostor = FakeKubeApi(other).start()
        try:
            impostor.url = self.api.url
            self.kubeconfig = impostor.write_kubeconfig()
            server = self.serve()
            self.assertTrue(wait_for(lambda: "cannot list" in server.log()), server.log())
            self.assertEqual(server.dig(MYVMI).status, "SERVFAIL")
            self.assertEqual(self.api.requests, [])
        finally:
            impostor.stop()


if __name__ == "__main__":
    unittest.main()
