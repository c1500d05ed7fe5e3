#!/usr/bin/env python3
"""A webhook receiver for the tests: accepts POSTs whose X-Tessera-Signature is the HMAC-SHA256
of the body under SECRET (answers 401 otherwise) and writes each accepted body to
DIR/<n>.json. Usage: webhook_receiver.py PORT SECRET DIR [FAIL_FILE]
While FAIL_FILE exists, every POST is answered 500 and nothing is written (an outage)."""
import hashlib
import hmac
import http.server
import itertools
import os
import sys

port, secret, folder = int(sys.argv[1]), sys.argv[2].encode(), sys.argv[3]
fail_file = sys.argv[4] if len(sys.argv) > 4 else None
counter = itertools.count(1)


class Handler(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        if fail_file and os.path.exists(fail_file):
            self.send_response(500)
            self.end_headers()
            return
        expected = "sha256=" + hmac.new(secret, body, hashlib.sha256).hexdigest()
        given = self.headers.get("X-Tessera-Signature", "")
        if not hmac.compare_digest(expected, given):
            self.send_response(401)
            self.end_headers()
            return
        name = os.path.join(folder, "%d.json" % next(counter))
        with open(name + ".tmp", "wb") as f:
            f.write(body)
        os.rename(name + ".tmp", name)
        self.send_response(200)
        self.end_headers()

    def log_message(self, *args):
        pass


http.server.ThreadingHTTPServer(("127.0.0.1", port), Handler).serve_forever()
