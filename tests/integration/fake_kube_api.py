"""A fake Kubernetes API server for the integration tests: Python standard library only.

It speaks the real protocol on the paths vmdns uses, over HTTPS with certificates made by the
openssl CLI in a temporary directory:

- GET /api/v1/namespaces, /api/v1/[namespaces/NS/]services|pods,
  /apis/discovery.k8s.io/v1/[namespaces/NS/]endpointslices,
  /apis/kubevirt.io/v1/[namespaces/NS/]virtualmachineinstances|virtualmachines;
- lists: `{"kind": "ServiceList", "metadata": {"resourceVersion", "continue",
  "remainingItemCount"}, "items": [...]}` with items lacking kind and apiVersion, as the API
  server writes them; `limit` and `continue` paginate, every page of a list cut from the
  snapshot its first page was (the resourceVersion of the first page, as etcd serves them),
  `remainingItemCount` only when no selector filters; a continue token older than the history
  kept (compact(), or too many lists since) is answered 410 Gone, reason Expired;
  `labelSelector` (the whole grammar: `=`, `==`, `!=`, `in`, `notin`, `key`, `!key`) and
  `fieldSelector` (metadata.name, metadata.namespace) filter;
- watches (`watch=1&resourceVersion=RV`): HTTP/1.1 chunked streams of `{"type", "object"}`
  lines, replaying history after RV, then live events; BOOKMARKs when asked for
  (`allowWatchBookmarks`); an ERROR event with a 410 Status when RV is older than the history
  kept (compact()); `timeoutSeconds` ends the stream;
- 401 with a Status body for a wrong bearer token; with `client_certificates`, TLS that
  requires a client certificate signed by its own client CA (client_certs()), which then
  authenticates the request without a token.

Tests script it: add/update/delete objects (each gets a resourceVersion), compact() the history,
drop_watches() (connections reset mid-stream), garbage() into the streams, hang() to accept
connections and never answer, answer_with() to answer every request with an HTTP error or a
body that is not JSON, stop() and start() again on the same port (the server gone, then back),
rotate_token() (and rotate_token_unseen(): only a 401 tells), set_silently() (a change no
watch sees), `unserved` (resources answered 404, as a cluster without KubeVirt's CRDs),
forbid() (403 for a verb on a resource, as RBAC without it), throttle() (429 with Retry-After), fail_requests() (5xx), expire_continues() (the
next continue tokens answered 410 Expired), hold_continues() (pages after the first wait until
released), drop_mid_page() (a page cut off after half its body) and drop_mid_event() (a watch
cut off in the middle of an event).

Its certificates are made by fake_kube_tls.py, its selectors read by fake_kube_selectors.py.
"""

import base64
import bisect
import copy
import json
import os
import socket
import ssl
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse

from fake_kube_selectors import matches_fields, matches_labels
from fake_kube_tls import make_certificates, make_client_certificates

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


def status(code, reason, message):
    return {"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure",
            "message": message, "reason": reason, "code": code}


# Lists whose later pages can still be served; older continue tokens are answered 410 Expired,
# as the API server does once etcd compacted the list's revision.
SNAPSHOTS_KEPT = 32


