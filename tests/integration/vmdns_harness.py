"""Runs the built vmdns binary and queries it with real DNS clients (dig, kdig).

Every test starts its own `vmdns serve` on 127.0.0.1 port 0 and reads the port from the
"listening on ADDR:PORT" line the server prints on stdout.

Tests send packets to loopback only. `vmdns serve` forwards names outside its zones to the
nameservers of /etc/resolv.conf by default, so VmdnsServer passes `--no-upstream` unless the
caller gives `--upstream` (which must be a loopback address) itself.
"""

import os
import random
import re
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import unittest
from dataclasses import dataclass, field

VMDNS = os.environ.get("VMDNS_BIN", os.path.join(os.path.dirname(__file__), "../../build/vmdns"))
SOURCE_DIR = os.environ.get("VMDNS_SOURCE_DIR", os.path.join(os.path.dirname(__file__), "../.."))
FIXTURES = os.path.join(os.path.dirname(os.path.abspath(__file__)), "fixtures")
EXAMPLES = os.path.join(SOURCE_DIR, "examples")


@dataclass
class Reply:
    status: str = ""
    flags: set = field(default_factory=set)
    answer: list = field(default_factory=list)      # [(owner, ttl, class, type, rdata)]
    authority: list = field(default_factory=list)
    additional: list = field(default_factory=list)
    raw: str = ""

    def rdatas(self, rtype):
        return sorted(r[4] for r in self.answer if r[3] == rtype)


def _parse_record(line):
    parts = line.split(None, 4)
    if len(parts) < 5:
        return None
    owner, ttl, klass, rtype, rdata = parts
    return (owner.lower(), int(ttl), klass, rtype, " ".join(rdata.split()))


def parse_dig(text):
    """Parses dig's or kdig's output with +noall +comments +answer +authority +additional."""
    reply = Reply(raw=text)
    section = None
    for line in text.splitlines():
        stripped = line.strip()
        m = re.search(r"status: (\w+)", line)
        if m and ("->>HEADER<<-" in line or "opcode:" in line):
            reply.status = m.group(1)
        m = re.search(r";; [Ff]lags: ([a-z ]*)", line)
        if m:
            reply.flags = set(m.group(1).split())
        lowered = stripped.lower()
        if lowered.startswith(";; answer section"):
            section = reply.answer
            continue
        if lowered.startswith(";; authority section"):
            section = reply.authority
            continue
        if lowered.startswith(";; additional section") or lowered.startswith(";; additional data"):
            section = reply.additional
            continue
        if lowered.startswith(";; edns pseudosection") or lowered.startswith(";; opt pseudosection"):
            section = None
            continue
        if not stripped or stripped.startswith(";"):
            if not stripped:
                section = None
            continue
        if section is not None:
            record = _parse_record(stripped)
            if record and record[3] != "OPT":
                section.append(record)
    return reply


class PortInUse(RuntimeError):
    pass


