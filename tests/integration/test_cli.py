"""The commands other tools drive: records, check, serve's signals, --help.

- `vmdns records -f examples/` prints the zone sorted, with SOA first, which kzonecheck and
  named-checkzone accept;
- with `--reverse-zone` (a name or a CIDR), each reverse zone follows after its own
  `; zone <apex>` line, with PTRs for cluster IPs and endpoints, and both checkers accept it too;
- `vmdns check` exits 0 on the examples, 1 on a bad manifest, and names file, document, line,
  object and field;
- every command answers --help; serve exits 0 on SIGTERM and reloads on SIGHUP.
"""

import os
import shutil
import signal
import subprocess
import tempfile
import unittest

from vmdns_harness import EXAMPLES, FIXTURES, VmdnsServer, require_tools, run_vmdns, wait_for


class RecordsTest(unittest.TestCase):
    def test_examples_zone(self):
        out = run_vmdns("records", "-f", EXAMPLES)
        self.assertEqual(out.returncode, 0, out.stderr)
        lines = [l for l in out.stdout.splitlines() if l and not l.startswith(";")]
        self.assertTrue(lines[0].startswith("cluster.local.\t5\tIN\tSOA\tns.dns.cluster.local. "
                                            "hostmaster.cluster.local. "), lines[0])
        self.assertIn("myvmi.mysubdomain.default.svc.cluster.local.\t5\tIN\tA\t10.244.0.57", lines)
        self.assertIn("vmi-no-hostname.mysubdomain.default.svc.cluster.local.\t5\tIN\tA\t"
                      "10.244.0.58", lines)

    def zone_file(self, *paths, zone="cluster.local"):
        args = ["records", "--zone", zone]
        for p in paths:
            args += ["-f", p]
        out = run_vmdns(*args)
        self.assertEqual(out.returncode, 0, out.stderr)
        f = tempfile.NamedTemporaryFile("w", suffix=".zone", delete=False)
        f.write(out.stdout)
        f.close()
        self.addCleanup(os.unlink, f.name)
        return f.name

    def test_kzonecheck_accepts_the_zone(self):
        require_tools("kzonecheck")
        path = self.zone_file(EXAMPLES, os.path.join(FIXTURES, "scenarios.yaml"))
        out = subprocess.run(["kzonecheck", "-o", "cluster.local", path], capture_output=True,
                             text=True)
        self.assertEqual(out.returncode, 0, out.stdout + out.stderr)

    def test_named_checkzone_accepts_the_zone(self):
        require_tools("named-checkzone")
        path = self.zone_file(EXAMPLES, os.path.join(FIXTURES, "scenarios.yaml"))
        out = subprocess.run(["named-checkzone", "cluster.local", path], capture_output=True,
                             text=True)
        self.assertEqual(out.returncode, 0, out.stdout + out.stderr)

    REVERSE_ARGS = ["--reverse-zone", "10.96.0.0/12", "--reverse-zone", "244.10.in-addr.arpa",
                    "--reverse-zone", "fd00::/8"]

    def zones(self):
        """`vmdns records` with reverse zones, split on the "; zone <apex>" lines."""
        out = run_vmdns("records", "-f", EXAMPLES, "-f", os.path.join(FIXTURES, "services.yaml"),
                        *self.REVERSE_ARGS)
        self.assertEqual(out.returncode, 0, out.stderr)
        zones = {}
        for chunk in out.stdout.split("; zone ")[1:]:
            apex, _, text = chunk.partition("\n")
            zones[apex] = text
        return zones

    def test_reverse_zones_follow_the_cluster_zone(self):
        zones = self.zones()
        self.assertEqual(list(zones), ["cluster.local.", "10.in-addr.arpa.",
                                       "244.10.in-addr.arpa.", "d.f.ip6.arpa."])
        lines = {apex: text.splitlines() for apex, text in zones.items()}
        self.assertIn("20.0.96.10.in-addr.arpa.\t5\tIN\tPTR\tweb.shop.svc.cluster.local.",
                      lines["10.in-addr.arpa."])
        # Endpoints fall into the more specific 244.10.in-addr.arpa.
        self.assertIn("1.3.244.10.in-addr.arpa.\t5\tIN\tPTR\tdb-0.db.shop.svc.cluster.local.",
                      lines["244.10.in-addr.arpa."])
        self.assertIn("7.3.244.10.in-addr.arpa.\t5\tIN\tPTR\t"
                      "10-244-3-7.web.shop.svc.cluster.local.", lines["244.10.in-addr.arpa."])
        self.assertIn("0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.1.0.0.0.0.d.f.ip6.arpa."
                      "\t5\tIN\tPTR\tfd00-10--0.db.shop.svc.cluster.local.",
                      lines["d.f.ip6.arpa."])
        self.assertIn("_http._tcp.web.shop.svc.cluster.local.\t5\tIN\tSRV\t0 50 80 "
                      "web.shop.svc.cluster.local.", lines["cluster.local."])
        self.assertIn('dns-version.cluster.local.\t28800\tIN\tTXT\t"1.1.0"',
                      lines["cluster.local."])

    def test_checkers_accept_every_zone(self):
        tools = [t for t in ("kzonecheck", "named-checkzone") if shutil.which(t)]
        if not tools:
            require_tools("kzonecheck")
        for apex, text in self.zones().items():
            f = tempfile.NamedTemporaryFile("w", suffix=".zone", delete=False)
            f.write(text)
            f.close()
            self.addCleanup(os.unlink, f.name)
            for tool in tools:
                args = ([tool, "-o", apex, f.name] if tool == "kzonecheck"
                        else [tool, apex, f.name])
                with self.subTest(zone=apex, tool=tool):
                    out = subprocess.run(args, capture_output=True, text=True)
                    self.assertEqual(out.returncode, 0, out.stdout + out.stderr)

    def test_bad_reverse_zone(self):
        out = run_vmdns("records", "-f", EXAMPLES, "--reverse-zone", "cluster.local")
        self.assertEqual(out.returncode, 2)
        self.assertIn("--reverse-zone", out.stderr)

    def test_other_zone_name(self):
        out = run_vmdns("records", "-f", EXAMPLES, "--zone", "k8s.example.org")
        self.assertEqual(out.returncode, 0, out.stderr)
        self.assertIn("myvmi.mysubdomain.default.svc.k8s.example.org.\t5\tIN\tA\t10.244.0.57",
                      out.stdout)

    def test_stdin(self):
        with open(os.path.join(EXAMPLES, "kubevirt-dns-page.yaml")) as f:
            out = run_vmdns("records", "-f", "-", input_text=f.read())
        self.assertEqual(out.returncode, 0, out.stderr)
        self.assertIn("myvmi.mysubdomain.default.svc.cluster.local.", out.stdout)


