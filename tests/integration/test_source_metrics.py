"""The sources' metrics after known events, read from /metrics of the built binary:

- vmdns_source_errors_total{source=<file>,kind="manifest"} counts each error of a manifest file
  every time it is read (a bad object, then a file that does not parse); a good file counts
  nothing; a -f path that goes missing counts once;
- vmdns_source_errors_total{source=<collection>,kind="watch"} counts a watch stream with garbage
  in it (fake API server);
- coredns_kubernetes_dns_programming_duration_seconds observes an EndpointSlice change whose
  endpoints.kubernetes.io/last-change-trigger-time is after the start, once, by service_kind
  (cluster_ip for web.shop, headless_with_selector for the KubeVirt page's Service); the
  slices listed at start, changed days ago, are not observed;
- promtool check metrics accepts the output with these series.
"""

import datetime
import os
import shutil
import subprocess
import tempfile
import unittest

from fake_kube_api import FakeKubeApi, load_objects
from test_ops import OpsServer, parse_metrics, value
from vmdns_harness import FIXTURES, require_tools, wait_for

CLUSTER = os.path.join(FIXTURES, "kube", "cluster.json")
MYVMI = "myvmi.mysubdomain.default.svc.cluster.local"
GOOD = """apiVersion: v1
kind: Service
metadata: {name: web, namespace: shop}
spec: {clusterIP: 10.96.0.20}
"""
BAD_OBJECT = """apiVersion: kubevirt.io/v1
kind: VirtualMachineInstance
metadata: {name: x}
spec: {hostname: my_vm}
"""


def promtool_check(test, text):
    require_tools("promtool")  # last in its tests: the counts were checked before a skip
    out = subprocess.run(["promtool", "check", "metrics"], input=text, text=True,
                         capture_output=True, timeout=30)
    test.assertEqual(out.returncode, 0, out.stdout + out.stderr)


class ManifestErrorsTest(unittest.TestCase):
    def setUp(self):
        require_tools("dig")
        self.dir = tempfile.mkdtemp(prefix="vmdns-source-metrics-")

    def tearDown(self):
        shutil.rmtree(self.dir, ignore_errors=True)

    def write(self, name, text):
        with open(os.path.join(self.dir, name), "w") as f:
            f.write(text)
        return os.path.join(self.dir, name)

    def test_manifest_errors_by_file(self):
        good = self.write("good.yaml", GOOD)
        bad = self.write("bad.yaml", BAD_OBJECT)
        missing = os.path.join(self.dir, "later.yaml")
        server = OpsServer([self.dir, missing])
        try:
            def errors(source):
                return value(parse_metrics(server.metrics()), "vmdns_source_errors_total",
                             source=source, kind="manifest")
            self.assertEqual(errors(bad), 1)
            self.assertEqual(errors(good), 0)
            self.assertEqual(errors(missing), 1)
            self.write("bad.yaml", "kind: [unclosed\n")  # no longer parses: one more error
            self.assertTrue(wait_for(lambda: errors(bad) == 2), server.metrics())
            self.write("bad.yaml", GOOD.replace("web", "db"))  # fixed: nothing more
            self.assertTrue(wait_for(lambda:
                                     server.dig("db.shop.svc.cluster.local").status == "NOERROR"))
            self.assertEqual(errors(bad), 2)
            self.assertEqual(errors(missing), 1)
            promtool_check(self, server.metrics())
        finally:
            server.stop()


class ApiMetricsTest(unittest.TestCase):
    def setUp(self):
        require_tools("dig", "openssl")
        self.dir = tempfile.mkdtemp(prefix="vmdns-source-metrics-api-")
        self.api = FakeKubeApi(self.dir).start()
        self.objects = load_objects(CLUSTER)
        for obj in self.objects:
            self.api.add(obj)
        self.server = OpsServer([], ["--kubeconfig", self.api.write_kubeconfig()])

    def tearDown(self):
        self.server.stop()
        self.api.stop()
        shutil.rmtree(self.dir, ignore_errors=True)

    def samples(self):
        return parse_metrics(self.server.metrics())

    def test_watch_errors_and_programming_duration(self):
        self.assertTrue(wait_for(lambda: self.server.dig(MYVMI).rdatas("A") == ["10.244.0.57"],
                                 10), self.server.log())
        name = "coredns_kubernetes_dns_programming_duration_seconds_count"
        self.assertEqual(value(self.samples(), name), 0)  # the listed slices changed long ago

        now = datetime.datetime.now(datetime.timezone.utc)
        trigger = now.strftime("%Y-%m-%dT%H:%M:%S.%fZ")
        web = next(o for o in self.objects if o["kind"] == "EndpointSlice")
        web["metadata"]["annotations"]["endpoints.kubernetes.io/last-change-trigger-time"] = trigger
        web["endpoints"][0]["addresses"] = ["10.244.1.6"]
        web["endpoints"][0]["hostname"] = "web-0"
        self.api.update(web)
        self.assertTrue(wait_for(lambda: self.server.dig("web-0.web.shop.svc.cluster.local")
                                 .rdatas("A") == ["10.244.1.6"]), self.server.log())
        headless = {
            "apiVersion": "discovery.k8s.io/v1", "kind": "EndpointSlice", "addressType": "IPv4",
            "metadata": {"name": "mysubdomain-x1", "namespace": "default",
                         "labels": {"kubernetes.io/service-name": "mysubdomain"},
                         "annotations": {"endpoints.kubernetes.io/last-change-trigger-time":
                                         trigger}},
            "endpoints": [{"addresses": ["10.244.0.57"], "hostname": "myvmi",
                           "conditions": {"ready": True}}]}
        self.api.add(headless)
        self.assertTrue(wait_for(lambda: value(self.samples(), name,
                                               service_kind="headless_with_selector") == 1))
        samples = self.samples()
        self.assertEqual(value(samples, name, service_kind="cluster_ip"), 1)
        self.assertEqual(value(samples, name), 2)
        seconds = value(samples, "coredns_kubernetes_dns_programming_duration_seconds_sum")
        self.assertGreater(seconds, 0)
        self.assertLess(seconds, 60)
        self.assertEqual(value(samples, "coredns_kubernetes_dns_programming_duration_seconds_bucket",
                               service_kind="cluster_ip", le="+Inf"), 1)

        self.api.garbage()
        self.assertTrue(wait_for(lambda: value(self.samples(), "vmdns_source_errors_total",
                                               kind="watch") >= 1), self.server.log())
        promtool_check(self, self.server.metrics())


if __name__ == "__main__":
    unittest.main()
