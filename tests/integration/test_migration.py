"""A live migration never answers the address of a launcher pod that does not run the VM.

During a KubeVirt live migration the VMI's headless Service selects two virt-launcher pods,
source and target, and the EndpointSlice lists both, both ready; the guest runs in one of them.
vmdns reads the VMI's status.migrationState and status.nodeName (cluster/migration.h):
- in progress, before the handoff: only the source pod is the VM's address;
- at the handoff (status.nodeName moves to the target node) and once completed: only the target,
  even while the source pod lingers ready in the slice;
- failed or aborted: only the source.
Every record made from the endpoints follows: the hostname record `db.db.<ns>.svc`, the headless
Service's A records, the SRV targets and the PTRs. Two VMIs migrating at once are decided each on
its own.

The timeline runs against the built binary, queried with dig over UDP and TCP:
- from manifest files (`-f DIR`), one state of the cluster per step, written by a rename, each
  step's answers checked once the SOA serial has moved (the positive signal of a new snapshot);
- from the fake Kubernetes API server, the VMI and the EndpointSlice updated as two watch events
  in both orders; after each event the answers hold no address of a pod that does not run the
  VM at that moment.
"""

import copy
import json
import os
import shutil
import tempfile
import unittest

from fake_kube_api import FakeKubeApi
from vmdns_harness import VmdnsServer, require_tools, wait_for

ZONE = "default.svc.cluster.local."
HOSTNAME = "db.db." + ZONE
SERVICE_NAME = "db." + ZONE
SRV_NAME = "_pg._tcp.db." + ZONE

# Each VMI has a source pod (node-a) and a target pod (node-b).
PODS = {
    "db": {"source": ("virt-launcher-db-aaaaa", "node-a", "10.244.1.10"),
           "target": ("virt-launcher-db-bbbbb", "node-b", "10.244.2.20")},
    "db2": {"source": ("virt-launcher-db2-ccccc", "node-a", "10.244.1.11"),
            "target": ("virt-launcher-db2-ddddd", "node-b", "10.244.2.21")},
}

SERVICE = {
    "apiVersion": "v1", "kind": "Service",
    "metadata": {"name": "db", "namespace": "default"},
    "spec": {"clusterIP": "None", "selector": {"app": "db"},
             "ports": [{"name": "pg", "port": 5432}]},
}


def vmi(name, node, migration=None, on="source"):
    """The VMI `name` on `node`, its status.migrationState `migration` (None: never migrated),
    its interface address that of its `on` pod (KubeVirt reports the target's after the
    migration)."""
    status = {"phase": "Running", "nodeName": node,
              "conditions": [{"type": "Ready", "status": "True"}],
              "interfaces": [{"name": "default", "ipAddress": PODS[name][on][2]}]}
    if migration is not None:
        status["migrationState"] = migration
    return {"apiVersion": "kubevirt.io/v1", "kind": "VirtualMachineInstance",
            "metadata": {"name": name, "namespace": "default", "labels": {"app": "db"}},
            "spec": {"hostname": name, "subdomain": "db",
                     "networks": [{"name": "default", "pod": {}}]},
            "status": status}


def migration(name, completed=False, failed=False, pods_named=True):
    state = {"sourceNode": "node-a", "targetNode": "node-b", "completed": completed,
             "failed": failed}
    if pods_named:
        state["targetPod"] = PODS[name]["target"][0]
    return state


def slice_of(endpoints):
    """The Service's EndpointSlice listing `endpoints`: (vmi name, "source"/"target", ready)."""
    items = []
    for name, side, ready in endpoints:
        pod, node, address = PODS[name][side]
        items.append({"addresses": [address], "conditions": {"ready": ready},
                      "hostname": name, "nodeName": node,
                      "targetRef": {"kind": "Pod", "name": pod, "namespace": "default"}})
    return {"apiVersion": "discovery.k8s.io/v1", "kind": "EndpointSlice",
            "metadata": {"name": "db-x1", "namespace": "default",
                         "labels": {"kubernetes.io/service-name": "db"}},
            "addressType": "IPv4", "endpoints": items,
            "ports": [{"name": "pg", "port": 5432, "protocol": "TCP"}]}


