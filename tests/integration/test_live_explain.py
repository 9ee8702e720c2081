"""vmdns explain and check against a live cluster (the fake API server, fake_kube_api.py).

The behaviour, as the tests check it:
- `explain --kubeconfig K [NAME]` prints byte for byte what `explain -f` prints for the same
  objects given as manifests, with the same exit code: the overview table, a FQDN, a short name
  from a pod's namespace or a VM's guest, `--output json`;
- the classic mistake on a running VM (the label its headless Service selects is on the VM's own
  metadata, so its EndpointSlice is empty): explain names the label and the fix, exit 1; check
  warns at the VirtualMachine, naming its collection's URL, exit 0 (1 with --strict);
- each kind is read with one paginated list (`limit`, then every `continue` token), never a
  watch; Pods with the launcher label only, unless --pods verified;
- `-f` lays planned manifests over the cluster: a new VM gets its names before it exists, a
  changed Service replaces the cluster's and the name resolves;
- a refused token (401), a forbidden list (403), an API server that is gone, and one whose
  certificate the kubeconfig's CA did not sign, a cluster without KubeVirt: exit 2, and a
  message naming the URL, the kind and the status;
- kubectl-vmdns, run as kubectl runs a plugin (its path as argv[0], the arguments as typed,
  the environment kept): the live cluster of $KUBECONFIG (its first file), else
  ~/.kube/config, by default; --kubeconfig and --context; -n completes a short name (default:
  the context's namespace, else default) and scopes check, -A checks every namespace;
  `kubectl vmdns --help` shows its usage; through kubectl itself when it is installed.
"""

import json
import os
import re
import shutil
import subprocess
import tempfile
import unittest

import yaml

from fake_kube_api import FakeKubeApi
from vmdns_harness import EXAMPLES, FIXTURES, VMDNS, require_tools, run_vmdns

MISTAKE = os.path.join(FIXTURES, "live", "label-mistake.yaml")
FQDN = "myvm.mysub.prod.svc.cluster.local"


def manifest_objects(*paths):
    objects = []
    for path in paths:
        with open(path) as f:
            objects += [o for o in yaml.safe_load_all(f) if o]
    return objects


def without_origin(line):
    """A check line without its "<file or URL>[: document n (line l)]: " prefix."""
    return re.sub(r"^.*?: (warning: |error: )", r"\1", line)


