"""The VM owner's view: vmdns explain and the VM checks of vmdns check, on the built binary.

- the KubeVirt page's example (examples/) explained end to end: the table lists the VMI's names
  and the short names its guest resolves; `myvmi.mysubdomain` from the guest resolves to
  10.244.0.57 through the search list, exit 0; `--output json` says the same for scripts;
- the page's example as a VirtualMachine not started yet: explain shows the names it will get,
  and `vmdns records` serves none of them;
- the broken variant (the label on the VM's own metadata): explain names the missing label and
  the fix, exit 1; check warns and exits 0, 1 with --strict.
"""

import json
import os
import unittest

from vmdns_harness import EXAMPLES, FIXTURES, run_vmdns

PAGE_VM = os.path.join(FIXTURES, "explain", "page-vm.yaml")
BROKEN_VM = os.path.join(FIXTURES, "explain", "page-vm-broken.yaml")
FQDN = "myvmi.mysubdomain.default.svc.cluster.local."


class PageExampleTest(unittest.TestCase):
    def test_table_lists_names_and_guest_short_names(self):
        out = run_vmdns("explain", "-f", EXAMPLES)
        self.assertEqual(out.returncode, 0, out.stderr)
        rows = out.stdout.splitlines()
        self.assertTrue(rows[0].startswith("OBJECT"), out.stdout)
        self.assertIn("VirtualMachineInstance default/vmi-fedora", out.stdout)
        self.assertIn(FQDN, out.stdout)
        short_names = [row.split()[-1] for row in rows[1:] if row.strip()]
        self.assertIn("myvmi", short_names)
        self.assertIn("myvmi.mysubdomain", short_names)

    def test_short_name_from_the_guest(self):
        out = run_vmdns("explain", "-f", EXAMPLES, "myvmi.mysubdomain", "--from-vmi", "vmi-fedora")
        self.assertEqual(out.returncode, 0, out.stdout + out.stderr)
        self.assertTrue(out.stdout.startswith(
            "myvmi.mysubdomain: resolves to A 10.244.0.57 (as " + FQDN + ")"), out.stdout)
        self.assertIn("    myvmi.mysubdomain. NXDOMAIN\n"
                      "    myvmi.mysubdomain.mysubdomain.default.svc.cluster.local. NXDOMAIN\n"
                      "    " + FQDN + " NOERROR\n", out.stdout)

    def test_json(self):
        out = run_vmdns("explain", "-f", EXAMPLES, "--output", "json")
        self.assertEqual(out.returncode, 0, out.stderr)
        workloads = {w["object"]: w for w in json.loads(out.stdout)["workloads"]}
        page = workloads["VirtualMachineInstance default/vmi-fedora"]
        self.assertEqual(page["state"], "ready")
        self.assertTrue(page["served"])
        self.assertEqual(page["addresses"], ["10.244.0.57"])
        self.assertIn(FQDN, page["names"])
        self.assertEqual(page["services"], ["default/mysubdomain (headless)"])
        self.assertIn("myvmi", page["short_names"])
        self.assertEqual(page["search"][0], "mysubdomain.default.svc.cluster.local")

        out = run_vmdns("explain", "-f", EXAMPLES, FQDN, "--output", "json")
        self.assertEqual(out.returncode, 0, out.stderr)
        answer = json.loads(out.stdout)
        self.assertTrue(answer["resolves"])
        self.assertEqual(answer["answer"]["records"], ["A 10.244.0.57"])

    def test_check_is_clean(self):
        out = run_vmdns("check", "-f", EXAMPLES, "--strict")
        self.assertEqual(out.returncode, 0, out.stdout)
        self.assertIn("0 warning(s)", out.stdout)


class VirtualMachineTest(unittest.TestCase):
    def test_planned_names_are_not_served(self):
        out = run_vmdns("explain", "-f", PAGE_VM, "--output", "json")
        self.assertEqual(out.returncode, 0, out.stderr)
        (vm,) = json.loads(out.stdout)["workloads"]
        self.assertEqual(vm["object"], "VirtualMachine default/vm-fedora")
        self.assertEqual(vm["state"], "will start (runStrategy Always), no IP until it runs")
        self.assertFalse(vm["served"])
        self.assertIn(FQDN, vm["names"])
        records = run_vmdns("records", "-f", PAGE_VM)
        self.assertEqual(records.returncode, 0, records.stderr)
        self.assertNotIn("myvmi", records.stdout)

    def test_name_of_a_vm_not_started(self):
        out = run_vmdns("explain", "-f", PAGE_VM, FQDN)
        self.assertEqual(out.returncode, 1, out.stdout)
        self.assertIn("  address: VirtualMachine default/vm-fedora will start "
                      "(runStrategy Always), no IP until it runs\n", out.stdout)

    def test_broken_variant_names_the_label_and_the_fix(self):
        out = run_vmdns("explain", "-f", BROKEN_VM, "myvmi.mysubdomain", "--from-vmi",
                        "vm-fedora")
        self.assertEqual(out.returncode, 1, out.stdout)
        self.assertIn("  selector: Service default/mysubdomain selects expose=me; the VMI of "
                      "VirtualMachine default/vm-fedora lacks expose=me", out.stdout)
        self.assertIn("  fix: move label expose=me from metadata.labels to "
                      "spec.template.metadata.labels\n", out.stdout)

        out = run_vmdns("explain", "-f", BROKEN_VM, FQDN, "--output", "json")
        diagnosis = json.loads(out.stdout)["diagnosis"]
        self.assertEqual(diagnosis["step"], "selector")
        self.assertEqual(diagnosis["object"], "VirtualMachine default/vm-fedora")

    def test_check_warns_and_strict_fails(self):
        out = run_vmdns("check", "-f", BROKEN_VM)
        self.assertEqual(out.returncode, 0, out.stdout)
        self.assertIn(BROKEN_VM + ": document 1 (line 3): warning: VirtualMachine "
                      "default/vm-fedora: metadata.labels expose=me is needed by Service "
                      "default/mysubdomain's selector", out.stdout)
        self.assertEqual(run_vmdns("check", "-f", BROKEN_VM, "--strict").returncode, 1)

    def test_unknown_vm(self):
        out = run_vmdns("explain", "-f", PAGE_VM, "x", "--from-vmi", "nope")
        self.assertEqual(out.returncode, 1)
        self.assertIn("no VM or VMI nope in the manifests", out.stderr)


if __name__ == "__main__":
    unittest.main()
