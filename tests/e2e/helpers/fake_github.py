"""A fake GitHub REST API on loopback for the tests of `modelgate comment` and
the composite action: the endpoints they use, with paging, injected faults,
and a record of every request.

    fake_github.py --port-file F --token TOKEN [--timeout S]

Writes the chosen port to F once it listens; exits after --timeout seconds so
a test that dies never leaves it behind.

Endpoints (OWNER/NAME is any repository):
  GET   /user                                   403 "Resource not accessible by
                                                integration" (an Actions token), or
                                                the state's "user" when set
  GET   /repos/O/N/commits/SHA/pulls            the state's pulls[SHA] (default [])
  GET   /repos/O/N/issues/PR/comments           page_size a page (state, default
                                                100, never more than per_page),
                                                with Link rel="next"/"last"
  POST  /repos/O/N/issues/PR/comments           201, author = the state's "bot"
  PATCH /repos/O/N/issues/comments/ID           200, or 404 for an unknown ID
Any request whose Authorization is not "Bearer TOKEN" gets 401.

Control (not part of GitHub, never recorded):
  POST /__setup  {"comments": {"PR": [comment, ...]}, "pulls": {"SHA": [...]},
                  "user": {...} | null, "bot": {...}, "page_size": N,
                  "faults": [{"method": "GET", "path": "REGEX", "status": 502,
                              "times": 2, "headers": {...}, "body": {...}}]}
                 replaces the whole state and empties the record
  GET  /__log    the record: [{"method", "path", "auth_ok", "body"}, ...]
  GET  /__state  the comments by pull request
"""
import argparse
import json
import re
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

ap = argparse.ArgumentParser()
ap.add_argument("--port-file", required=True)
ap.add_argument("--token", required=True)
ap.add_argument("--timeout", type=float, default=300)
args = ap.parse_args()

lock = threading.Lock()
DEFAULT_BOT = {"login": "github-actions[bot]", "type": "Bot", "id": 41898282}


def fresh_state(setup):
    s = {
        "comments": {str(k): list(v) for k, v in setup.get("comments", {}).items()},
        "pulls": setup.get("pulls", {}),
        "user": setup.get("user"),
        "bot": setup.get("bot", DEFAULT_BOT),
        "page_size": int(setup.get("page_size", 100)),
        "faults": [dict(f) for f in setup.get("faults", [])],
        "next_id": 1000,
        "log": [],
    }
    for cs in s["comments"].values():
        for c in cs:
            s["next_id"] = max(s["next_id"], int(c["id"]) + 1)
    return s


state = fresh_state({})


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *a):
        pass

    def send(self, status, obj, headers=None):
        data = json.dumps(obj).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        for k, v in (headers or {}).items():
            self.send_header(k, str(v))
        self.end_headers()
        self.wfile.write(data)

    def body(self):
        n = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(n) if n else b""

    def handle_any(self, method):
        global state
        raw = self.body()
        url = urlsplit(self.path)
        path = url.path
        query = parse_qs(url.query)
        if path == "/__setup":
            with lock:
                state = fresh_state(json.loads(raw or b"{}"))
            return self.send(200, {"ok": True})
        if path == "/__log":
            with lock:
                return self.send(200, state["log"])
        if path == "/__state":
            with lock:
                return self.send(200, state["comments"])
        with lock:
            try:
                parsed = json.loads(raw) if raw else None
            except ValueError:
                parsed = {"unparsable": raw.decode("utf-8", "replace")}
            state["log"].append({
                "method": method,
                "path": self.path,
                "auth_ok": self.headers.get("Authorization") == "Bearer " + args.token,
                "api_version": self.headers.get("X-GitHub-Api-Version"),
                "body": parsed,
            })
            if self.headers.get("Authorization") != "Bearer " + args.token:
                return self.send(401, {"message": "Bad credentials"})
            for f in state["faults"]:
                if f.get("times", 1) > 0 and f.get("method", method) == method and \
                        re.search(f["path"], path):
                    f["times"] = f.get("times", 1) - 1
                    return self.send(f["status"], f.get("body", {"message": "fault"}),
                                     f.get("headers"))
            return self.route(method, path, query, parsed)

    def route(self, method, path, query, body):
        m = re.fullmatch(r"/repos/[^/]+/[^/]+/commits/([0-9a-fA-F]+)/pulls", path)
        if m and method == "GET":
            return self.send(200, state["pulls"].get(m.group(1), []))
        if path == "/user" and method == "GET":
            if state["user"] is None:
                return self.send(403, {"message": "Resource not accessible by integration"})
            return self.send(200, state["user"])
        m = re.fullmatch(r"/repos/([^/]+/[^/]+)/issues/(\d+)/comments", path)
        if m and method == "GET":
            cs = state["comments"].get(m.group(2), [])
            per = min(int(query.get("per_page", ["30"])[0]), state["page_size"])
            page = int(query.get("page", ["1"])[0])
            last = max(1, (len(cs) + per - 1) // per)
            headers = {}
            base = "http://%s/repos/%s/issues/%s/comments?per_page=%s&page=" % (
                self.headers.get("Host"), m.group(1), m.group(2), query.get("per_page", ["30"])[0])
            links = []
            if page < last:
                links.append('<%s%d>; rel="next"' % (base, page + 1))
                links.append('<%s%d>; rel="last"' % (base, last))
            if links:
                headers["Link"] = ", ".join(links)
            return self.send(200, cs[(page - 1) * per: page * per], headers)
        if m and method == "POST":
            c = {"id": state["next_id"], "body": body["body"], "user": state["bot"],
                 "html_url": "https://github.com/%s/pull/%s#issuecomment-%d" % (
                     m.group(1), m.group(2), state["next_id"])}
            state["next_id"] += 1
            state["comments"].setdefault(m.group(2), []).append(c)
            return self.send(201, c)
        m = re.fullmatch(r"/repos/[^/]+/[^/]+/issues/comments/(\d+)", path)
        if m and method == "PATCH":
            for cs in state["comments"].values():
                for c in cs:
                    if c["id"] == int(m.group(1)):
                        c["body"] = body["body"]
                        return self.send(200, c)
            return self.send(404, {"message": "Not Found"})
        return self.send(404, {"message": "Not Found"})

    def do_GET(self):
        self.handle_any("GET")

    def do_POST(self):
        self.handle_any("POST")

    def do_PATCH(self):
        self.handle_any("PATCH")


server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
with open(args.port_file + ".tmp", "w") as f:
    f.write(str(server.server_address[1]))
import os  # noqa: E402

os.replace(args.port_file + ".tmp", args.port_file)
threading.Thread(target=server.serve_forever, daemon=True).start()
time.sleep(args.timeout)
