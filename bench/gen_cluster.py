#!/usr/bin/env python3
"""Generates a cluster-shaped set of manifests: namespaces with VMIs and Pods behind headless and
ClusterIP Services, ExternalName Services, selector-less Services with EndpointSlices, dual-stack.

    bench/gen_cluster.py --vmis 1000 --out /tmp/cluster.yaml

Deterministic for a given --seed, so runs can be compared. Every kind vmdns reads appears, in
the shapes `kubectl get -o yaml` exports (status blocks included).
"""

import argparse
import random
import sys


def ipv4(n, base=(10, 244)):
    return "%d.%d.%d.%d" % (base[0], base[1] + (n >> 16), (n >> 8) & 0xFF, n & 0xFF)


def ipv6(n, prefix="fd10"):
    return "%s::%x:%x" % (prefix, n >> 16, n & 0xFFFF)


def vmi(ns, name, labels, ip, ip6, hostname=None, subdomain=None, ready=True, paused=False,
        secondary=None):
    spec = []
    if hostname:
        spec.append("  hostname: %s" % hostname)
    if subdomain:
        spec.append("  subdomain: %s" % subdomain)
    conditions = '  - {type: Ready, status: "%s"}\n' % ("True" if ready else "False")
    if paused:
        conditions += '  - {type: Paused, status: "True"}\n'
    addresses = "[%s]" % ", ".join(a for a in (ip, ip6) if a)
    return (
        "apiVersion: kubevirt.io/v1\nkind: VirtualMachineInstance\nmetadata:\n"
        "  name: %s\n  namespace: %s\n  labels: {%s}\nspec:\n%s  domain: {devices: {}}\n"
        "status:\n  phase: Running\n  conditions:\n%s  interfaces:\n"
        "  - name: default\n    ipAddress: %s\n    ipAddresses: %s\n"
        % (name, ns, labels, "".join(s + "\n" for s in spec), conditions, ip, addresses)
        + ("  - name: net1\n    ipAddress: %s\n" % secondary if secondary else ""))


def pod(ns, name, labels, ip, hostname=None, subdomain=None):
    spec = "{%s}" % ", ".join(
        "%s: %s" % (k, v) for k, v in (("hostname", hostname), ("subdomain", subdomain)) if v)
    return (
        "apiVersion: v1\nkind: Pod\nmetadata:\n  name: %s\n  namespace: %s\n  labels: {%s}\n"
        "spec: %s\nstatus:\n  phase: Running\n  podIP: %s\n  podIPs: [{ip: %s}]\n"
        '  conditions: [{type: Ready, status: "True"}]\n' % (name, ns, labels, spec, ip, ip))


def service(ns, name, selector, cluster_ips=None, ports=(("http", 80, "TCP"),),
            external_name=None):
    lines = ["apiVersion: v1", "kind: Service", "metadata:", "  name: " + name,
             "  namespace: " + ns, "spec:"]
    if external_name:
        lines += ["  type: ExternalName", "  externalName: " + external_name]
    else:
        if cluster_ips is None:
            lines.append("  clusterIP: None")
        else:
            lines.append("  clusterIP: " + cluster_ips[0])
            lines.append("  clusterIPs: [%s]" % ", ".join('"%s"' % c for c in cluster_ips))
            if len(cluster_ips) > 1:
                lines.append("  ipFamilyPolicy: PreferDualStack")
        if selector:
            lines.append("  selector: {%s}" % selector)
        if ports:
            lines.append("  ports:")
            for pname, port, proto in ports:
                lines.append("  - {name: %s, port: %d, protocol: %s}" % (pname, port, proto))
    return "\n".join(lines) + "\n"


def endpoint_slice(ns, service_name, addresses):
    eps = "".join("- addresses: [%s]\n  conditions: {ready: true}\n" % a for a in addresses)
    return (
        "apiVersion: discovery.k8s.io/v1\nkind: EndpointSlice\nmetadata:\n  name: %s-abcde\n"
        "  namespace: %s\n  labels: {kubernetes.io/service-name: %s}\naddressType: IPv4\n"
        "endpoints:\n%sports: [{name: http, port: 8080, protocol: TCP}]\n"
        % (service_name, ns, service_name, eps))


