"""A fake Kubernetes API server for the integration tests: Python standard library only.

It speaks the real protocol on the paths vmdns uses, over HTTPS with certificates made by the
openssl CLI in a temporary directory:

- GET /api/v1/namespaces, /api/v1/[namespaces/NS/]services|pods,
  /apis/discovery.k8s.io/v1/[namespaces/NS/]endpointslices,
  /apis/kubevirt.io/v1/[namespaces/NS/]virtualmachineinstances|virtualmachines;
- lists: `{"kind": "ServiceList", "metadata": {"resourceVersion", "continue"}, "items": [...]}`
  with items lacking kind and apiVersion, as the API server writes them; `limit` and
  `continue` paginate; `labelSelector` (equality only) and `fieldSelector` (metadata.name,
  metadata.namespace) filter;
- watches (`watch=1&resourceVersion=RV`): HTTP/1.1 chunked streams of `{"type", "object"}`
  lines, replaying history after RV, then live events; BOOKMARKs when asked for
  (`allowWatchBookmarks`); an ERROR event with a 410 Status when RV is older than the history
  kept (compact()); `timeoutSeconds` ends the stream;
- 401 with a Status body for a wrong bearer token.

Tests script it: add/update/delete objects (each gets a resourceVersion), compact() the history,
drop_watches() (connections reset mid-stream), garbage() into the streams, hang() to accept
connections and never answer, answer_with() to answer every request with an HTTP error or a
body that is not JSON, stop() and start() again on the same port (the server gone, then back),
rotate_token(), set_silently() (a change no watch sees), `unserved` (resources answered 404,
as a cluster without KubeVirt's CRDs).
"""

import base64
import copy
import json
import os
import socket
import ssl
import subprocess
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse

# resource -> (kind, group/version as written in apiVersion, namespaced)
RESOURCES = {
    "namespaces": ("Namespace", "v1", False),
    "services": ("Service", "v1", True),
    "pods": ("Pod", "v1", True),
    "endpointslices": ("EndpointSlice", "discovery.k8s.io/v1", True),
    "virtualmachineinstances": ("VirtualMachineInstance", "kubevirt.io/v1", True),
    "virtualmachines": ("VirtualMachine", "kubevirt.io/v1", True),
}
KIND_TO_RESOURCE = {kind: resource for resource, (kind, _, _) in RESOURCES.items()}


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


def status(code, reason, message):
    return {"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure",
            "message": message, "reason": reason, "code": code}


def matches_labels(obj, selector):
    labels = obj.get("metadata", {}).get("labels") or {}
    for term in filter(None, (selector or "").split(",")):
        if "!=" in term:
            key, value = term.split("!=", 1)
            if labels.get(key) == value:
                return False
        elif "=" in term:
            key, value = term.split("=", 1)
            if labels.get(key.rstrip("=")) != value:
                return False
        elif term not in labels:
            return False
    return True


def matches_fields(obj, selector):
    meta = obj.get("metadata", {})
    for term in filter(None, (selector or "").split(",")):
        key, value = term.split("=", 1)
        if meta.get(key.replace("metadata.", "", 1)) != value:
            return False
    return True