# (step, the VMI, the slice's endpoints, which pod runs the guest)
TIMELINE = [
    ("running, never migrated", vmi("db", "node-a"),
     [("db", "source", True)], "source"),
    ("migration started, target pod not ready", vmi("db", "node-a", migration("db")),
     [("db", "source", True), ("db", "target", False)], "source"),
    ("target pod ready", vmi("db", "node-a", migration("db")),
     [("db", "source", True), ("db", "target", True)], "source"),
    ("handoff: nodeName on the target", vmi("db", "node-b", migration("db")),
     [("db", "source", True), ("db", "target", True)], "target"),
    ("completed, the source pod still listed",
     vmi("db", "node-b", migration("db", completed=True), on="target"),
     [("db", "source", True), ("db", "target", True)], "target"),
    ("source pod gone", vmi("db", "node-b", migration("db", completed=True), on="target"),
     [("db", "target", True)], "target"),
]

FAILED = [
    ("target pod ready, pods known by node only",
     vmi("db", "node-a", migration("db", pods_named=False)),
     [("db", "source", True), ("db", "target", True)], "source"),
    ("failed", vmi("db", "node-a", migration("db", failed=True)),
     [("db", "source", True), ("db", "target", True)], "source"),
]


def address(name, side):
    return PODS[name][side][2]


def ptr_name(ip):
    return ".".join(reversed(ip.split("."))) + ".in-addr.arpa."


class MigrationAnswers:
    """Checks shared by the manifest and the API tests; `self.server` serves the cluster."""

    def serial(self):
        reply = self.server.dig("cluster.local.", "SOA")
        rdatas = reply.rdatas("SOA")
        return int(rdatas[0].split()[2]) if rdatas else None

    def wait_serial_after(self, serial):
        seen = []

        def moved():
            seen[:] = [self.serial()]
            return seen[0] is not None and seen[0] != serial
        self.assertTrue(wait_for(moved, 10.0), "serial still %r\n%s" % (seen, self.server.log()))
        return seen[0]

    def assertAnswers(self, running, listed):
        """The records name exactly the pods in `running` ({vmi: side}) that the slice lists,
        over UDP and TCP; the pods listed but not running have no PTR."""
        for tcp in (False, True):
            with self.subTest(tcp=tcp):
                by_vmi = {name: address(name, side) for name, side in running.items()}
                for name, ip in by_vmi.items():
                    owner = name + ".db." + ZONE
                    reply = self.server.dig(owner, "A", tcp=tcp)
                    self.assertEqual(reply.rdatas("A"), [ip], reply.raw)
                reply = self.server.dig(SERVICE_NAME, "A", tcp=tcp)
                self.assertEqual(reply.rdatas("A"), sorted(by_vmi.values()), reply.raw)
                reply = self.server.dig(SRV_NAME, "SRV", tcp=tcp)
                targets = sorted(r.split()[3] for r in reply.rdatas("SRV"))
                self.assertEqual(targets, sorted(n + ".db." + ZONE for n in by_vmi), reply.raw)
                for name, side in listed:
                    ip = address(name, side)
                    reply = self.server.dig(ptr_name(ip), "PTR", tcp=tcp)
                    if running.get(name) == side:
                        self.assertEqual(reply.rdatas("PTR"), [name + ".db." + ZONE], reply.raw)
                    else:
                        self.assertEqual(reply.status, "NXDOMAIN", reply.raw)

    def assertRunningOnly(self, running):
        """No answer names a pod that does not run its VM (a change may be half applied: a pod
        may be missing, never a wrong one)."""
        allowed = {address(name, side) for name, side in running.items()}
        reply = self.server.dig(SERVICE_NAME, "A")
        self.assertTrue(set(reply.rdatas("A")) <= allowed, reply.raw)
        for name in running:
            reply = self.server.dig(name + ".db." + ZONE, "A")
            self.assertTrue(set(reply.rdatas("A")) <= allowed, reply.raw)


def yaml_documents(objects):
    # JSON is YAML: one document per object.
    return "".join("---\n" + json.dumps(o) + "\n" for o in objects)