class LiveClusterTest(unittest.TestCase):
    def setUp(self):
        require_tools("openssl")
        self.dir = tempfile.mkdtemp(prefix="vmdns-live-")
        self.api = FakeKubeApi(self.dir).start()
        self.manifests = [MISTAKE, os.path.join(EXAMPLES, "kubevirt-dns-page.yaml")]
        for obj in manifest_objects(*self.manifests):
            self.api.add(obj)
        self.kubeconfig = self.api.write_kubeconfig()

    def tearDown(self):
        self.api.stop()
        shutil.rmtree(self.dir, ignore_errors=True)

    def files(self):
        return [arg for path in self.manifests for arg in ("-f", path)]

    def assert_same(self, command, *args):
        """`vmdns command -f FILES args` and `vmdns command --kubeconfig K args` agree."""
        from_files = run_vmdns(command, *self.files(), *args)
        live = run_vmdns(command, "--kubeconfig", self.kubeconfig, *args)
        self.assertEqual(live.stdout, from_files.stdout, args)
        self.assertEqual(live.returncode, from_files.returncode, live.stderr)
        return live

    def test_explain_is_the_same_as_on_manifests(self):
        cases = [
            ((), 0),
            (("--output", "json"), 0),
            ((FQDN,), 1),
            ((FQDN, "--output", "json"), 1),
            (("myvm.mysub", "--namespace", "prod"), 1),
            (("myvm.mysub", "--from-vmi", "myvm"), 1),
            (("myvmi.mysubdomain.default.svc.cluster.local",), 0),
            (("myvmi.mysubdomain", "--from-vmi", "vmi-fedora"), 0),
        ]
        for args, code in cases:
            with self.subTest(args=args):
                out = self.assert_same("explain", *args)
                self.assertEqual(out.returncode, code, out.stdout + out.stderr)

    def test_the_classic_label_mistake(self):
        out = run_vmdns("explain", "--kubeconfig", self.kubeconfig, FQDN)
        self.assertEqual(out.returncode, 1, out.stderr)
        self.assertEqual(
            out.stdout,
            FQDN + ": does not resolve\n"
            "  selector: Service prod/mysub selects expose=web; the VMI of VirtualMachine "
            "prod/myvm lacks expose=web (on the VM's own metadata.labels, which KubeVirt does "
            "not copy)\n"
            "  fix: move label expose=web from metadata.labels to spec.template.metadata.labels\n")

    def test_check_is_the_same_as_on_manifests_but_for_origins(self):
        for strict in ((), ("--strict",)):
            with self.subTest(strict=strict):
                from_files = run_vmdns("check", *self.files(), *strict)
                live = run_vmdns("check", "--kubeconfig", self.kubeconfig, *strict)
                self.assertEqual(live.returncode, from_files.returncode, live.stdout)
                self.assertEqual(live.returncode, 1 if strict else 0, live.stdout)
                lines = live.stdout.splitlines()
                self.assertEqual([without_origin(l) for l in lines[:-1]],
                                 [without_origin(l) for l in from_files.stdout.splitlines()[:-1]])
                self.assertEqual(lines[0], self.api.url + "/apis/kubevirt.io/v1/virtualmachines: "
                                 "warning: VirtualMachine prod/myvm: metadata.labels expose=web "
                                 "is needed by Service prod/mysub's selector, but KubeVirt "
                                 "copies only spec.template.metadata.labels to the VMI: move it "
                                 "to spec.template.metadata.labels")
                self.assertEqual(lines[-1], "checked %s: 8 object(s), 0 skipped, 0 error(s), "
                                 "1 warning(s)" % self.api.url)
                self.assertEqual(from_files.stdout.splitlines()[-1],
                                 "checked 2 file(s): 8 object(s), 0 skipped, 0 error(s), "
                                 "1 warning(s)")

    def test_one_paginated_list_per_kind_and_no_watch(self):
        for i in range(1001):  # three pages of 500
            self.api.add({"kind": "Service", "apiVersion": "v1",
                          "metadata": {"name": "bulk-%04d" % i, "namespace": "bulk"},
                          "spec": {"clusterIP": "None", "selector": {"app": "bulk"}}})
        out = run_vmdns("explain", "--kubeconfig", self.kubeconfig, FQDN)
        self.assertEqual(out.returncode, 1, out.stderr)
        requests = [r.split("?")[0] + "?" + "&".join(
            sorted(p.split("=")[0] for p in r.split("?")[1].split("&")))
            for r in self.api.requests]
        self.assertEqual(sorted(requests), sorted([
            "GET /api/v1/namespaces?limit",
            "GET /api/v1/services?limit",
            "GET /api/v1/services?continue&limit",
            "GET /api/v1/services?continue&limit",
            "GET /apis/discovery.k8s.io/v1/endpointslices?limit",
            "GET /apis/kubevirt.io/v1/virtualmachineinstances?limit",
            "GET /apis/kubevirt.io/v1/virtualmachines?limit",
            "GET /api/v1/pods?labelSelector&limit",
        ]))
        self.assertIn("GET /api/v1/pods?labelSelector=kubevirt.io%3Dvirt-launcher&limit=500",
                      self.api.requests)
        check = run_vmdns("check", "--kubeconfig", self.kubeconfig)
        self.assertIn(": 1009 object(s), ", check.stdout)

    def test_pods_verified_lists_every_pod(self):
        run_vmdns("explain", "--kubeconfig", self.kubeconfig, "--pods", "verified")
        self.assertIn("GET /api/v1/pods?limit=500", self.api.requests)

    def test_planned_manifests_over_the_cluster(self):
        new_vm = os.path.join(self.dir, "new-vm.yaml")
        with open(new_vm, "w") as f:
            f.write("apiVersion: kubevirt.io/v1\nkind: VirtualMachine\nmetadata:\n"
                    "  name: newvm\n  namespace: prod\nspec:\n  runStrategy: Always\n"
                    "  template:\n    metadata:\n      labels: {expose: web}\n"
                    "    spec:\n      subdomain: mysub\n")
        fixed_service = os.path.join(self.dir, "service.yaml")
        with open(fixed_service, "w") as f:
            f.write("apiVersion: v1\nkind: Service\nmetadata:\n  name: mysub\n"
                    "  namespace: prod\nspec:\n  clusterIP: None\n  selector: {app: myvm}\n")
        cases = [
            # (files, NAME, exit code, the first line of the answer)
            ([new_vm], "newvm.mysub.prod.svc.cluster.local", 1,
             "newvm.mysub.prod.svc.cluster.local: does not resolve"),
            ([fixed_service], FQDN, 0, FQDN + ": resolves to A 10.244.1.23"),
            ([], FQDN, 1, FQDN + ": does not resolve"),
        ]
        for files, name, code, first in cases:
            with self.subTest(files=files, name=name):
                args = [a for path in files for a in ("-f", path)]
                out = run_vmdns("explain", "--kubeconfig", self.kubeconfig, *args, name)
                self.assertEqual(out.returncode, code, out.stdout + out.stderr)
                self.assertEqual(out.stdout.splitlines()[0], first)
        out = run_vmdns("explain", "--kubeconfig", self.kubeconfig, "-f", new_vm,
                        "newvm.mysub.prod.svc.cluster.local")
        self.assertIn("  address: VirtualMachine prod/newvm will start (runStrategy Always), "
                      "no IP until it runs\n", out.stdout)
        table = run_vmdns("explain", "--kubeconfig", self.kubeconfig, "-f", new_vm,
                          "--output", "json")
        workloads = {w["object"]: w for w in json.loads(table.stdout)["workloads"]}
        self.assertIn("newvm.mysub.prod.svc.cluster.local.",
                      workloads["VirtualMachine prod/newvm"]["names"])
        self.assertIn("VirtualMachine prod/myvm", workloads)  # the cluster's, still there

    def test_failures_name_the_url_the_kind_and_the_status(self):
        url = self.api.url + "/api/v1/namespaces?limit=500"
        forbidden = json.dumps({"kind": "Status", "apiVersion": "v1", "status": "Failure",
                                "reason": "Forbidden", "code": 403,
                                "message": "namespaces is forbidden: User \"dev\" cannot list "
                                           "resource \"namespaces\""}).encode()

        def no_token():
            return self.api.write_kubeconfig(os.path.join(self.dir, "no-token"),
                                             token_file=False)

        def forbidden_list():
            self.api.answer_with(403, forbidden)

        def gone():
            self.api.stop()

        def impostor():
            other = FakeKubeApi(tempfile.mkdtemp(prefix="vmdns-otherca-", dir=self.dir))
            other.url = self.api.url
            return other.write_kubeconfig()

        def no_kubevirt():
            self.api.unserved.update({"virtualmachineinstances", "virtualmachines"})

        cases = [
            ("KubeVirt not installed", no_kubevirt, None,
             "error: cannot list VirtualMachineInstances at " + self.api.url +
             "/apis/kubevirt.io/v1/virtualmachineinstances?limit=500: HTTP 404: NotFound: the "
             "server could not find the requested resource (is KubeVirt installed?)\n"),
            ("401", None, no_token,
             "error: cannot list Namespaces at " + url + ": HTTP 401: Unauthorized: "
             "Unauthorized\n"),
            ("403", forbidden_list, None,
             "error: cannot list Namespaces at " + url + ": HTTP 403: Forbidden: namespaces is "
             "forbidden: User \"dev\" cannot list resource \"namespaces\"\n"),
            ("TLS", None, impostor, "error: cannot list Namespaces at " + url + ": "),
            ("unreachable", gone, None, "error: cannot list Namespaces at " + url + ": "),
        ]
        for what, break_it, kubeconfig, message in cases:
            with self.subTest(what):
                config = kubeconfig() if kubeconfig else self.kubeconfig
                if break_it:
                    break_it()
                for command in (["explain", FQDN], ["check"]):
                    out = run_vmdns(*command, "--kubeconfig", config)
                    self.assertEqual(out.returncode, 2, out.stdout + out.stderr)
                    self.assertEqual(out.stdout, "")
                    self.assertTrue(out.stderr.startswith(message), out.stderr)
                self.api.answer_with(None)
                self.api.unserved.clear()

    def test_no_source_is_a_usage_error(self):
        for command in (["explain"], ["check"]):
            out = run_vmdns(*command)
            self.assertEqual(out.returncode, 2)
            self.assertIn("give -f FILE, --kubeconfig FILE or --in-cluster", out.stderr)


