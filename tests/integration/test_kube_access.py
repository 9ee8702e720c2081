"""How vmdns reaches the Kubernetes API: --in-cluster, and a kubeconfig's tls-server-name.

Against the fake API server (fake_kube_api.py), with dig:
- --in-cluster reads KUBERNETES_SERVICE_HOST and KUBERNETES_SERVICE_PORT and the service
  account directory (token, ca.crt, namespace; the directory is a hidden flag so that the test
  can point it at its own), lists and watches, and answers for the cluster's VMIs;
- --in-cluster without the variables, or without a token, is a clear error;
- tls-server-name: the server's certificate is verified against that name rather than the
  URL's host: a name the certificate holds syncs, a name it does not hold never does;
- client certificates: against an API server whose TLS requires one (certificates made with
  openssl at test time), a kubeconfig's client-certificate-data/client-key-data and
  client-certificate/client-key files authenticate with no token; no certificate, or one
  another CA signed, never gets a request through.
"""

import json
import os
import shutil
import tempfile
import unittest

from fake_kube_api import FakeKubeApi, load_objects
from vmdns_harness import FIXTURES, VmdnsServer, require_tools, run_vmdns, wait_for

CLUSTER = os.path.join(FIXTURES, "kube", "cluster.json")
MYVMI = "myvmi.mysubdomain.default.svc.cluster.local"


class KubeAccessTest(unittest.TestCase):
    def setUp(self):
        require_tools("dig", "openssl")
        self.dir = tempfile.mkdtemp(prefix="vmdns-kube-access-")
        self.api = FakeKubeApi(self.dir).start()
        for obj in load_objects(CLUSTER):
            self.api.add(obj)
        self.servers = []
        self.saved_env = dict(os.environ)

    def tearDown(self):
        for server in self.servers:
            server.stop()
        self.api.stop()
        os.environ.clear()
        os.environ.update(self.saved_env)
        shutil.rmtree(self.dir, ignore_errors=True)

    def serve(self, *args):
        server = VmdnsServer([], list(args))
        self.servers.append(server)
        return server

    def wait_synced(self, server):
        self.assertTrue(wait_for(lambda: server.dig(MYVMI).rdatas("A") == ["10.244.0.57"], 10),
                        server.log())

    def test_in_cluster(self):
        # The fake's directory holds what Kubernetes mounts: token and ca.crt; and a namespace.
        with open(os.path.join(self.dir, "namespace"), "w") as f:
            f.write("kube-system\n")
        os.environ["KUBERNETES_SERVICE_HOST"] = "127.0.0.1"
        os.environ["KUBERNETES_SERVICE_PORT"] = str(self.api.port)
        server = self.serve("--in-cluster", "--service-account-dir", self.dir)
        self.wait_synced(server)
        self.assertEqual(server.dig("web.shop.svc.cluster.local").rdatas("A"), ["10.96.0.20"])
        self.assertIn("token-1", self.api.tokens_seen)
        self.assertTrue(any("/apis/kubevirt.io/v1/virtualmachineinstances" in r
                            for r in self.api.requests), self.api.requests)

    def test_in_cluster_errors(self):
        os.environ.pop("KUBERNETES_SERVICE_HOST", None)
        os.environ.pop("KUBERNETES_SERVICE_PORT", None)
        result = run_vmdns("serve", "--in-cluster", "--service-account-dir", self.dir,
                           "--no-upstream")
        self.assertEqual(result.returncode, 2)
        self.assertIn("KUBERNETES_SERVICE_HOST and KUBERNETES_SERVICE_PORT are not set",
                      result.stderr)
        os.environ["KUBERNETES_SERVICE_HOST"] = "127.0.0.1"
        os.environ["KUBERNETES_SERVICE_PORT"] = str(self.api.port)
        empty = tempfile.mkdtemp(dir=self.dir)
        result = run_vmdns("serve", "--in-cluster", "--service-account-dir", empty,
                           "--no-upstream")
        self.assertEqual(result.returncode, 2)
        self.assertIn(os.path.join(empty, "ca.crt"), result.stderr)

    def kubeconfig_with_server_name(self, name):
        path = self.api.write_kubeconfig()
        with open(path) as f:
            config = json.load(f)
        config["clusters"][0]["cluster"]["tls-server-name"] = name
        path = os.path.join(self.dir, "kubeconfig-%d" % len(os.listdir(self.dir)))
        with open(path, "w") as f:
            json.dump(config, f)
        return path

    def test_tls_server_name(self):
        # The fake's certificate names 127.0.0.1 and localhost, not kube-apiserver.test.
        server = self.serve("--kubeconfig", self.kubeconfig_with_server_name("localhost"))
        self.wait_synced(server)

        wrong = self.serve("--kubeconfig",
                           self.kubeconfig_with_server_name("kube-apiserver.test"))
        self.assertTrue(wait_for(lambda: "cannot list" in wrong.log(), 10), wrong.log())
        self.assertIn("kube-apiserver.test", wrong.log())
        self.assertEqual(wrong.dig(MYVMI).status, "SERVFAIL")

    def test_bad_tls_server_name_is_a_clear_error(self):
        path = self.kubeconfig_with_server_name("not a/name")
        result = run_vmdns("serve", "--kubeconfig", path, "--no-upstream")
        self.assertEqual(result.returncode, 2)
        self.assertIn('cluster.tls-server-name "not a/name" is not a host name', result.stderr)


class KubeClientCertificateTest(unittest.TestCase):
    def setUp(self):
        require_tools("dig", "openssl")
        self.dir = tempfile.mkdtemp(prefix="vmdns-kube-cert-")
        self.api = FakeKubeApi(self.dir, client_certificates=True).start()
        for obj in load_objects(CLUSTER):
            self.api.add(obj)
        self.servers = []

    def tearDown(self):
        for server in self.servers:
            server.stop()
        self.api.stop()
        shutil.rmtree(self.dir, ignore_errors=True)

    def serve(self, client_cert, name):
        path = self.api.write_kubeconfig(os.path.join(self.dir, name), token_file=False,
                                         client_cert=client_cert)
        server = VmdnsServer([], ["--kubeconfig", path])
        self.servers.append(server)
        return server

    def test_client_certificate_data_and_files(self):
        for form in ("data", "file"):
            server = self.serve(form, "kubeconfig-" + form)
            self.assertTrue(wait_for(lambda: server.dig(MYVMI).rdatas("A") == ["10.244.0.57"],
                                     10), form + "\n" + server.log())
        self.assertEqual(set(self.api.tokens_seen), {""})  # the certificate alone

    def test_no_certificate_or_another_cas_is_refused(self):
        for form in (None, "impostor"):
            server = self.serve(form, "kubeconfig-%s" % form)
            self.assertTrue(wait_for(lambda: "cannot list" in server.log(), 10), server.log())
            self.assertEqual(server.dig(MYVMI).status, "SERVFAIL")
        self.assertEqual(self.api.requests, [])


if __name__ == "__main__":
    unittest.main()
