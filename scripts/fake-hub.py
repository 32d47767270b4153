#!/usr/bin/env python3
"""A local stand-in for the Hugging Face hub, for offline tests of the hub client.

Serves files the way huggingface.co serves them to its clients:
  GET /<org>/<name>/resolve/<revision>/<file>             (model repositories)
  GET /datasets/<org>/<name>/resolve/<revision>/<file>    (dataset repositories)
from a folder laid out as  ROOT/models/<org>/<name>/<file>  and  ROOT/datasets/<org>/<name>/<file>.

Like the hub it answers range requests (206 with Content-Range), names the revision in
X-Repo-Commit, gives large files (LFS: .safetensors, .parquet, .bin) X-Linked-Etag = their
sha256 and X-Linked-Size, and small files an ETag = their git blob sha1; a missing file is a 404
with X-Error-Code: EntryNotFound.

Faults, to test what a client does with a failing hub (--fail, for every file whose path
contains --fail-match):  404, 500, or `truncate` (sends the full Content-Length, then half of
the body, then closes).

Every request is appended to --log as one line: METHOD PATH RANGE.
Prints the port it listens on (first line of stdout) and serves until killed.

  python3 scripts/fake-hub.py --root DIR [--port 0] [--log FILE] [--fail 404|500|truncate]
"""
import argparse
import hashlib
import os
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

COMMIT = "f00dfeedf00dfeedf00dfeedf00dfeedf00dfeed"
LFS = (".safetensors", ".parquet", ".bin", ".ot", ".model")


def git_sha1(data):
    return hashlib.sha1(b"blob %d\0" % len(data) + data).hexdigest()


class Hub(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):  # quiet: the request log is the record
        pass

    def record(self):
        with LOCK, open(ARGS.log, "a") as f:
            f.write(f"{self.command} {self.path} {self.headers.get('Range', '-')}\n")

    def locate(self):
        parts = self.path.split("?")[0].lstrip("/").split("/")
        kind = "models"
        if parts and parts[0] == "datasets":
            kind, parts = "datasets", parts[1:]
        if len(parts) < 5 or parts[2] != "resolve":
            return None
        return os.path.join(ARGS.root, kind, parts[0], parts[1], *parts[4:])

    def reply(self, code, headers, body=b""):
        self.send_response(code)
        headers.setdefault("Content-Length", str(len(body)))
        for k, v in headers.items():
            self.send_header(k, v)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def do_HEAD(self):
        self.do_GET()

    def do_GET(self):
        if ARGS.log:
            self.record()
        path = self.locate()
        base = {"X-Repo-Commit": COMMIT}
        faulty = ARGS.fail and ARGS.fail_match in self.path
        if faulty and ARGS.fail == "404" or path is None or not os.path.isfile(path):
            return self.reply(404, {**base, "X-Error-Code": "EntryNotFound"}, b"Entry not found")
        if faulty and ARGS.fail == "500":
            return self.reply(500, base, b"Internal Error")
        data = open(path, "rb").read()
        if path.endswith(LFS):
            base["X-Linked-Etag"] = '"%s"' % hashlib.sha256(data).hexdigest()
            base["X-Linked-Size"] = str(len(data))
            base["ETag"] = '"%s"' % git_sha1(data)
        else:
            base["ETag"] = '"%s"' % git_sha1(data)
        start, end = 0, len(data) - 1
        rng = self.headers.get("Range")
        if rng and rng.startswith("bytes="):
            a, _, b = rng[6:].partition("-")
            start = int(a or 0)
            end = min(int(b), len(data) - 1) if b else len(data) - 1
        body = data[start:end + 1]
        headers = dict(base)
        code = 200
        if rng:
            code = 206
            headers["Content-Range"] = f"bytes {start}-{end}/{len(data)}"
        if faulty and ARGS.fail == "truncate" and len(body) > 1:
            self.send_response(code)
            for k, v in {**headers, "Content-Length": str(len(body))}.items():
                self.send_header(k, v)
            self.end_headers()
            self.wfile.write(body[: len(body) // 2])
            self.wfile.flush()
            self.close_connection = True
            return
        self.reply(code, headers, body)


def main():
    global ARGS
    p = argparse.ArgumentParser()
    p.add_argument("--root", required=True)
    p.add_argument("--port", type=int, default=0)
    p.add_argument("--log", default="")
    p.add_argument("--fail", choices=["404", "500", "truncate"], default="")
    p.add_argument("--fail-match", default="")
    ARGS = p.parse_args()
    server = ThreadingHTTPServer(("127.0.0.1", ARGS.port), Hub)
    print(server.server_address[1], flush=True)
    server.serve_forever()


LOCK = threading.Lock()
ARGS = None
if __name__ == "__main__":
    sys.exit(main())