class VmdnsServer:
    """A `vmdns serve` process on a free loopback port.

    The default port comes from peer_port(), not from `--listen 127.0.0.1:0`: dig sets
    SO_REUSEPORT on its UDP sockets, so a client of the same user whose ephemeral source port
    happens to be our port-0 port shares it with us, sends its query to itself and reads it back
    as the reply (seen about once in 5,000 queries). Ports below the ephemeral range are never
    handed to clients.
    """

    def __init__(self, paths, extra_args=(), listen=None, stdin_text=None, env=None,
                 upstream_from_corefile=False, log_level=None):
        """`stdin_text`, when given, is written to the server's standard input (for `-f -`).
        `env` adds environment variables. `upstream_from_corefile`: the --corefile's forward
        chooses the upstreams (the test makes it name a loopback upstream of its own).
        `log_level` ("debug"): vmdns's --log-level, an option that goes before `serve`."""
        self.env = dict(os.environ, **(env or {}))
        self.upstream_from_corefile = upstream_from_corefile
        self.log_level = log_level
        for attempt in range(5):
            try:
                self._start(paths, extra_args, listen or "127.0.0.1:%d" % peer_port(), stdin_text)
                return
            except PortInUse:
                if listen or attempt == 4:
                    raise

    def _start(self, paths, extra_args, listen, stdin_text=None):
        extra_args = list(extra_args)
        args = [VMDNS] + (["--log-level", self.log_level] if self.log_level else [])
        args += ["serve", "--listen", listen]
        if "--threads" not in extra_args:
            args += ["--threads", "2"]
        for p in paths:
            args += ["-f", p]
        upstreams = [extra_args[i + 1] for i, a in enumerate(extra_args[:-1]) if a == "--upstream"]
        for i, a in enumerate(extra_args[:-1]):
            if a == "--stub-domain" and "=" in extra_args[i + 1]:
                upstreams += extra_args[i + 1].split("=", 1)[1].split(",")
        if any(a.startswith(("--upstream=", "--stub-domain=")) for a in extra_args):
            raise ValueError("write --upstream ADDR and --stub-domain Z=ADDR as two arguments")
        for host in upstreams:
            if not (host.startswith("127.") or host.startswith("[::1]")):
                raise ValueError("tests forward to loopback only, not %r" % host)
        if "--upstream" not in extra_args and "--no-upstream" not in extra_args and \
                not self.upstream_from_corefile:
            extra_args.append("--no-upstream")
        # The HTTP endpoints' default ports (9153, 8080, 8181) may be taken on a test machine,
        # and several servers run at once: a test that wants them passes free ports itself.
        for flag in ("--metrics-listen", "--health-listen", "--ready-listen"):
            if flag not in extra_args:
                extra_args += [flag, "none"]
        args += extra_args
        self.stderr = tempfile.TemporaryFile()
        self.proc = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=self.stderr, text=True,
                                     stdin=subprocess.PIPE if stdin_text is not None else None,
                                     env=self.env)
        if stdin_text is not None:
            self.proc.stdin.write(stdin_text)
            self.proc.stdin.close()
        line = self.proc.stdout.readline()
        m = re.match(r"listening on 127\.0\.0\.1:(\d+)", line)
        if not m:
            self.stop()
            log = self.log()
            if "in use" in log:
                raise PortInUse(log)
            raise RuntimeError("vmdns serve did not start: %r\n%s" % (line, log))
        self.port = int(m.group(1))

    def log(self):
        """What the server wrote to stderr so far; once stopped, all it ever wrote."""
        if self.stderr.closed:
            return self.final_log
        self.stderr.seek(0)
        return self.stderr.read().decode(errors="replace")

    def stop(self):
        """Stops the server (SIGTERM, then SIGKILL after 10 s) and closes its stdout pipe and
        stderr file, keeping the log; returns the exit status. Stopping twice is harmless. Fails
        when the log holds a sanitizer report (a sanitizer build's leak shows only at exit)."""
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        first_stop = not self.stderr.closed
        if first_stop:
            self.final_log = self.log()
            self.stderr.close()
        if self.proc.stdout is not None:
            self.proc.stdout.close()
        if first_stop:
            check_sanitizer_reports(self.final_log, "vmdns serve (port %s)" % getattr(self, "port", "?"))
        return self.proc.returncode

    def dig(self, name, rtype="A", tcp=False, edns=True, tool="dig", extra=()):
        """Asks with dig or kdig. Over UDP both retry after 2 s, 3 tries in all, as resolvers do:
        a datagram lost on a loaded machine costs a retry, not a test."""
        if tool == "dig":
            args = ["dig", "@127.0.0.1", "-p", str(self.port), name, rtype, "+noall", "+comments",
                    "+answer", "+authority", "+additional", "+nocookie", "+time=2", "+tries=3"]
            args.append("+tcp" if tcp else "+notcp")
            args.append("+edns=0" if edns else "+noedns")
        else:
            # kdig prints section headers only in its default layout, not with +noall.
            args = ["kdig", "@127.0.0.1", "-p", str(self.port), name, rtype, "+nostats",
                    "+noquestion", "+time=2", "+retry=2"]
            args.append("+tcp" if tcp else "+notcp")
            args.append("+edns=0" if edns else "+noedns")
        args += list(extra)
        out = subprocess.run(args, capture_output=True, text=True, timeout=20)
        return parse_dig(out.stdout + out.stderr)