PLUGIN = os.path.join(os.path.dirname(os.path.abspath(VMDNS)), "kubectl-vmdns")


class KubectlPluginTest(unittest.TestCase):
    def setUp(self):
        require_tools("openssl")
        self.dir = tempfile.mkdtemp(prefix="vmdns-plugin-")
        self.api = FakeKubeApi(self.dir).start()
        for obj in manifest_objects(MISTAKE, os.path.join(EXAMPLES, "kubevirt-dns-page.yaml")):
            self.api.add(obj)
        # Two contexts on the one cluster: "fake" (current, no namespace) and "prod".
        self.kubeconfig = self.api.write_kubeconfig()
        with open(self.kubeconfig) as f:
            config = json.load(f)
        config["contexts"].append({"name": "prod", "context": {"cluster": "fake", "user": "vmdns",
                                                               "namespace": "prod"}})
        with open(self.kubeconfig, "w") as f:
            json.dump(config, f)
        self.home = os.path.join(self.dir, "home")
        os.makedirs(self.home)

    def tearDown(self):
        self.api.stop()
        shutil.rmtree(self.dir, ignore_errors=True)

    def plugin(self, *args, kubeconfig_env=True, path=None):
        """kubectl-vmdns run as kubectl runs it: its path as argv[0], the arguments as typed."""
        env = {k: v for k, v in os.environ.items() if k != "KUBECONFIG"}
        env["HOME"] = self.home
        if kubeconfig_env:
            env["KUBECONFIG"] = self.kubeconfig if kubeconfig_env is True else kubeconfig_env
        if path:
            env["PATH"] = path
            return subprocess.run(["kubectl", "vmdns", *args], capture_output=True, text=True,
                                  env=env, timeout=60)
        return subprocess.run([PLUGIN, *args], capture_output=True, text=True, env=env,
                              timeout=60)

    def test_it_is_installed_beside_vmdns(self):
        self.assertTrue(os.path.islink(PLUGIN))
        self.assertEqual(os.readlink(PLUGIN), "vmdns")

    def test_explain_is_vmdns_explain_on_the_current_context(self):
        vmdns = run_vmdns("explain", "--kubeconfig", self.kubeconfig, "myvm.mysub",
                          "--namespace", "prod")
        cases = [
            # (plugin arguments, why)
            (("explain", "myvm.mysub", "-n", "prod"), "-n"),
            (("explain", "myvm.mysub", "--namespace", "prod"), "--namespace"),
            (("explain", "myvm.mysub", "--context", "prod"), "the context's namespace"),
            (("explain", "--context=prod", "myvm.mysub"), "flags before NAME"),
        ]
        for args, why in cases:
            with self.subTest(why):
                out = self.plugin(*args)
                self.assertEqual(out.returncode, 1, out.stderr)
                self.assertEqual(out.stdout, vmdns.stdout)
        self.assertIn("  selector: Service prod/mysub selects expose=web; the VMI of "
                      "VirtualMachine prod/myvm lacks expose=web", vmdns.stdout)

    def test_the_namespace_defaults_to_default(self):
        out = self.plugin("explain", "myvmi.mysubdomain")
        self.assertEqual(out.returncode, 0, out.stdout + out.stderr)
        self.assertTrue(out.stdout.startswith(
            "myvmi.mysubdomain: resolves to A 10.244.0.57 (as "
            "myvmi.mysubdomain.default.svc.cluster.local.)\n"
            "  tried from a pod in namespace default (ndots 5):\n"), out.stdout)

    def test_where_the_kubeconfig_comes_from(self):
        elsewhere = os.path.join(self.dir, "elsewhere")
        os.makedirs(os.path.join(self.home, ".kube"))
        shutil.copy(self.kubeconfig, os.path.join(self.home, ".kube", "config"))
        shutil.copy(self.api.token_file, os.path.join(self.home, ".kube", "token"))
        cases = [
            ("$KUBECONFIG", dict(kubeconfig_env=True), ()),
            ("$KUBECONFIG's first file", dict(kubeconfig_env=self.kubeconfig + ":" + elsewhere),
             ()),
            ("~/.kube/config", dict(kubeconfig_env=False), ()),
            ("--kubeconfig over $KUBECONFIG", dict(kubeconfig_env=elsewhere),
             ("--kubeconfig", self.kubeconfig)),
        ]
        for why, env, flags in cases:
            with self.subTest(why):
                out = self.plugin("explain", "myvm.mysub", "-n", "prod", *flags, **env)
                self.assertEqual(out.returncode, 1, out.stderr)
                self.assertTrue(out.stdout.startswith("myvm.mysub: does not resolve\n"))
        out = self.plugin("explain", "myvm.mysub", kubeconfig_env=elsewhere)
        self.assertEqual(out.returncode, 2)
        self.assertIn(elsewhere, out.stderr)

    def test_check_takes_kubectls_namespace_flags(self):
        warning = ("warning: VirtualMachine prod/myvm: metadata.labels expose=web is needed by "
                   "Service prod/mysub's selector")
        cases = [
            # (plugin arguments, namespaced collection, summary)
            ((), "/namespaces/default/virtualmachines", "namespace default: 2 object(s)"),
            (("-n", "prod"), "/namespaces/prod/virtualmachines", "namespace prod: 5 object(s)"),
            (("--context", "prod"), "/namespaces/prod/virtualmachines",
             "namespace prod: 5 object(s)"),
            (("-A",), "/apis/kubevirt.io/v1/virtualmachines?", ": 8 object(s)"),
        ]
        for args, collection, summary in cases:
            with self.subTest(args=args):
                del self.api.requests[:]
                out = self.plugin("check", *args)
                self.assertEqual(out.returncode, 0, out.stdout + out.stderr)
                self.assertIn(summary, out.stdout.splitlines()[-1])
                self.assertTrue(any(collection in r for r in self.api.requests),
                                self.api.requests)
                self.assertEqual(warning in out.stdout, "prod" in summary or "-A" in args,
                                 out.stdout)
        self.assertEqual(self.plugin("check", "-n", "prod", "--strict").returncode, 1)

    def test_help(self):
        for args in (("--help",), ("explain", "--help"), ("check", "--help")):
            with self.subTest(args=args):
                out = self.plugin(*args)
                self.assertEqual(out.returncode, 0, out.stderr)
                self.assertIn("Usage: kubectl vmdns", out.stdout)
        out = self.plugin("--help")
        self.assertIn("explain", out.stdout)
        self.assertNotIn("serve", out.stdout)  # the plugin is explain and check only

    def test_through_kubectl(self):
        require_tools("kubectl")
        path = os.path.dirname(PLUGIN) + ":" + os.environ.get("PATH", "")
        through = self.plugin("explain", "myvm.mysub", "-n", "prod", path=path)
        direct = self.plugin("explain", "myvm.mysub", "-n", "prod")
        self.assertEqual(through.returncode, 1, through.stderr)
        self.assertEqual(through.stdout, direct.stdout)


if __name__ == "__main__":
    unittest.main()
