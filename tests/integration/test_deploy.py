"""deploy/ as kubelet runs it: every workload manifest in deploy/ that starts vmdns, run as a pod.

The manifests are read, not copied: every Deployment, DaemonSet, StatefulSet, ReplicaSet, Job,
CronJob or Pod in deploy/*.yaml whose container runs the image built by deploy/Dockerfile and
whose command (the container's, else the Dockerfile's ENTRYPOINT and CMD) is the path the
Dockerfile copies vmdns to. That path is our build/vmdns, bind-mounted there. Each pod:

- its own network namespace with an address from 198.18.0.0/15, on a veth whose host side is
  the node: the fake Kubernetes API server (fake_kube_api.py, TLS, seeded with
  fixtures/kube/cluster.json) and Knot DNS (the node's resolver, serving a reverse zone for an
  address outside the cluster) listen there;
- its own mount namespace (pod_sandbox.py): the volumes as empty directories (emptyDir),
  the service account (token, ca.crt, namespace) at /var/run/secrets/kubernetes.io/
  serviceaccount, the node's resolv.conf at /etc/resolv.conf (dnsPolicy: Default), the rest
  read-only (readOnlyRootFilesystem);
- the container's env (`fieldRef`s filled in: status.podIP is the pod's address), with
  KUBERNETES_SERVICE_HOST/PORT naming the API server; `$(VAR)` in command and args expanded
  from it as kubelet does;
- runAsUser (and the image's group), only the capabilities the securityContext leaves
  (capabilities drop/add), no_new_privs for allowPrivilegeEscalation: false. The process gets
  them as ambient capabilities: under no_new_privs the kernel grants no file capability (the
  Dockerfile's setcap) at exec, so what lets a non-root container bind port 53 is the runtime
  (the capabilities it gives the process, or net.ipv4.ip_unprivileged_port_start in the pod's
  network namespace), and the ambient set stands in for it.

The one argument the test adds: `--allow-forward 198.18.0.0/15`. In a cluster, vmdns's clients
are pods and nodes on private addresses, which the default list admits; here they are on the
test network, which it does not.

Then, from the node (outside the pod's namespaces), as kubelet and Prometheus would:
- the readiness and liveness probes exactly as declared (httpGet path and port, a named port
  looked up in the container's ports), on events rather than kubelet's schedule, so that no
  check depends on how fast the node is: the liveness probe passes from the moment its port
  accepts a connection, before the pod is ready (so that kubelet, whatever its
  initialDelaySeconds, never restarts a pod still loading), and on every later probe; the
  readiness probe is asked again until it passes (kubelet only keeps an unready pod out of
  the Service's endpoints); a failed liveness probe or an exited container fails the test;
- /metrics on the declared `metrics` port, and at the port the selecting Services' prometheus.io
  annotations name; each Service's target ports are declared ports;
- DNS on every other declared port, over its protocol: the seed's VMI name (A), the PTR of its
  address (inside the cluster), and the PTR of an address outside the cluster, which vmdns
  forwards to the node's resolver.

Needs root, `ip netns`, unshare, nsenter, setpriv, knotd and dig; skipped without them, failed
under CI=true.
"""

import glob
import ipaddress
import json
import os
import re
import secrets
import shutil
import signal
import subprocess
import tempfile
import unittest
import urllib.error
import urllib.request

import yaml

from fake_kube_api import FakeKubeApi, load_objects
from vmdns_harness import FIXTURES, SOURCE_DIR, VMDNS, parse_dig, unavailable, wait_for