def peer_port():
    """A free loopback port (UDP and TCP) for a peer server such as Knot DNS.

    Picked below the kernel's ephemeral range (32768-60999 on Linux), where `vmdns serve
    --listen 127.0.0.1:0` and every client's source port live: a port picked there and closed
    again could be handed to one of them before the peer binds it.
    """
    rng = random.Random()
    for _ in range(200):
        port = rng.randrange(20000, 32000)
        try:
            with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as u, \
                    socket.socket(socket.AF_INET, socket.SOCK_STREAM) as t:
                u.bind(("127.0.0.1", port))
                t.bind(("127.0.0.1", port))
                return port
        except OSError:
            continue
    raise RuntimeError("no free loopback port in 20000-32000")


def run_vmdns(*args, input_text=None):
    out = subprocess.run([VMDNS, *args], capture_output=True, text=True, input=input_text,
                         timeout=60)
    check_sanitizer_reports(out.stderr, "vmdns " + " ".join(args[:1]))
    return out


def split_zones(records_text):
    """`vmdns records` output -> {apex: zone text}, split at its "; zone <apex>" lines."""
    zones, apex = {}, None
    for line in records_text.splitlines(keepends=True):
        if line.startswith("; zone "):
            apex = line[len("; zone "):].strip()
            zones[apex] = ""
        elif apex is not None:
            zones[apex] += line
    return zones

# What AddressSanitizer, LeakSanitizer, UndefinedBehaviorSanitizer and ThreadSanitizer print
# when they find something. make test runs suites against the sanitizer builds of vmdns
# (tests/integration/CMakeLists.txt); a leak is only reported when the process exits, in a
# log no test assertion reads, so every stopped server's log is checked here.
SANITIZER_REPORT = re.compile(
    r"ERROR: (AddressSanitizer|LeakSanitizer)|runtime error: |WARNING: ThreadSanitizer")


def check_sanitizer_reports(log, what):
    """Fails (AssertionError) when `log`, the stderr of `what`, holds a sanitizer report."""
    m = SANITIZER_REPORT.search(log)
    if m:
        start = log.rfind("\n", 0, max(m.start() - 1, 0)) + 1
        raise AssertionError("%s: sanitizer report in vmdns's stderr:\n%s"
                             % (what, log[start:start + 8000]))


class RequirementMissing(AssertionError):
    """A tool or privilege a test needs is missing on a runner where everything must be there."""


def unavailable(what):
    """Ends a test (or a whole class, from setUpClass) that cannot run here for want of `what`
    ("missing tools: kdig", "network namespaces need root"). A developer's machine skips it;
    under CI=true, where every tool and privilege must be present, it fails naming `what`, so
    that a runner without them is red instead of green while testing nothing."""
    if os.environ.get("CI") == "true":
        raise RequirementMissing(what + " (CI=true: a missing tool or privilege fails the run)")
    raise unittest.SkipTest(what)


def require_tools(*tools):
    missing = [t for t in tools if shutil.which(t) is None]
    if missing:
        unavailable("missing tools: " + ", ".join(missing))


def require_root(why):
    """`why`: what needs root ("network namespaces")."""
    if os.geteuid() != 0:
        unavailable(why + " need root")


def wait_for(predicate, timeout=30.0):
    """Polls `predicate` until it is true; False after `timeout` seconds, which only bounds a
    hang (a loaded machine may be slow, a test must not fail for it: a passing test never waits
    it out, so it is generous)."""
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if predicate():
            return True
        time.sleep(0.05)
    return False