class ManifestMigrationTest(MigrationAnswers, unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        require_tools("dig")

    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix="vmdns-migration-")
        self.write([SERVICE, TIMELINE[0][1], slice_of(TIMELINE[0][2])])
        self.server = VmdnsServer([self.dir])

    def tearDown(self):
        self.server.stop()
        shutil.rmtree(self.dir, ignore_errors=True)

    def write(self, objects):
        """Writes the cluster's state; False when it is what the file holds already (no change,
        so no new snapshot to wait for)."""
        text = yaml_documents(objects)
        if text == getattr(self, "written", None):
            return False
        path = os.path.join(self.dir, "cluster.yaml")
        with open(path + ".tmp", "w") as f:
            f.write(text)
        os.rename(path + ".tmp", path)
        self.written = text
        return True

    def play(self, steps, extra=()):
        serial = self.wait_serial_after(None)
        for step, the_vmi, endpoints, runs in steps:
            with self.subTest(step=step):
                if self.write([SERVICE, the_vmi, slice_of(endpoints), *extra]):
                    serial = self.wait_serial_after(serial)
                self.assertAnswers({"db": runs}, [(n, s) for n, s, _ in endpoints])

    def test_timeline(self):
        self.play(TIMELINE)

    def test_failed_migration(self):
        self.play(TIMELINE[:3] + FAILED)

    def test_two_vmis_migrating_at_once(self):
        serial = self.wait_serial_after(None)
        endpoints = [("db", "source", True), ("db", "target", True),
                     ("db2", "source", True), ("db2", "target", True)]
        self.write([SERVICE, vmi("db", "node-a", migration("db")),
                    vmi("db2", "node-b", migration("db2")), slice_of(endpoints)])
        self.wait_serial_after(serial)
        self.assertAnswers({"db": "source", "db2": "target"}, [(n, s) for n, s, _ in endpoints])


class ApiMigrationTest(MigrationAnswers, unittest.TestCase):
    def setUp(self):
        require_tools("dig", "openssl")
        self.dir = tempfile.mkdtemp(prefix="vmdns-migration-api-")
        self.api = FakeKubeApi(self.dir).start()
        self.api.add({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "default"}})
        self.api.add(copy.deepcopy(SERVICE))
        self.api.add(TIMELINE[0][1])
        self.api.add(slice_of(TIMELINE[0][2]))
        self.server = VmdnsServer([], ["--kubeconfig", self.api.write_kubeconfig()])

    def tearDown(self):
        self.server.stop()
        self.api.stop()
        shutil.rmtree(self.dir, ignore_errors=True)

    def play(self, vmi_first):
        self.assertTrue(wait_for(lambda: self.server.dig(HOSTNAME).rdatas("A") ==
                                 [address("db", "source")], 10.0), self.server.log())
        serial = self.serial()
        before = (TIMELINE[0][1], slice_of(TIMELINE[0][2]), TIMELINE[0][3])
        for step, the_vmi, endpoints, runs in TIMELINE[1:]:
            with self.subTest(step=step, vmi_first=vmi_first):
                the_slice = slice_of(endpoints)
                # Only what changes is an event: an object updated to what it was is no change,
                # and no new snapshot would come to wait for.
                events = []
                if the_vmi != before[0]:
                    events.append(("vmi", the_vmi))
                if the_slice != before[1]:
                    events.append(("slice", the_slice))
                if not vmi_first:
                    events.reverse()
                running = before[2]
                for kind, obj in events:
                    self.api.update(copy.deepcopy(obj))
                    serial = self.wait_serial_after(serial)
                    if kind == "vmi":
                        running = runs  # the VMI's state decides who runs the guest
                    # Half applied or whole: never a pod that does not run the guest.
                    self.assertRunningOnly({"db": running})
                self.assertAnswers({"db": runs}, [(n, s) for n, s, _ in endpoints])
                before = (the_vmi, the_slice, runs)

    def test_timeline_vmi_event_first(self):
        self.play(vmi_first=True)

    def test_timeline_slice_event_first(self):
        self.play(vmi_first=False)


if __name__ == "__main__":
    unittest.main()