DEPLOY = os.path.join(SOURCE_DIR, "deploy")
CLUSTER = os.path.join(FIXTURES, "kube", "cluster.json")
SANDBOX = os.path.join(os.path.dirname(os.path.abspath(__file__)), "pod_sandbox.py")
SERVICE_ACCOUNT_DIR = "/var/run/secrets/kubernetes.io/serviceaccount"
TEST_NETWORK = "198.18.0.0/15"
# An address outside the cluster and the name the node's resolver has for it.
OUTSIDE_ADDRESS = "192.0.2.10"
OUTSIDE_NAME = "outside.example.test."
WORKLOAD_KINDS = ("Deployment", "DaemonSet", "StatefulSet", "ReplicaSet", "Job", "CronJob", "Pod")
# containerd's and CRI-O's default capabilities, before a securityContext's drop and add.
RUNTIME_CAPS = {"CHOWN", "DAC_OVERRIDE", "FSETID", "FOWNER", "MKNOD", "NET_RAW", "SETGID",
                "SETUID", "SETFCAP", "SETPCAP", "NET_BIND_SERVICE", "SYS_CHROOT", "KILL",
                "AUDIT_WRITE"}
# <linux/capability.h>
CAP_BITS = {"CHOWN": 0, "DAC_OVERRIDE": 1, "DAC_READ_SEARCH": 2, "FOWNER": 3, "FSETID": 4,
            "KILL": 5, "SETGID": 6, "SETUID": 7, "SETPCAP": 8, "NET_BIND_SERVICE": 10,
            "NET_BROADCAST": 11, "NET_ADMIN": 12, "NET_RAW": 13, "SYS_CHROOT": 18,
            "SYS_PTRACE": 19, "SYS_ADMIN": 21, "MKNOD": 27, "AUDIT_WRITE": 29, "SETFCAP": 31}


def missing_requirements():
    tools = ("ip", "unshare", "nsenter", "setpriv", "knotd", "dig", "openssl", "mount")
    missing = [t for t in tools if shutil.which(t) is None]
    if missing:
        return "missing tools: " + ", ".join(missing)
    if os.geteuid() != 0:
        return "network and mount namespaces need root"
    return None


# --- reading deploy/ ---------------------------------------------------------------------------

class Image:
    """What deploy/Dockerfile's final stage says about the image it builds."""

    def __init__(self, path):
        entrypoint, cmd, user, binary = [], [], "0", None
        with open(path) as f:
            text = f.read().replace("\\\n", " ")
        for line in text.splitlines():
            words = line.split(None, 1)
            if not words:
                continue
            instruction, rest = words[0].upper(), (words[1] if len(words) > 1 else "")
            if instruction == "FROM":  # only the last stage is the image
                entrypoint, cmd, user, binary = [], [], "0", None
            elif instruction == "ENTRYPOINT":
                entrypoint = json.loads(rest)
            elif instruction == "CMD":
                cmd = json.loads(rest)
            elif instruction == "USER":
                user = rest.strip()
            elif instruction == "COPY" and re.search(r"--from=\S+\s+\S*/vmdns\s", rest + " "):
                binary = rest.split()[-1]
        self.entrypoint, self.cmd, self.binary = entrypoint, cmd, binary
        uid, _, gid = user.partition(":")
        self.uid, self.gid = int(uid), int(gid or uid)


def pod_templates(document):
    kind = document.get("kind")
    if kind == "Pod":
        return [document]
    if kind == "CronJob":
        return [document["spec"]["jobTemplate"]["spec"]["template"]]
    if kind in WORKLOAD_KINDS:
        return [document["spec"]["template"]]
    return []


def manifests():
    documents = []
    for path in sorted(glob.glob(os.path.join(DEPLOY, "*.yaml")) +
                       glob.glob(os.path.join(DEPLOY, "*.yml"))):
        with open(path) as f:
            documents += [(os.path.basename(path), d) for d in yaml.safe_load_all(f) if d]
    return documents


def vmdns_workloads(image):
    """(file, workload document, pod template, container) for each container that starts
    vmdns from the image deploy/Dockerfile builds."""
    found = []
    for name, document in manifests():
        for template in pod_templates(document):
            for container in template["spec"].get("containers", []):
                repository = container.get("image", "").split("@")[0].rsplit(":", 1)[0]
                if repository.rsplit("/", 1)[-1] != "vmdns":
                    continue
                command = container.get("command") or image.entrypoint
                if command[:1] == [image.binary]:
                    found.append((name, document, template, container))
    return found