class FakeKubeApi:
    def __init__(self, directory, token="token-1", address="127.0.0.1",
                 client_certificates=False):
        """`address`: where it listens, and the IP its certificate names (a test pod's API
        server is on the host side of its veth). `client_certificates`: TLS requires a
        client certificate its client CA signed."""
        self.directory = directory
        self.address = address
        self.certs = make_certificates(directory, address)
        if client_certificates:
            self.certs.update(make_client_certificates(directory))
        self.client_certificates = client_certificates
        self.lock = threading.Condition()
        self.objects = {}        # (resource, namespace, name) -> object
        self.tables = {}         # resource -> {(namespace, name): object}, as `objects`
        self.sorted_keys = {}    # resource -> its table's keys in order, until one comes or goes
        self.history = []        # (rv, type, resource, object)
        self.oldest_rv = 0       # watches from before this get 410
        self.rv = 100
        self.valid_tokens = {token}
        self.tokens_seen = []
        self.requests = []       # "GET /path?query"
        self.request_times = []  # time.monotonic() of each request, as `requests`
        self.hanging = False
        self.watch_sockets = set()
        self.pending_garbage = 0
        self.bad_answer = None   # (HTTP status, body) for every request, when set
        self.unserved = set()    # resources answered 404, as a cluster without their CRD
        self.forbidden = set()   # (resource, verb) answered 403
        self.snapshots = {}      # list id -> the items of a paginated list, as its first page
        self.next_list_id = 1
        self.faults = {}         # fault -> how many requests it still hits (see _take_fault)
        self.faulted = []        # (fault, "GET /path?query") of each request a fault hit
        self.retry_after = 1
        self.failure_code = 503
        self.holding = False     # pages after the first wait while True
        self.held = 0            # requests waiting for hold_continues(False)
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
            self._store(key, obj)
            self.history.append((self.rv, event, resource, copy.deepcopy(obj)))
            self.lock.notify_all()
            return obj

    def update(self, obj):
        return self.add(obj, "MODIFIED")

    def delete(self, kind, namespace, name):
        with self.lock:
            resource = KIND_TO_RESOURCE[kind]
            obj = self._remove((resource, namespace if RESOURCES[resource][2] else "", name))
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
            self._store((resource, meta["namespace"], meta["name"]), obj)

    def delete_silently(self, kind, namespace, name):
        """Deletes an object without any watch event: only a relist can see it."""
        with self.lock:
            resource = KIND_TO_RESOURCE[kind]
            self._remove((resource, namespace if RESOURCES[resource][2] else "", name))
            self.rv += 1

    def _store(self, key, obj):
        """Stores `obj` under `key` (resource, namespace, name); the caller holds the lock."""
        self.objects[key] = obj
        table = self.tables.setdefault(key[0], {})
        if key[1:] not in table:
            self.sorted_keys.pop(key[0], None)
        table[key[1:]] = obj

    def _remove(self, key):
        """-> the object stored under `key`, no longer stored; the caller holds the lock."""
        del self.tables[key[0]][key[1:]]
        self.sorted_keys.pop(key[0], None)
        return self.objects.pop(key)

    def compact(self, lists=True):
        """Forgets the history: a watch from an older resourceVersion gets 410 Gone, and so
        does the continue token of a list cut before, unless `lists` is False (the real API
        server's watch cache forgets sooner than etcd compacts the revisions lists read)."""
        with self.lock:
            self.oldest_rv = self.rv + 1
            self.history = []
            if lists:
                self.snapshots = {}

    def forbid(self, resource, verb="list", on=True):
        """`verb` ("list" or "watch") on `resource` ("virtualmachineinstances") answers 403
        Forbidden, as RBAC does when the ServiceAccount's role lacks it; on=False grants it."""
        with self.lock:
            (self.forbidden.add if on else self.forbidden.discard)((resource, verb))

    def throttle(self, requests=1, retry_after=1):
        """The next `requests` requests get 429 Too Many Requests with `Retry-After` seconds
        (the API server's priority and fairness, or max-requests-inflight)."""
        with self.lock:
            self.faults["throttle"] = requests
            self.retry_after = retry_after

    def fail_requests(self, requests=1, code=503):
        """The next `requests` requests get `code` (a 5xx) with a Status body."""
        with self.lock:
            self.faults["fail"] = requests
            self.failure_code = code

    def expire_continues(self, requests=1):
        """The next `requests` requests with a continue token get 410 Expired, as when etcd
        compacted the list's revision between two pages."""
        with self.lock:
            self.faults["expire"] = requests

    def hold_continues(self, on=True):
        """While on, requests for a list's later pages wait (`held` counts them)."""
        with self.lock:
            self.holding = on
            self.lock.notify_all()

    def drop_mid_page(self, requests=1):
        """The next `requests` list pages send their headers and half their body, then the
        connection is reset."""
        with self.lock:
            self.faults["drop_page"] = requests

    def drop_mid_event(self, resource, events=1):
        """The next `events` watch events of `resource` are cut off in their middle, each
        followed by a reset of its connection."""
        with self.lock:
            self.faults["drop_event:" + resource] = events

    def _take_fault(self, fault, request=""):
        """True when `fault` hits `request` (the caller holds the lock)."""
        if self.faults.get(fault, 0) > 0:
            self.faults[fault] -= 1
            self.faulted.append((fault, request))
            return True
        return False

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

    def rotate_token_unseen(self, new_token):
        """Only `new_token` is accepted from now on, and the token file holds it, rewritten in
        place with its size and modification time unchanged: only a 401 can tell a client
        that watches the file's inode, size and time to read it again."""
        with self.lock:
            self.valid_tokens = {new_token}
        before = os.stat(self.token_file)
        with open(self.token_file, "r+") as f:
            f.write(new_token + "\n")
            f.truncate()
        os.utime(self.token_file, ns=(before.st_atime_ns, before.st_mtime_ns))

    def watchers(self):
        with self.lock:
            return len(self.watch_sockets)

    def lists(self, resource=None):
        """List requests so far (first pages and later ones), of `resource` when given."""
        with self.lock:
            return [r for r in self.requests if "watch=1" not in r and
                    (resource is None or "/%s?" % resource in r)]

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
        if self.client_certificates:
            context.verify_mode = ssl.CERT_REQUIRED
            context.load_verify_locations(self.certs["client-ca.crt"])
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

    def write_kubeconfig(self, path=None, token_file=True, ca_inline=True, client_cert=None):
        """`client_cert`: "data" (client-certificate-data, client-key-data), "file"
        (client-certificate, client-key), or "impostor" (files of a certificate another CA
        signed)."""
        path = path or os.path.join(self.directory, "kubeconfig")

        def data(name):
            with open(self.certs[name], "rb") as f:
                return base64.b64encode(f.read()).decode()
        cluster = {"server": self.url}
        if ca_inline:
            cluster["certificate-authority-data"] = data("ca.crt")
        else:
            cluster["certificate-authority"] = self.certs["ca.crt"]
        user = {"tokenFile": "token"} if token_file else {}
        if client_cert == "data":
            user.update({"client-certificate-data": data("client.crt"),
                         "client-key-data": data("client.key")})
        elif client_cert in ("file", "impostor"):
            name = "client" if client_cert == "file" else "impostor"
            user.update({"client-certificate": self.certs[name + ".crt"],
                         "client-key": self.certs[name + ".key"]})
        config = {
            "apiVersion": "v1", "kind": "Config", "current-context": "fake",
            "contexts": [{"name": "fake", "context": {"cluster": "fake", "user": "vmdns"}}],
            "clusters": [{"name": "fake", "cluster": cluster}],
            "users": [{"name": "vmdns", "user": user}],
        }
        with open(path, "w") as f:
            json.dump(config, f)  # JSON is YAML
        return path

    def _send_json(self, handler, code, body, headers=None, cut=False):
        """`cut`: half the body is sent, then the connection is reset."""
        self._send_body(handler, code, json.dumps(body).encode(), headers, cut)

    # The encodings of objects, overridden by a bench whose objects are made from a template
    # (bench/kube_chaos): encoding is most of what serving costs here.

    def _event_line(self, kind_of_event, obj):
        """A watch event's line."""
        return json.dumps({"type": kind_of_event, "object": obj}).encode() + b"\n"

    def _list_body(self, kind, api_version, metadata, items):
        """A list page: its items lack kind and apiVersion, as the API server writes them."""
        page = [{k: v for k, v in item.items() if k not in ("kind", "apiVersion")}
                for item in items]
        return json.dumps({"kind": kind + "List", "apiVersion": api_version,
                           "metadata": metadata, "items": page}).encode()

    def _send_body(self, handler, code, data, headers=None, cut=False):
        handler.send_response(code)
        handler.send_header("Content-Type", "application/json")
        handler.send_header("Content-Length", str(len(data)))
        for name, value in (headers or {}).items():
            handler.send_header(name, value)
        handler.end_headers()
        if cut:
            handler.wfile.write(data[:len(data) // 2])
            handler.wfile.flush()
            handler.close_connection = True
            handler.connection.shutdown(socket.SHUT_RDWR)
            return
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
            self.request_times.append(time.monotonic())
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
        # A verified client certificate authenticates the request as a token does (the API
        # server takes the first authenticator that succeeds).
        certified = self.client_certificates and handler.connection.getpeercert() is not None
        with self.lock:
            self.tokens_seen.append(token)
            valid = certified or token in self.valid_tokens
            throttled = valid and self._take_fault("throttle", "GET " + handler.path)
            failing = valid and not throttled and self._take_fault("fail", "GET " + handler.path)
        if not valid:
            return self._send_json(handler, 401, status(401, "Unauthorized", "Unauthorized"))
        if throttled:
            body = status(429, "TooManyRequests", "Too many requests, please try again later.")
            body["details"] = {"retryAfterSeconds": self.retry_after}
            return self._send_json(handler, 429, body,
                                   headers={"Retry-After": str(self.retry_after)})
        if failing:
            return self._send_json(handler, self.failure_code, status(
                self.failure_code, "ServiceUnavailable", "the server is shutting down"))
        route = self._route(url.path)
        if route is None:
            return self._send_json(handler, 404, status(404, "NotFound", "the server could not "
                                                        "find the requested resource"))
        resource, namespace = route
        if resource in self.unserved:
            return self._send_json(handler, 404, status(404, "NotFound", "the server could not "
                                                        "find the requested resource"))
        verb = "watch" if query.get("watch") in ("1", "true") else "list"
        with self.lock:
            forbidden = (resource, verb) in self.forbidden
        if forbidden:
            kind, api_version, _ = RESOURCES[resource]
            group = api_version.rpartition("/")[0]
            scope = "in the namespace \"%s\"" % namespace if namespace else "at the cluster scope"
            body = status(403, "Forbidden", "%s%s is forbidden: User \"system:serviceaccount:"
                          "kube-system:vmdns\" cannot %s resource \"%s\" in API group \"%s\" %s"
                          % (resource, "." + group if group else "", verb, resource, group,
                             scope))
            body["details"] = {"group": group, "kind": resource}
            return self._send_json(handler, 403, body)
        if verb == "watch":
            return self._watch(handler, resource, namespace, query)
        return self._list(handler, resource, namespace, query)

    def _selected(self, resource, namespace, query, obj):
        if namespace is None and not query.get("labelSelector") and not query.get(
                "fieldSelector"):
            return True  # nothing to select by (a list or watch of every object)
        meta = obj["metadata"]
        if namespace is not None and meta.get("namespace") != namespace:
            return False
        return (matches_labels(obj, query.get("labelSelector")) and
                matches_fields(obj, query.get("fieldSelector")))

    def _list(self, handler, resource, namespace, query):
        kind, api_version, _ = RESOURCES[resource]
        limit = int(query.get("limit", "0") or 0)
        with self.lock:
            if query.get("continue"):
                # A later page: cut from the snapshot the first page was, whatever changed
                # since, unless that snapshot is gone (compacted) or the test expires it.
                token = json.loads(base64.b64decode(query["continue"]))
                if self.holding:
                    self.held += 1
                    while self.holding:
                        self.lock.wait()
                    self.held -= 1
                items = self.snapshots.get(token["list"])
                if items is None or self._take_fault("expire"):
                    body = status(410, "Expired", "The provided continue parameter is too old "
                                  "to display a consistent list result. Start a new list "
                                  "without the continue parameter.")
                    return self._send_json(handler, 410, body)
                start, rv, list_id = token["start"], token["rv"], token["list"]
            else:
                # The stored objects are replaced, never changed in place: a snapshot shares
                # them and a page copies only the top level of its items (below). Under the
                # lock only the resource's table is copied (its keys' order is kept until a
                # key comes or goes); it is filtered outside, so that writers and watches are
                # not held up by a large list, nor a list by the objects of other resources.
                table = self.tables.get(resource, {})
                keys = self.sorted_keys.get(resource)
                if keys is None:
                    keys = self.sorted_keys[resource] = sorted(table)
                table = table.copy()
                start, rv, list_id = 0, self.rv, None
                if limit:
                    # Its place is taken now: a compact() before it is filled forgets it.
                    list_id = self.next_list_id
                    self.next_list_id += 1
                    self.snapshots[list_id] = None
            cut = self._take_fault("drop_page", "GET " + handler.path)
        if not query.get("continue"):
            items = list(map(table.__getitem__, keys))
            del table
            if namespace is not None or query.get("labelSelector") or query.get("fieldSelector"):
                items = [o for o in items if self._selected(resource, namespace, query, o)]
            if list_id is not None:
                with self.lock:
                    if limit < len(items) and list_id in self.snapshots:
                        self.snapshots[list_id] = items
                        for old in sorted(self.snapshots)[:-SNAPSHOTS_KEPT]:
                            del self.snapshots[old]
                    else:
                        self.snapshots.pop(list_id, None)
        page = items[start:start + limit] if limit else items[start:]
        metadata = {"resourceVersion": str(rv)}
        if limit and start + limit < len(items):
            metadata["continue"] = base64.b64encode(json.dumps(
                {"rv": rv, "start": start + limit, "list": list_id}).encode()).decode()
            # Known only when no selector filters the list (the API server's rule).
            if not query.get("labelSelector") and not query.get("fieldSelector"):
                metadata["remainingItemCount"] = len(items) - start - limit
        self._send_body(handler, 200, self._list_body(kind, api_version, metadata, page),
                        cut=cut)

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
            chunk(self._event_line(kind_of_event, obj))

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
            scanned = since  # the history up to this resourceVersion has been read
            while time.monotonic() < deadline:
                with self.lock:
                    # The history is in resourceVersion order: only the tail not read yet is
                    # read, so that a long history (a soak's) and the changes of other
                    # resources cost nothing to a watch that is current.
                    after = bisect.bisect_right(self.history, scanned, key=lambda h: h[0])
                    tail = self.history[after:]
                    pending = [(rv, t, o) for rv, t, r, o in tail
                               if r == resource and
                               self._selected(resource, namespace, query, o)]
                    if tail:
                        scanned = tail[-1][0]
                    garbage = self.pending_garbage > garbage_seen
                    garbage_seen = self.pending_garbage
                    current_rv = self.rv
                    # The first event written while the fault is on is the one cut off.
                    cut = bool(pending) and self._take_fault("drop_event:" + resource)
                    if not pending and not garbage:
                        self.lock.wait(0.2)
                if cut:
                    rv, t, o = pending[0]
                    data = self._event_line(t, o)
                    chunk(data[:len(data) // 2])
                    sock.shutdown(socket.SHUT_RDWR)
                    return
                # One chunk an event, as the API server writes them, but a backlog's chunks
                # in one write: a write a chunk gives the interpreter lock away each time,
                # and under load (a list being encoded) getting it back is what limits the
                # rate, not encoding.
                out, size = [], 0
                for rv, t, o in pending:
                    data = self._event_line(t, o)
                    out.append(b"%x\r\n%s\r\n" % (len(data), data))
                    size += len(data)
                    since = rv
                    if size > 1 << 20:
                        handler.wfile.write(b"".join(out))
                        out, size = [], 0
                if out:
                    handler.wfile.write(b"".join(out))
                    handler.wfile.flush()
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
