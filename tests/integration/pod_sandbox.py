"""Runs a command as a container runtime would run a pod's container (test_deploy.py's helper).

    unshare --mount --propagation private -- nsenter --net=/run/netns/NS -- \
        python3 pod_sandbox.py SPEC.json

Inside its own mount namespace (never the test's, `host_mount_namespace`: checked first), from
the JSON spec:
- `mounts`: each `{source, target, readonly}` bind-mounted at its target, as kubelet mounts a
  pod's volumes, its service-account token and its resolv.conf. A target that does not exist on
  this machine (/var/lib/vmdns, /var/run/secrets/...) is made in an overlay (upper directory on a
  tmpfs under `scratch`) over its nearest existing ancestor, so nothing is written to the host;
- `read_only_root`: then every other mount (the root first) is remounted read-only, except
  /proc, /sys and /dev and the writable volumes: readOnlyRootFilesystem;
- then `setpriv` takes the user and group (`uid`, `gid`, no supplementary groups), keeps only
  `caps` (bounding set, and ambient so that the command has them, as the image's file
  capability gives them), sets no_new_privs when `no_new_privs` (allowPrivilegeEscalation:
  false), and execs `argv` with exactly `env`, in `cwd`: the process is the container's.
"""

import json
import os
import subprocess
import sys


def run(*args):
    result = subprocess.run(args, capture_output=True, text=True)
    if result.returncode != 0:
        raise SystemExit("pod_sandbox: %s: %s" % (" ".join(args), result.stderr.strip()))


def nearest_existing(path):
    """(an existing ancestor, resolved through symbolic links; the rest of `path` below it)."""
    rest = []
    while not os.path.lexists(path):
        path, name = os.path.split(path)
        rest.insert(0, name)
    return os.path.realpath(path), rest


def make_target(target, is_dir, scratch, counter):
    """Makes `target` exist, in an overlay over its nearest existing ancestor when it does not;
    returns its path with symbolic links resolved."""
    if os.path.lexists(target):
        return os.path.realpath(target)
    ancestor, rest = nearest_existing(target)
    layer = os.path.join(scratch, "layer%d" % counter)
    os.makedirs(os.path.join(layer, "upper"))
    os.makedirs(os.path.join(layer, "work"))
    run("mount", "-t", "overlay", "overlay", "-o",
        "lowerdir=%s,upperdir=%s/upper,workdir=%s/work" % (ancestor, layer, layer), ancestor)
    path = os.path.join(ancestor, *rest)
    if is_dir:
        os.makedirs(path)
    else:
        os.makedirs(os.path.dirname(path), exist_ok=True)
        open(path, "w").close()
    return path


def mount_points():
    with open("/proc/self/mountinfo") as f:
        # Field 5 is the mount point, with spaces and the like escaped as octal.
        return [line.split()[4].encode().decode("unicode_escape") for line in f]


def under(path, top):
    return path == top or path.startswith(top.rstrip("/") + "/")


def main(spec_path):
    with open(spec_path) as f:
        spec = json.load(f)
    if os.readlink("/proc/self/ns/mnt") == spec["host_mount_namespace"]:
        raise SystemExit("pod_sandbox: not in a mount namespace of its own; refusing to mount")
    scratch = spec["scratch"]
    run("mount", "-t", "tmpfs", "-o", "mode=0700", "tmpfs", scratch)
    writable = []
    for i, mount in enumerate(spec["mounts"]):
        is_dir = os.path.isdir(mount["source"])
        target = make_target(mount["target"], is_dir, scratch, i)
        run("mount", "--bind", mount["source"], target)
        if mount["readonly"]:
            run("mount", "-o", "remount,bind,ro", target)
        else:
            writable.append(target)
    if spec["read_only_root"]:
        points = mount_points()
        for i, point in enumerate(points):
            if any(under(point, top) for top in ["/proc", "/sys", "/dev", *writable]):
                continue
            # A mount under one made later on the same path or an ancestor (the overlays above)
            # is out of reach: nothing can write to it.
            if any(under(point, later) for later in points[i + 1:]):
                continue
            run("mount", "-o", "remount,bind,ro", point)
    caps = ",".join(["-all"] + ["+" + c.lower() for c in spec["caps"]])
    argv = [spec["setpriv"], "--reuid", str(spec["uid"]), "--regid", str(spec["gid"]),
            "--clear-groups", "--bounding-set", caps, "--inh-caps", caps, "--ambient-caps", caps]
    if spec["no_new_privs"]:
        argv.append("--no-new-privs")
    os.chdir(spec["cwd"])
    os.execve(spec["setpriv"], argv + ["--", *spec["argv"]], spec["env"])


if __name__ == "__main__":
    main(sys.argv[1])