def expand(text, env):
    """kubelet's $(VAR) expansion: a variable the container defines is replaced, $$ is $."""
    return re.sub(r"\$\$|\$\(([A-Za-z_][A-Za-z0-9_]*)\)",
                  lambda m: "$" if m.group(0) == "$$" else env.get(m.group(1), m.group(0)),
                  text)


def selects(selector, labels):
    return bool(selector) and all(labels.get(k) == v for k, v in selector.items())


# --- the node --------------------------------------------------------------------------------

def run(*args, check=True):
    return subprocess.run(args, capture_output=True, text=True, timeout=60, check=check)


def free_subnet():
    """A /24 of 198.19.0.0/16 that no address or route on this machine uses."""
    used = run("ip", "-4", "-o", "addr").stdout + run("ip", "-4", "route").stdout
    for _ in range(100):
        subnet = "198.19.%d." % secrets.randbelow(256)
        if subnet not in used:
            return subnet
    raise RuntimeError("no free /24 in 198.19.0.0/16")


class NodeKnot:
    """knotd on the node's address, port 53: the resolver the node's resolv.conf names."""

    def __init__(self, address, directory):
        zone = ipaddress.ip_address(OUTSIDE_ADDRESS).reverse_pointer.split(".", 1)[1]
        self.zone = zone
        d = directory
        with open(os.path.join(d, "outside.zone"), "w") as f:
            f.write("$ORIGIN %s.\n$TTL 300\n@ SOA ns.example.test. hostmaster.example.test. "
                    "1 3600 600 86400 300\n@ NS ns.example.test.\n%s PTR %s\n"
                    % (zone, OUTSIDE_ADDRESS.rsplit(".", 1)[1], OUTSIDE_NAME))
        conf = os.path.join(d, "knot.conf")
        with open(conf, "w") as f:
            f.write(f"server:\n    listen: {address}@53\n    rundir: {d}\n"
                    f"database:\n    storage: {d}\n"
                    "log:\n  - target: stderr\n    any: warning\n"
                    f"zone:\n  - domain: {zone}\n    file: {d}/outside.zone\n    storage: {d}\n"
                    "    journal-content: none\n    zonefile-sync: -1\n")
        self.log = open(os.path.join(d, "knot.log"), "w+")
        self.proc = subprocess.Popen(["knotd", "-c", conf], stdout=self.log, stderr=self.log)
        if not wait_for(lambda: OUTSIDE_NAME in dig(address, 53, "-x", OUTSIDE_ADDRESS).raw,
                        timeout=10):
            self.stop()
            raise RuntimeError("knotd did not start on %s:53" % address)

    def stop(self):
        if not hasattr(self, "proc"):
            return
        if self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(timeout=10)
        self.log.close()


def dig(address, port, *question, tcp=False):
    out = subprocess.run(["dig", "@" + address, "-p", str(port), *question, "+noall",
                          "+comments", "+answer", "+authority", "+nocookie", "+time=2",
                          "+tries=3", "+tcp" if tcp else "+notcp"],
                         capture_output=True, text=True, timeout=20)
    return parse_dig(out.stdout + out.stderr)


def http_get(url, timeout):
    """(status, body) as kubelet's httpGet probe sees it; status 0 when nothing answered."""
    request = urllib.request.Request(url, headers={"User-Agent": "kube-probe/1.31"})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status, response.read().decode(errors="replace")
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode(errors="replace")
    except (OSError, urllib.error.URLError) as error:
        return 0, str(error)


# --- the test ------------------------------------------------------------------------------------

class DeployAsKubeletRunsItTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        problem = missing_requirements()
        if problem:
            unavailable(problem)
        tag = secrets.token_hex(3)
        cls.netns = "vmdns-deploy-" + tag
        cls.veth = "vmdnsdep" + tag[:4]
        cls.dir = tempfile.mkdtemp(prefix="vmdns-deploy-")
        cls.addClassCleanup(cls._cleanup)
        subnet = free_subnet()
        cls.node_ip, cls.pod_ip = subnet + "1", subnet + "2"
        run("ip", "netns", "add", cls.netns)
        run("ip", "link", "add", cls.veth, "type", "veth", "peer", "name", "eth0", "netns",
            cls.netns)
        run("ip", "addr", "add", cls.node_ip + "/24", "dev", cls.veth)
        run("ip", "link", "set", cls.veth, "up")
        run("ip", "-n", cls.netns, "addr", "add", cls.pod_ip + "/24", "dev", "eth0")
        run("ip", "-n", cls.netns, "link", "set", "eth0", "up")
        run("ip", "-n", cls.netns, "link", "set", "lo", "up")
        if not wait_for(lambda: run("ip", "netns", "exec", cls.netns, "ping", "-c1", "-W1",
                                    cls.node_ip, check=False).returncode == 0, timeout=10):
            raise RuntimeError("the pod's namespace cannot reach " + cls.node_ip)
        api_dir = os.path.join(cls.dir, "api")
        os.mkdir(api_dir)
        cls.api = FakeKubeApi(api_dir, address=cls.node_ip).start()
        cls.seed = load_objects(CLUSTER)
        for obj in cls.seed:
            cls.api.add(obj)
        knot_dir = os.path.join(cls.dir, "knot")
        os.mkdir(knot_dir)
        cls.knot = NodeKnot(cls.node_ip, knot_dir)
        cls.image = Image(os.path.join(DEPLOY, "Dockerfile"))

    @classmethod
    def _cleanup(cls):
        for name in ("knot", "api"):
            if getattr(cls, name, None) is not None:
                getattr(cls, name).stop()
        run("ip", "link", "del", cls.veth, check=False)
        run("ip", "netns", "del", cls.netns, check=False)
        shutil.rmtree(cls.dir, ignore_errors=True)

    def test_every_vmdns_manifest_runs_as_a_pod(self):
        workloads = vmdns_workloads(self.image)
        self.assertTrue(workloads, "no manifest in deploy/ starts vmdns")
        for name, document, template, container in workloads:
            with self.subTest(manifest=name, kind=document["kind"],
                              workload=document["metadata"]["name"]):
                Pod(self, document, template, container).check()


