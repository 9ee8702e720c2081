"""The API's lists over many pages (--api-page-size), against the fake API server, with dig.

The behaviour, as the tests check it:
- --api-page-size N is the `limit` of every list: 1,600 Namespaces come in pages of 100, each
  page after the first cut from the snapshot the first page was (objects changed meanwhile
  are seen by the watch that follows, from the list's resourceVersion);
- a continue token that expires in the middle of the first list (410 Gone, reason Expired)
  starts the list over from its first page, logged; what the list and the watch then hold is
  exactly the API's state: nothing lost, nothing twice (the objects metric counts them);
- the same in a relist (a watch's resourceVersion expired): while the relist waits for a
  page, the last snapshot keeps answering and /ready stays 200; an object deleted before the
  restart is gone after it.
"""

import shutil
import tempfile
import unittest

from fake_kube_api import FakeKubeApi
from test_ops import OpsServer, http_get, parse_metrics, value
from vmdns_harness import require_tools, wait_for

TEAMS = 1600
PAGE = 100


def namespace(name):
    return {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": name}}


class KubePagesTest(unittest.TestCase):
    def setUp(self):
        require_tools("dig", "openssl")
        self.dir = tempfile.mkdtemp(prefix="vmdns-kube-pages-")
        self.api = FakeKubeApi(self.dir).start()
        for i in range(TEAMS):
            self.api.add(namespace("team-%04d" % i))
        self.kubeconfig = self.api.write_kubeconfig()
        self.server = None

    def tearDown(self):
        self.api.hold_continues(False)
        if self.server:
            self.server.stop()
        self.api.stop()
        shutil.rmtree(self.dir, ignore_errors=True)

    def serve(self):
        self.server = OpsServer([], ["--kubeconfig", self.kubeconfig,
                                     "--api-page-size", str(PAGE)])
        return self.server

    def namespaces_served(self):
        return value(parse_metrics(self.server.metrics()), "vmdns_objects", kind="Namespace")

    def status(self, name):
        return self.server.dig(name + ".svc.cluster.local").status

    def wait_namespaces(self, count):
        self.assertTrue(wait_for(lambda: self.namespaces_served() == count),
                        "%s namespaces served, %d expected\n%s" % (
                            self.namespaces_served(), count, self.server.log()))

    def test_pages_from_one_snapshot_and_an_expired_continue(self):
        self.api.hold_continues()
        server = self.serve()
        # The first page is in; the second waits. What changes now is not in this list.
        self.assertTrue(wait_for(lambda: self.api.held == 1), self.api.requests)
        self.api.delete("Namespace", "", "team-0000")
        self.api.add(namespace("late"))
        self.api.expire_continues(1)
        self.api.hold_continues(False)
        self.assertTrue(wait_for(lambda: "listing again from the start" in server.log()),
                        server.log())
        self.assertIn("listing Namespace: the continue token expired (410 Gone) after %d "
                      "object(s)" % PAGE, server.log())
        self.wait_namespaces(TEAMS)  # team-0000 gone, late added
        self.assertEqual(self.status("late"), "NOERROR")
        self.assertEqual(self.status("team-0000"), "NXDOMAIN")
        self.assertEqual(self.status("team-%04d" % (TEAMS - 1)), "NOERROR")
        pages = self.api.lists("namespaces")
        self.assertTrue(all("limit=%d" % PAGE in r for r in pages), pages)
        # The first page and the expired one, then 16 pages after the restart.
        self.assertEqual(len(pages), TEAMS // PAGE + 2, pages)

        # A relist cut from one snapshot: a deletion after its first page shows neither in
        # its later pages (no object shifts out of them) nor is lost: the watch from the
        # list's resourceVersion brings it.
        self.relist_held(lambda: self.api.add(namespace("later")))
        self.api.delete("Namespace", "", "team-0001")
        self.api.hold_continues(False)
        self.assertTrue(wait_for(lambda: "listed Namespace: %d object(s)" % (TEAMS + 1) in
                                 server.log()), server.log())
        self.wait_namespaces(TEAMS)
        self.assertEqual(self.status("team-0001"), "NXDOMAIN")
        self.assertEqual(self.status("later"), "NOERROR")

    def relist_held(self, change):
        """The watches drop, `change` happens and the history is compacted while the API
        server does not answer: the re-watches get 410 Gone and list again, the Namespaces'
        relist waiting for its second page when this returns."""
        self.assertTrue(wait_for(lambda: self.api.watchers() == 4))
        self.api.hang()
        self.api.drop_watches()
        change()
        self.api.compact()
        self.api.hold_continues()
        self.api.hang(False)
        self.assertTrue(wait_for(lambda: self.api.held == 1), self.api.requests)

    def test_relist_keeps_serving_through_an_expired_continue(self):
        server = self.serve()
        self.wait_namespaces(TEAMS)
        # The watch's resourceVersion expires: a relist, whose second page waits.
        self.relist_held(lambda: self.api.add(namespace("later")))
        # Meanwhile the last snapshot answers, and the server stays ready.
        self.assertEqual(self.status("team-0500"), "NOERROR")
        self.assertEqual(http_get(server.ready_port, "/ready")[0], 200)
        self.api.delete("Namespace", "", "team-0002")  # on the page already passed on
        self.api.delete("Namespace", "", "team-0900")  # on a page not read yet
        # The watch runs beside the relist from its first page: the deletions are served
        # while the list still waits for its second page.
        self.assertTrue(wait_for(lambda: self.status("team-0002") == "NXDOMAIN" and
                                 self.status("team-0900") == "NXDOMAIN"), server.log())
        self.assertEqual(self.api.held, 1)
        self.api.expire_continues(1)
        self.api.hold_continues(False)
        self.assertTrue(wait_for(lambda: "listing again from the start" in server.log()),
                        server.log())
        self.wait_namespaces(TEAMS - 1)
        self.assertEqual(self.status("later"), "NOERROR")
        self.assertEqual(self.status("team-0002"), "NXDOMAIN")
        self.assertEqual(self.status("team-0900"), "NXDOMAIN")
        self.assertEqual(self.status("team-0003"), "NOERROR")
        # The watch told every deletion: the list's end had nothing left to remove.
        self.assertNotIn("no longer listed", server.log())


if __name__ == "__main__":
    unittest.main()
