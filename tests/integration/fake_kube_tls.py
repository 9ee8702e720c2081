"""The fake Kubernetes API server's certificates (fake_kube_api.py), made by the openssl CLI in
a test's temporary directory: no key material is kept in the tree."""

import os
import subprocess


def make_certificates(directory, address="127.0.0.1"):
    """A CA and a server certificate for `address`, made with the openssl CLI."""
    def run(*args):
        subprocess.run(["openssl", *args], check=True, capture_output=True, cwd=directory)
    run("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
        "-keyout", "ca.key", "-out", "ca.crt", "-days", "2", "-subj", "/CN=fake-kube-ca")
    run("req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
        "-keyout", "server.key", "-out", "server.csr", "-subj", "/CN=kube-apiserver")
    with open(os.path.join(directory, "san.ext"), "w") as f:
        f.write("subjectAltName=IP:%s,DNS:localhost\n" % address)
    run("x509", "-req", "-in", "server.csr", "-CA", "ca.crt", "-CAkey", "ca.key",
        "-CAcreateserial", "-out", "server.crt", "-days", "2", "-extfile", "san.ext")
    return {name: os.path.join(directory, name) for name in ("ca.crt", "server.crt", "server.key")}


def make_client_certificates(directory, name="vmdns"):
    """A client CA of its own (not the server's) and a client certificate it signed, for the
    user `name`; plus a certificate for the same name that another CA signed."""
    def run(*args):
        subprocess.run(["openssl", *args], check=True, capture_output=True, cwd=directory)
    for ca in ("client-ca", "other-ca"):
        run("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
            "-nodes", "-keyout", ca + ".key", "-out", ca + ".crt", "-days", "2", "-subj",
            "/CN=" + ca)
    with open(os.path.join(directory, "client.ext"), "w") as f:
        f.write("extendedKeyUsage=clientAuth\n")
    for cert, ca in (("client", "client-ca"), ("impostor", "other-ca")):
        run("req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
            "-keyout", cert + ".key", "-out", cert + ".csr", "-subj", "/O=vmdns/CN=" + name)
        run("x509", "-req", "-in", cert + ".csr", "-CA", ca + ".crt", "-CAkey", ca + ".key",
            "-CAcreateserial", "-out", cert + ".crt", "-days", "2", "-extfile", "client.ext")
    return {n: os.path.join(directory, n) for n in (
        "client-ca.crt", "client.crt", "client.key", "impostor.crt", "impostor.key")}