class CheckTest(unittest.TestCase):
    def test_examples_are_clean(self):
        out = run_vmdns("check", "-f", EXAMPLES)
        self.assertEqual(out.returncode, 0, out.stdout + out.stderr)
        self.assertIn("0 error(s)", out.stdout)

    def test_bad_manifest_is_named(self):
        out = run_vmdns("check", "-f", os.path.join(FIXTURES, "bad"))
        self.assertEqual(out.returncode, 1, out.stdout)
        mixed = os.path.join(FIXTURES, "bad", "mixed.yaml")
        self.assertIn(mixed + ': document 2 (line 10): VirtualMachineInstance default/x: '
                      'spec.hostname "my_vm" is not a DNS-1123 label', out.stdout)
        self.assertIn(os.path.join(FIXTURES, "bad", "broken.yaml") + " (line 5): invalid YAML", out.stdout)

    def test_missing_path(self):
        out = run_vmdns("check", "-f", "/nonexistent/vmdns")
        self.assertEqual(out.returncode, 1)
        self.assertIn("/nonexistent/vmdns", out.stdout)


class HelpTest(unittest.TestCase):
    def test_every_command_has_help(self):
        for command in ("serve", "records", "check"):
            with self.subTest(command=command):
                out = run_vmdns(command, "--help")
                self.assertEqual(out.returncode, 0)
                self.assertIn("--filename", out.stdout)


class ServeSignalsTest(unittest.TestCase):
    def test_sighup_reloads_and_sigterm_exits_zero(self):
        require_tools("dig")
        workdir = tempfile.mkdtemp()
        self.addCleanup(shutil.rmtree, workdir)
        shutil.copy(os.path.join(EXAMPLES, "kubevirt-dns-page.yaml"), workdir)
        server = VmdnsServer([workdir])
        try:
            name = "vmi-no-hostname.mysubdomain.default.svc.cluster.local"
            self.assertEqual(server.dig(name).status, "NXDOMAIN")
            shutil.copy(os.path.join(EXAMPLES, "vmi-without-hostname.yaml"), workdir)
            server.proc.send_signal(signal.SIGHUP)
            self.assertTrue(wait_for(lambda: server.dig(name).rdatas("A") == ["10.244.0.58"]),
                            server.log())
        finally:
            self.assertEqual(server.stop(), 0, server.log())

    def test_bad_listen_address(self):
        out = run_vmdns("serve", "-f", EXAMPLES, "--listen", "localhost")
        self.assertEqual(out.returncode, 2)
        self.assertIn("--listen", out.stderr)


if __name__ == "__main__":
    unittest.main()