def generate(vmis, namespaces, vmis_per_service, seed, out, secondary=False, vmis_only=False):
    rng = random.Random(seed)
    docs = []
    ip_counter = [0]
    svc_counter = [0]

    def next_ip():
        ip_counter[0] += 1
        return ip_counter[0]

    def next_cluster_ip():
        svc_counter[0] += 1
        n = svc_counter[0]
        return "10.96.%d.%d" % (n >> 8, n & 0xFF), "fd00:96::%x" % n

    made = 0
    ns_index = 0
    while made < vmis:
        ns = "ns-%d" % (ns_index % namespaces)
        group = "grp-%d" % ns_index
        ns_index += 1
        count = min(vmis_per_service, vmis - made)
        dual = ns_index % 3 == 0
        # A headless Service named like the VMIs' subdomain: the KubeVirt DNS page's shape.
        docs.append(service(ns, group, "vmgroup: %s" % group, None,
                            ports=(("ssh", 22, "TCP"), ("dns", 53, "UDP"))))
        for i in range(count):
            n = next_ip()
            hostname = "vm-%d" % i if i % 4 else None  # every fourth falls back to its name
            ready = rng.random() > 0.05
            docs.append(vmi(ns, "%s-vmi-%d" % (group, i), "vmgroup: %s, app: %s" % (group, group),
                            ipv4(n), ipv6(n) if dual else None, hostname, group, ready=ready,
                            secondary=ipv4(n, (10, 128)) if secondary else None))
        made += count
        if vmis_only:
            continue
        # A ClusterIP Service over the same VMIs (dual-stack every third group).
        v4, v6 = next_cluster_ip()
        docs.append(service(ns, group + "-web", "app: %s" % group, [v4, v6] if dual else [v4],
                            ports=(("http", 80, "TCP"), ("metrics", 9090, "TCP"))))
        # Pods behind their own headless Service, some with hostnames.
        if ns_index % 2 == 0:
            for i in range(3):
                n = next_ip()
                docs.append(pod(ns, "%s-db-%d" % (group, i), "db: %s" % group, ipv4(n, (10, 245)),
                                "db-%d" % i, group + "-db"))
            docs.append(service(ns, group + "-db", "db: %s" % group, None,
                                ports=(("pg", 5432, "TCP"),)))
        if ns_index % 5 == 0:
            docs.append(service(ns, group + "-ext", None, external_name="db.example.com"))
            docs.append(service(ns, group + "-alias", None,
                                external_name="%s-web.%s.svc.cluster.local" % (group, ns)))
        if ns_index % 7 == 0:
            v4, _ = next_cluster_ip()
            docs.append(service(ns, group + "-manual", None, [v4]))
            docs.append(endpoint_slice(ns, group + "-manual",
                                       [ipv4(next_ip(), (10, 246)) for _ in range(2)]))
    for i in range(namespaces):
        docs.append("apiVersion: v1\nkind: Namespace\nmetadata: {name: ns-%d}\n" % i)
    out.write("---\n".join(docs))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--vmis", type=int, default=1000)
    parser.add_argument("--namespaces", type=int, default=10)
    parser.add_argument("--vmis-per-service", type=int, default=8)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--secondary", action="store_true",
                        help="every VMI also has a secondary (Multus) interface, net1, "
                             "with an address in 10.128.0.0/9 (for --vm-zone)")
    parser.add_argument("--vmis-only", action="store_true",
                        help="only the VMIs, their headless Services and the Namespaces: "
                             "--vmis 100000 --vmis-per-service 5 --namespaces 20 makes the "
                             "120,020 objects of the scale figures")
    parser.add_argument("--out", default="-")
    args = parser.parse_args()
    out = sys.stdout if args.out == "-" else open(args.out, "w")
    generate(args.vmis, args.namespaces, args.vmis_per_service, args.seed, out, args.secondary,
             args.vmis_only)
    if out is not sys.stdout:
        out.close()


if __name__ == "__main__":
    main()
