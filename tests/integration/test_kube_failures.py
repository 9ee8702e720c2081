"""How vmdns serve meets an API server that refuses, throttles, fails or cuts it off, against
the fake API server (fake_kube_api.py), with dig and /ready.

The behaviour, as the tests check it:
- 429 Too Many Requests with `Retry-After: N`: the same page is asked for again, no sooner
  than N seconds later; a 5xx likewise, after the backoff;
- 403 Forbidden on one kind (RBAC lacks the verb): one error line naming the verb, the
  resource and the scope however often it is retried; /ready is 503 and says why; the other
  kinds serve; once the role allows it, the kind is listed without a restart and /ready is 200;
- 401 after the token was rotated in a way the file's inode, size and time do not show: the
  token file is read again and the watch resumes;
- a list page cut off in the middle of its body is asked for again, and nothing of it is
  used; a watch cut off in the middle of an event resumes from the last whole event;
- the label selector grammar (`in`, `notin`, `!=`, `!key`) is passed to the API as given.
"""

import copy
import shutil
import tempfile
import unittest

from fake_kube_api import FakeKubeApi, load_objects
from test_kube_api import CLUSTER, MYVMI, by_name
from test_ops import OpsServer, http_get
from vmdns_harness import require_tools, wait_for


class KubeFailuresTest(unittest.TestCase):
    def setUp(self):
        require_tools("dig", "openssl")
        self.dir = tempfile.mkdtemp(prefix="vmdns-kube-failures-")
        self.api = FakeKubeApi(self.dir).start()
        self.objects = load_objects(CLUSTER)
        for obj in self.objects:
            self.api.add(obj)
        self.kubeconfig = self.api.write_kubeconfig()
        self.server = None

    def tearDown(self):
        if self.server:
            self.server.stop()
        self.api.stop()
        shutil.rmtree(self.dir, ignore_errors=True)

    def serve(self, *extra):
        self.server = OpsServer([], ["--kubeconfig", self.kubeconfig, *extra])
        return self.server

    def answers(self, name, expected):
        """Waits until `name` answers A `expected` (a list; [] for NXDOMAIN)."""
        seen = []

        def check():
            reply = self.server.dig(name)
            seen[:] = [reply.status, reply.rdatas("A")]
            return seen == (["NOERROR", sorted(expected)] if expected else ["NXDOMAIN", []])
        self.assertTrue(wait_for(check), "%s: last %r\n%s" % (name, seen, self.server.log()))

    def move_vmi(self, ip):
        vmi = by_name(self.objects, "VirtualMachineInstance", "vmi-fedora")
        vmi["status"]["interfaces"][0]["ipAddresses"] = [ip]
        self.api.update(vmi)

    def test_too_many_requests_waits_retry_after(self):
        self.api.throttle(requests=1, retry_after=1)
        server = self.serve()
        self.assertTrue(wait_for(lambda: "in sync with" in server.log()), server.log())
        log = server.log()
        self.assertIn("HTTP 429: TooManyRequests", log)
        self.assertIn("asking for the page again", log)
        # The throttled request and the one that repeated it: no sooner than Retry-After.
        (_, throttled), = self.api.faulted
        first = self.api.requests.index(throttled)
        again = self.api.requests.index(throttled, first + 1)
        self.assertGreaterEqual(
            self.api.request_times[again] - self.api.request_times[first], 1.0)

    def test_server_errors_are_retried(self):
        self.api.fail_requests(requests=3, code=503)
        server = self.serve()
        self.answers(MYVMI, ["10.244.0.57"])
        self.assertIn("HTTP 503: ServiceUnavailable", server.log())

    def test_forbidden_kind(self):
        self.api.forbid("virtualmachineinstances", "list")
        server = self.serve()
        reason = ("forbidden: may not list virtualmachineinstances.kubevirt.io in all "
                  "namespaces (RBAC)")

        def ready():
            return http_get(server.ready_port, "/ready")
        self.assertTrue(wait_for(lambda: reason in ready()[1]), ready())
        self.assertEqual(ready()[0], 503)
        # The other kinds serve; the VMI's name waits for its kind (SERVFAIL, not NXDOMAIN).
        self.answers("web.shop.svc.cluster.local", ["10.96.0.20"])
        self.assertEqual(server.dig(MYVMI).status, "SERVFAIL")
        # Retried with backoff, said once.
        vmi_lists = lambda: len(self.api.lists("virtualmachineinstances"))  # noqa: E731
        self.assertTrue(wait_for(lambda: vmi_lists() >= 3), self.api.requests)
        self.assertEqual(server.log().count("forbidden: may not list"), 1, server.log())
        self.assertIn('needs the verb "list" on "virtualmachineinstances.kubevirt.io"',
                      server.log())
        # The role is fixed: no restart needed.
        self.api.forbid("virtualmachineinstances", "list", on=False)
        self.answers(MYVMI, ["10.244.0.57"])
        self.assertTrue(wait_for(lambda: ready()[0] == 200), ready())
        self.assertIn("VirtualMachineInstance in all namespaces: list allowed again",
                      server.log())

    def test_unauthorized_after_an_unseen_token_rotation(self):
        server = self.serve()
        self.answers(MYVMI, ["10.244.0.57"])
        self.assertTrue(wait_for(lambda: self.api.watchers() == 4))
        self.api.rotate_token_unseen("token-2")
        self.api.drop_watches()
        self.move_vmi("10.244.0.66")
        self.answers(MYVMI, ["10.244.0.66"])
        self.assertIn("HTTP 401: Unauthorized: Unauthorized; the token is read again",
                      server.log())
        self.assertIn("token-2", self.api.tokens_seen)

    def test_a_page_cut_off_is_asked_again(self):
        self.api.drop_mid_page(1)
        server = self.serve("--api-page-size", "1")
        self.answers(MYVMI, ["10.244.0.57"])
        self.answers("web.shop.svc.cluster.local", ["10.96.0.20"])
        # The cut page may be one of a kind the answers above do not need (Namespaces): wait
        # for its second request rather than expect it to have happened already.
        (_, cut), = self.api.faulted
        self.assertTrue(wait_for(lambda: self.api.requests.count(cut) == 2), self.api.requests)
        self.assertTrue(wait_for(lambda: "asking for the page again" in server.log()),
                        server.log())
        self.assertEqual(self.api.requests.count(cut), 2, self.api.requests)

    def test_a_watch_cut_mid_event_resumes(self):
        server = self.serve()
        self.answers(MYVMI, ["10.244.0.57"])
        self.assertTrue(wait_for(lambda: self.api.watchers() == 4))
        self.api.drop_mid_event("virtualmachineinstances")
        self.move_vmi("10.244.0.77")
        self.answers(MYVMI, ["10.244.0.77"])
        self.assertIn("cannot watch VirtualMachineInstance in all namespaces", server.log())
        # Resumed from the last resourceVersion: no new list.
        self.assertEqual(len(self.api.lists("virtualmachineinstances")), 1)

    def test_label_selector_grammar(self):
        web = by_name(self.objects, "Service", "web")
        for name, labels, ip in (("db", {"app": "db"}, "10.96.0.31"),
                                 ("old", {"app": "web", "legacy": "yes"}, "10.96.0.32"),
                                 ("cache", {"app": "web", "tier": "cache"}, "10.96.0.33"),
                                 ("other", {"app": "other"}, "10.96.0.34")):
            service = copy.deepcopy(web)
            service["metadata"]["name"] = name
            service["metadata"]["labels"] = labels
            service["spec"]["clusterIP"] = ip
            service["spec"]["clusterIPs"] = [ip]
            self.api.add(service)
        server = self.serve("--labels", "app in (web, db),!legacy,tier notin (cache)")
        self.answers("db.shop.svc.cluster.local", ["10.96.0.31"])
        self.answers("web.shop.svc.cluster.local", ["10.96.0.20"])
        for name in ("old", "cache", "other"):
            self.assertEqual(server.dig(name + ".shop.svc.cluster.local").status, "NXDOMAIN")


if __name__ == "__main__":
    unittest.main()