class FakeKubeApi:
    def __init__(self, directory, token="token-1", address="127.0.0.1"):
        """`address`: where it listens, and the IP its certificate names (a test pod's API
        server is on the host side of its veth)."""
        self.directory = directory
        self.address = address
        self.certs = make_certificates(directory, address)
        self.lock = threading.Condition()
        self.objects = {}        # (resource, namespace, name) -> object
        self.history = []        # (rv, type, resource, object)
        self.oldest_rv = 0       # watches from before this get 410
        self.rv = 100
        self.valid_tokens = {token}
        self.tokens_seen = []
        self.requests = []       # "GET /path?query"
        self.hanging = False
        self.watch_sockets = set()
        self.pending_garbage = 0
        self.bad_answer = None   # (HTTP status, body) for every request, when set
        self.unserved = set()    # resources answered 404, as a cluster without their CRD
        self.port = 0
        self.token_file = os.path.join(directory, "token")
        with open(self.token_file, "w") as f:
            f.write(token + "\n")
        self._server = None

    # --- scripting -------------------------------------------------------------------------

    def add(self, obj, event="ADDED"):
        with self.lock:
            obj = copy.deepcopy(obj)
            resource = KIND_TO_RESOURCE[obj["kind"]]
            meta = obj.setdefault("metadata", {})
            if RESOURCES[resource][2]:
                meta.setdefault("namespace", "default")
            self.rv += 1
            meta["resourceVersion"] = str(self.rv)
            key = (resource, meta.get("namespace", ""), meta["name"])
            if event == "ADDED" and key in self.objects:
                event = "MODIFIED"
            self.objects[key] = obj
            self.history.append((self.rv, event, resource, copy.deepcopy(obj)))
            self.lock.notify_all()
            return obj

    def update(self, obj):
        return self.add(obj, "MODIFIED")

    def delete(self, kind, namespace, name):
        with self.lock:
            resource = KIND_TO_RESOURCE[kind]
            obj = self.objects.pop((resource, namespace if RESOURCES[resource][2] else "", name))
            self.rv += 1
            obj = copy.deepcopy(obj)
            obj["metadata"]["resourceVersion"] = str(self.rv)
            self.history.append((self.rv, "DELETED", resource, obj))
            self.lock.notify_all()

    def set_silently(self, obj):
        """Changes an object without any watch event: only a relist can see it."""
        with self.lock:
            obj = copy.deepcopy(obj)
            resource = KIND_TO_RESOURCE[obj["kind"]]
            meta = obj["metadata"]
            meta.setdefault("namespace", "default")
            self.rv += 1
            meta["resourceVersion"] = str(self.rv)
            self.objects[(resource, meta["namespace"], meta["name"])] = obj

    def delete_silently(self, kind, namespace, name):
        """Deletes an object without any watch event: only a relist can see it."""
        with self.lock:
            resource = KIND_TO_RESOURCE[kind]
            self.objects.pop((resource, namespace if RESOURCES[resource][2] else "", name))
            self.rv += 1

    def compact(self):
        """Forgets the history: a watch from an older resourceVersion gets 410 Gone."""
        with self.lock:
            self.oldest_rv = self.rv + 1
            self.history = []

    def drop_watches(self):
        """Resets every open watch connection, mid-stream."""
        with self.lock:
            sockets = list(self.watch_sockets)
        for sock in sockets:
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass

    def garbage(self):
        """Writes a line that is not JSON into every open watch stream."""
        with self.lock:
            self.pending_garbage += 1
            self.lock.notify_all()

    def hang(self, on=True):
        """Accept connections but never answer (as an overloaded or wedged API server)."""
        with self.lock:
            self.hanging = on
            self.lock.notify_all()

    def answer_with(self, code=None, body=b""):
        """Every request gets `code` and `body` (bytes, sent as application/json) instead of
        its answer, as a broken proxy or a failing API server would; None answers again."""
        with self.lock:
            self.bad_answer = None if code is None else (code, body)

    def rotate_token(self, new_token):
        """Only `new_token` is accepted from now on; the token file holds it."""
        with self.lock:
            self.valid_tokens = {new_token}
        tmp = self.token_file + ".new"
        with open(tmp, "w") as f:
            f.write(new_token + "\n")
        os.replace(tmp, self.token_file)

    def watchers(self):
        with self.lock:
            return len(self.watch_sockets)

    # --- serving -----------------------------------------------------------------------------

    def start(self):
        api = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):
                pass

            def do_GET(self):
                api._handle(self)

        # Started again after stop(), on the port it had: clients find it where it was.
        self._server = ThreadingHTTPServer((self.address, self.port), Handler)
        self._server.daemon_threads = True
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(self.certs["server.crt"], self.certs["server.key"])
        self._server.socket = context.wrap_socket(self._server.socket, server_side=True)
        self.port = self._server.server_address[1]
        self.url = "https://%s:%d" % (self.address, self.port)
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def stop(self):
        self.hang(False)
        self.drop_watches()
        if self._server:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def write_kubeconfig(self, path=None, token_file=True, ca_inline=True):
        path = path or os.path.join(self.directory, "kubeconfig")
        with open(self.certs["ca.crt"], "rb") as f:
            ca = base64.b64encode(f.read()).decode()
        cluster = {"server": self.url}
        if ca_inline:
            cluster["certificate-authority-data"] = ca
        else:
            cluster["certificate-authority"] = self.certs["ca.crt"]
        user = {"tokenFile": "token"} if token_file else {}
        config = {
            "apiVersion": "v1", "kind": "Config", "current-context": "fake",
            "contexts": [{"name": "fake", "context": {"cluster": "fake", "user": "vmdns"}}],
            "clusters": [{"name": "fake", "cluster": cluster}],
            "users": [{"name": "vmdns", "user": user}],
        }
        with open(path, "w") as f:
            json.dump(config, f)  # JSON is YAML
        return path

    def _send_json(self, handler, code, body):
        data = json.dumps(body).encode()
        handler.send_response(code)
        handler.send_header("Content-Type", "application/json")
        handler.send_header("Content-Length", str(len(data)))
        handler.end_headers()
        handler.wfile.write(data)

    def _route(self, path):
        """-> (resource, namespace or None) for a collection path, else None."""
        parts = [p for p in path.split("/") if p]
        if parts[:2] == ["api", "v1"]:
            rest = parts[2:]
        elif len(parts) >= 3 and parts[0] == "apis":
            rest = parts[3:]
        else:
            return None
        if len(rest) == 1 and rest[0] in RESOURCES:
            return rest[0], None
        if len(rest) == 3 and rest[0] == "namespaces" and rest[2] in RESOURCES:
            return rest[2], rest[1]
        return None

    def _handle(self, handler):
        url = urlparse(handler.path)
        query = {k: v[-1] for k, v in parse_qs(url.query).items()}
        with self.lock:
            self.requests.append("GET " + handler.path)
            while self.hanging:
                self.lock.wait()
        with self.lock:
            bad_answer = self.bad_answer
        if bad_answer:
            code, body = bad_answer
            handler.send_response(code)
            handler.send_header("Content-Type", "application/json")
            handler.send_header("Content-Length", str(len(body)))
            handler.end_headers()
            handler.wfile.write(body)
            return
        auth = handler.headers.get("Authorization", "")
        token = auth[len("Bearer "):] if auth.startswith("Bearer ") else ""
        with self.lock:
            self.tokens_seen.append(token)
            valid = token in self.valid_tokens
        if not valid:
            return self._send_json(handler, 401, status(401, "Unauthorized", "Unauthorized"))
        route = self._route(url.path)
        if route is None:
            return self._send_json(handler, 404, status(404, "NotFound", "the server could not "
                                                        "find the requested resource"))
        resource, namespace = route
        if resource in self.unserved:
            return self._send_json(handler, 404, status(404, "NotFound", "the server could not "
                                                        "find the requested resource"))
        if query.get("watch") in ("1", "true"):
            return self._watch(handler, resource, namespace, query)
        return self._list(handler, resource, namespace, query)

    def _selected(self, resource, namespace, query, obj):
        meta = obj["metadata"]
        if namespace is not None and meta.get("namespace") != namespace:
            return False
        return (matches_labels(obj, query.get("labelSelector")) and
                matches_fields(obj, query.get("fieldSelector")))

    def _list(self, handler, resource, namespace, query):
        kind, api_version, _ = RESOURCES[resource]
        with self.lock:
            # The stored objects are replaced, never changed in place: a page shares their
            # contents and copies only the top level of the items it returns (below).
            items = [o for (r, _, _), o in sorted(self.objects.items())
                     if r == resource and self._selected(resource, namespace, query, o)]
            rv = self.rv
        start = 0
        if query.get("continue"):
            token = json.loads(base64.b64decode(query["continue"]))
            if token["rv"] < self.oldest_rv:
                return self._send_json(handler, 410, status(
                    410, "Expired", "The provided continue parameter is too old"))
            start = token["start"]
            rv = token["rv"]
        limit = int(query.get("limit", "0") or 0)
        page = [{k: v for k, v in item.items() if k not in ("kind", "apiVersion")}
                for item in (items[start:start + limit] if limit else items[start:])]
        metadata = {"resourceVersion": str(rv)}
        if limit and start + limit < len(items):
            metadata["continue"] = base64.b64encode(
                json.dumps({"rv": rv, "start": start + limit}).encode()).decode()
        self._send_json(handler, 200, {"kind": kind + "List", "apiVersion": api_version,
                                       "metadata": metadata, "items": page})

    def _watch(self, handler, resource, namespace, query):
        kind, api_version, _ = RESOURCES[resource]
        since = int(query.get("resourceVersion") or 0)
        bookmarks = query.get("allowWatchBookmarks") == "true"
        deadline = time.monotonic() + int(query.get("timeoutSeconds", "1800"))
        handler.send_response(200)
        handler.send_header("Content-Type", "application/json")
        handler.send_header("Transfer-Encoding", "chunked")
        handler.end_headers()
        sock = handler.connection

        def chunk(data):
            handler.wfile.write(b"%x\r\n%s\r\n" % (len(data), data))
            handler.wfile.flush()

        def event(kind_of_event, obj):
            chunk(json.dumps({"type": kind_of_event, "object": obj}).encode() + b"\n")

        with self.lock:
            self.watch_sockets.add(sock)
            garbage_seen = self.pending_garbage
        try:
            if since and since < self.oldest_rv - 1:
                event("ERROR", status(410, "Expired",
                                      "too old resource version: %d (%d)" % (since,
                                                                            self.oldest_rv)))
                chunk(b"")
                return
            last_bookmark = time.monotonic()
            while time.monotonic() < deadline:
                with self.lock:
                    pending = [(rv, t, o) for rv, t, r, o in self.history
                               if rv > since and r == resource and
                               self._selected(resource, namespace, query, o)]
                    garbage = self.pending_garbage > garbage_seen
                    garbage_seen = self.pending_garbage
                    current_rv = self.rv
                    if not pending and not garbage:
                        self.lock.wait(0.2)
                for rv, t, o in pending:
                    event(t, o)
                    since = rv
                if garbage:
                    chunk(b"this is not json\n")
                if bookmarks and time.monotonic() - last_bookmark > 0.5:
                    since = max(since, current_rv)
                    event("BOOKMARK", {"kind": kind, "apiVersion": api_version,
                                       "metadata": {"resourceVersion": str(since)}})
                    last_bookmark = time.monotonic()
            chunk(b"")
        except OSError:
            pass
        finally:
            with self.lock:
                self.watch_sockets.discard(sock)
            handler.close_connection = True


def load_objects(path):
    """The items of a `kubectl get -o json` List file."""
    with open(path) as f:
        return json.load(f)["items"]