class Pod:
    """One workload's pod, from its manifest: check() starts it, checks it from the node as
    kubelet and Prometheus would, and stops it."""

    def __init__(self, test, document, template, container):
        self.t = test
        self.document, self.template, self.container = document, template, container
        self.spec = template["spec"]
        self.namespace = document["metadata"].get("namespace", "default")
        self.name = document["metadata"]["name"] + "-" + secrets.token_hex(3)
        self.dir = tempfile.mkdtemp(dir=test.dir, prefix="pod-")
        self.ports = {p["name"]: p for p in container.get("ports", []) if "name" in p}

    # - what kubelet makes of the manifest ------------------------------------------------------

    def env(self):
        api = self.t.api
        env = {"PATH": "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
               "HOSTNAME": self.name, "HOME": "/",
               "KUBERNETES_SERVICE_HOST": api.address,
               "KUBERNETES_SERVICE_PORT": str(api.port),
               "KUBERNETES_SERVICE_PORT_HTTPS": str(api.port),
               "KUBERNETES_PORT": "tcp://%s:%d" % (api.address, api.port)}
        fields = {"status.podIP": self.t.pod_ip, "status.podIPs": self.t.pod_ip,
                  "status.hostIP": self.t.node_ip, "metadata.name": self.name,
                  "metadata.namespace": self.namespace, "spec.nodeName": "node-1",
                  "spec.serviceAccountName": self.spec.get("serviceAccountName", "default")}
        for variable in self.container.get("env", []):
            if "value" in variable:
                env[variable["name"]] = expand(variable["value"], env)
                continue
            path = variable.get("valueFrom", {}).get("fieldRef", {}).get("fieldPath")
            self.t.assertIn(path, fields, "env %s: only fieldRefs are emulated" % variable)
            env[variable["name"]] = fields[path]
        return env

    def argv(self, env):
        image = self.t.image
        if self.container.get("command"):
            argv = self.container["command"] + self.container.get("args", [])
        else:
            argv = image.entrypoint + self.container.get("args", image.cmd)
        argv = [expand(a, env) for a in argv]
        return argv + ["--allow-forward", TEST_NETWORK]

    def mounts(self):
        mounts = [{"source": os.path.abspath(VMDNS), "target": self.t.image.binary,
                   "readonly": True}]
        volumes = {v["name"]: v for v in self.spec.get("volumes", [])}
        for mount in self.container.get("volumeMounts", []):
            volume = volumes[mount["name"]]
            self.t.assertIn("emptyDir", volume, "volume %s: only emptyDir is emulated" % volume)
            self.t.assertNotIn("subPath", mount)
            source = tempfile.mkdtemp(dir=self.dir, prefix="volume-")
            os.chmod(source, 0o777)  # kubelet makes an emptyDir world-writable
            mounts.append({"source": source, "target": mount["mountPath"],
                           "readonly": bool(mount.get("readOnly"))})
        if self.spec.get("automountServiceAccountToken", True):
            account = os.path.join(self.dir, "serviceaccount")
            os.mkdir(account)
            shutil.copy(self.t.api.token_file, os.path.join(account, "token"))
            shutil.copy(self.t.api.certs["ca.crt"], os.path.join(account, "ca.crt"))
            with open(os.path.join(account, "namespace"), "w") as f:
                f.write(self.namespace)
            for entry in os.listdir(account):
                os.chmod(os.path.join(account, entry), 0o644)
            os.chmod(account, 0o755)
            mounts.append({"source": account, "target": SERVICE_ACCOUNT_DIR, "readonly": True})
        # dnsPolicy Default: the node's resolv.conf, whose resolver is Knot on the node.
        self.t.assertEqual(self.spec.get("dnsPolicy"), "Default",
                           "a cluster DNS server must not resolve through itself")
        resolv = os.path.join(self.dir, "resolv.conf")
        with open(resolv, "w") as f:
            f.write("nameserver %s\n" % self.t.node_ip)
        os.chmod(resolv, 0o644)
        mounts.append({"source": resolv, "target": "/etc/resolv.conf", "readonly": False})
        return mounts

    def security(self):
        context = dict(self.spec.get("securityContext", {}))
        context.update(self.container.get("securityContext", {}))
        caps = set(RUNTIME_CAPS)
        dropped = {c.upper() for c in context.get("capabilities", {}).get("drop", [])}
        caps = set() if "ALL" in dropped else caps - dropped
        caps |= {c.upper() for c in context.get("capabilities", {}).get("add", [])}
        uid = context.get("runAsUser", self.t.image.uid)
        gid = context.get("runAsGroup", self.t.image.gid)
        if context.get("runAsNonRoot"):
            self.t.assertNotEqual(uid, 0, "runAsNonRoot with user 0: kubelet would not start it")
        return {"uid": uid, "gid": gid, "caps": sorted(caps),
                "no_new_privs": context.get("allowPrivilegeEscalation") is False,
                "read_only_root": bool(context.get("readOnlyRootFilesystem"))}

    # - running it ------------------------------------------------------------------------------

    def start(self):
        self.t.assertFalse(self.spec.get("hostNetwork"), "a hostNetwork pod is not emulated")
        env = self.env()
        spec = {"scratch": os.path.join(self.dir, "scratch"), "mounts": self.mounts(),
                "setpriv": shutil.which("setpriv"), "argv": self.argv(env), "env": env,
                "cwd": "/", "host_mount_namespace": os.readlink("/proc/self/ns/mnt"),
                **self.security()}
        os.mkdir(spec["scratch"])
        spec_path = os.path.join(self.dir, "spec.json")
        with open(spec_path, "w") as f:
            json.dump(spec, f, indent=1)
        self.security_context = spec
        self.log = open(os.path.join(self.dir, "container.log"), "w+")
        # unshare, nsenter and the sandbox each exec the next: the process is the container's.
        self.proc = subprocess.Popen(
            ["unshare", "--mount", "--propagation", "private", "--", "nsenter",
             "--net=/run/netns/" + self.t.netns, "--", "python3", SANDBOX, spec_path],
            stdout=self.log, stderr=self.log, stdin=subprocess.DEVNULL)

    def stop(self):
        if not hasattr(self, "proc"):
            return
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.log.close()

    def logs(self):
        self.log.flush()
        with open(self.log.name) as f:
            return f.read()

    def probe(self, probe):
        get = probe["httpGet"]
        port = get["port"]
        if isinstance(port, str) and not port.isdigit():
            port = self.ports[port]["containerPort"]
        url = "%s://%s:%s%s" % (get.get("scheme", "HTTP").lower(), get.get("host", self.t.pod_ip),
                                port, get.get("path", "/"))
        status, body = http_get(url, probe.get("timeoutSeconds", 1))
        return 200 <= status < 400, "%s: %s %s" % (url, status, body.strip()[:200]), status != 0

    def wait_ready(self):
        """kubelet's prober, on events instead of its schedule: the liveness probe once its
        port accepts connections (an answer of any kind), which must pass then and on each
        probe after, and the readiness probe until it passes. kubelet restarts a container
        after failureThreshold failed liveness probes in a row, whatever the reason; a failed
        readiness probe only keeps the pod out of the endpoints, and comes again."""
        probes = {"readiness": self.container.get("readinessProbe"),
                  "liveness": self.container.get("livenessProbe")}
        self.t.assertIsNotNone(probes["readiness"], "no readinessProbe: the Service would send "
                                                    "queries to a pod that has not synced")
        seen = []

        def probe(name):
            if self.proc.poll() is not None:
                self.t.fail("the container exited (%s) before it was ready:\n%s\n%s"
                            % (self.proc.returncode, "\n".join(seen), self.logs()))
            ok, what, answered = self.probe(probes[name])
            seen.append("%s probe: %s" % (name, what))
            return ok, answered

        def passes(name):
            ok, answered = probe(name)
            if not ok and answered:
                self.t.fail("%s failed:\n%s\n%s" % (name, "\n".join(seen), self.logs()))
            return ok

        def ready():
            return probe("readiness")[0]

        if probes["liveness"]:
            self.t.assertTrue(wait_for(lambda: passes("liveness"), 60),
                              "\n".join(seen) + "\n" + self.logs())
        self.t.assertTrue(wait_for(ready, 60), "\n".join(seen) + "\n" + self.logs())
        if probes["liveness"]:
            self.t.assertTrue(passes("liveness"), "\n".join(seen))
        return seen

    def check(self):
        try:
            self.start()
            self.wait_ready()
            self.check_process()
            self.check_dns()
            self.check_metrics()
        finally:
            self.stop()

    # - what the node sees ----------------------------------------------------------------------

    def check_process(self):
        """The container's process: its user, and only the capabilities left to it."""
        with open("/proc/%d/status" % self.proc.pid) as f:
            status = dict(line.split(":", 1) for line in f.read().splitlines())
        context = self.security_context
        self.t.assertEqual(status["Uid"].split()[0], str(context["uid"]))
        wanted = sum(1 << CAP_BITS[c] for c in context["caps"])
        self.t.assertEqual(int(status["CapEff"], 16), wanted, status["CapEff"])
        self.t.assertEqual(int(status["CapBnd"], 16), wanted, status["CapBnd"])
        if context["no_new_privs"]:
            self.t.assertEqual(status["NoNewPrivs"].strip(), "1")
        with open("/proc/%d/mountinfo" % self.proc.pid) as f:
            mounts = {line.split()[4]: line.split()[5].split(",") for line in f}
        self.t.assertIn("ro" if context["read_only_root"] else "rw", mounts["/"])
        for mount in context["mounts"]:
            self.t.assertIn("ro" if mount["readonly"] else "rw",
                            mounts[os.path.realpath(mount["target"])], mount)

    def dns_ports(self):
        """Every declared port that is neither probed nor the metrics port."""
        taken = set()
        for probe in (self.container.get("livenessProbe"), self.container.get("readinessProbe")):
            if probe and "httpGet" in probe:
                port = probe["httpGet"]["port"]
                taken.add(self.ports[port]["containerPort"] if port in self.ports else int(port))
        if "metrics" in self.ports:
            taken.add(self.ports["metrics"]["containerPort"])
        return [p for p in self.container.get("ports", []) if p["containerPort"] not in taken]

    def check_dns(self):
        vmi = next(o for o in self.t.seed if o["kind"] == "VirtualMachineInstance")
        argv = self.security_context["argv"]
        zones = [a.split("=", 1)[1] for a in argv if a.startswith("--zone=")]
        zones += [argv[i + 1] for i, a in enumerate(argv[:-1]) if a == "--zone"]
        zones = zones or ["cluster.local"]
        name = "%s.%s.%s.svc.%s." % (vmi["spec"]["hostname"], vmi["spec"]["subdomain"],
                                     vmi["metadata"]["namespace"], zones[0])
        address = vmi["status"]["interfaces"][0]["ipAddress"]
        ports = self.dns_ports()
        self.t.assertTrue(ports, "no DNS port declared")
        for port in ports:
            tcp = port.get("protocol", "TCP") == "TCP"
            where = "%s %s/%s" % (port.get("name"), port.get("protocol", "TCP"),
                                  port["containerPort"])
            reply = dig(self.t.pod_ip, port["containerPort"], name, "A", tcp=tcp)
            self.t.assertEqual((reply.status, reply.rdatas("A")), ("NOERROR", [address]),
                               where + "\n" + reply.raw)
            reply = dig(self.t.pod_ip, port["containerPort"], "-x", address, tcp=tcp)
            self.t.assertEqual((reply.status, reply.rdatas("PTR")), ("NOERROR", [name]),
                               where + "\n" + reply.raw)
            reply = dig(self.t.pod_ip, port["containerPort"], "-x", OUTSIDE_ADDRESS, tcp=tcp)
            self.t.assertEqual((reply.status, reply.rdatas("PTR")), ("NOERROR", [OUTSIDE_NAME]),
                               where + "\n" + reply.raw)

    def check_metrics(self):
        self.t.assertIn("metrics", self.ports, "no port named metrics declared")
        declared = self.ports["metrics"]
        self.t.assertEqual(declared.get("protocol", "TCP"), "TCP")
        urls = ["http://%s:%d/metrics" % (self.t.pod_ip, declared["containerPort"])]
        labels = self.template.get("metadata", {}).get("labels", {})
        services = [d for _, d in manifests() if d.get("kind") == "Service"
                    and selects(d["spec"].get("selector"), labels)]
        self.t.assertTrue(services, "no Service in deploy/ selects the pod")
        for service in services:
            for port in service["spec"]["ports"]:
                target = port.get("targetPort", port["port"])
                declared_numbers = [p["containerPort"] for p in self.container.get("ports", [])
                                    if p.get("protocol", "TCP") == port.get("protocol", "TCP")]
                self.t.assertTrue(target in self.ports or target in declared_numbers,
                                  "Service %s port %s targets an undeclared port"
                                  % (service["metadata"]["name"], port))
            annotations = service["metadata"].get("annotations", {})
            if annotations.get("prometheus.io/scrape") == "true":
                urls.append("http://%s:%s%s" % (self.t.pod_ip, annotations["prometheus.io/port"],
                                                annotations.get("prometheus.io/path", "/metrics")))
        self.t.assertGreater(len(urls), 1, "no Service announces the metrics to Prometheus")
        for url in urls:
            status, body = http_get(url, 5)
            self.t.assertEqual(status, 200, url + ": " + body)
            # The queries of check_dns, counted under CoreDNS's names.
            self.t.assertRegex(body, r'coredns_dns_requests_total\{[^}]*proto="udp"[^}]*\} \d+',
                               url)
            self.t.assertRegex(body, r'coredns_dns_requests_total\{[^}]*proto="tcp"[^}]*\} \d+',
                               url)


if __name__ == "__main__":
    unittest.main()
