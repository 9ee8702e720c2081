#!/usr/bin/env python3
"""Prints, as a Markdown table, what vmdns answers at each step of a live migration: the
timeline test_migration.py checks (a successful migration, then a failed one), served from a
manifest directory by the built binary and queried with dig.

    python3 tests/integration/show_migration_timeline.py     # build/vmdns, or $VMDNS_BIN
"""

import os
import shutil
import tempfile

from test_migration import (FAILED, HOSTNAME, PODS, SERVICE, SERVICE_NAME, SRV_NAME, TIMELINE,
                            ptr_name, slice_of, yaml_documents)
from vmdns_harness import VmdnsServer, require_tools, wait_for


def serial(server):
    rdatas = server.dig("cluster.local.", "SOA").rdatas("SOA")
    return int(rdatas[0].split()[2]) if rdatas else None


def show(steps, title):
    directory = tempfile.mkdtemp(prefix="vmdns-timeline-")
    path = os.path.join(directory, "cluster.yaml")

    def write(step):
        with open(path + ".tmp", "w") as f:
            f.write(yaml_documents([SERVICE, step[1], slice_of(step[2])]))
        os.rename(path + ".tmp", path)

    write(steps[0])
    server = VmdnsServer([directory])
    source, target = PODS["db"]["source"][2], PODS["db"]["target"][2]
    try:
        wait_for(lambda: serial(server) is not None, 10.0)
        print("\n### " + title + "\n")
        print("| step | the slice lists | %s A | %s A | %s SRV | PTR %s | PTR %s |" %
              (HOSTNAME, SERVICE_NAME, SRV_NAME, source, target))
        print("|" + " --- |" * 7)
        for i, step in enumerate(steps):
            if i > 0:
                before = serial(server)
                write(step)
                wait_for(lambda: serial(server) != before, 10.0)  # the step is served

            def ptr(ip):
                reply = server.dig(ptr_name(ip), "PTR")
                return ", ".join(reply.rdatas("PTR")) or reply.status

            listed = ", ".join("%s (%s%s)" % (PODS[n][side][0], side, "" if ready else ", not ready")
                               for n, side, ready in step[2])
            print("| %s | %s | %s | %s | %s | %s | %s |" % (
                step[0], listed,
                ", ".join(server.dig(HOSTNAME, "A").rdatas("A")) or "-",
                ", ".join(server.dig(SERVICE_NAME, "A").rdatas("A")) or "-",
                ", ".join(r.split()[3] for r in server.dig(SRV_NAME, "SRV").rdatas("SRV")) or "-",
                ptr(source), ptr(target)))
    finally:
        server.stop()
        shutil.rmtree(directory, ignore_errors=True)


if __name__ == "__main__":
    require_tools("dig")
    show(TIMELINE, "A migration")
    show(TIMELINE[:3] + FAILED, "A failed migration")
