#!/usr/bin/env python3
"""An HTTP SMS gateway for the tests, shaped like the ones eduMFA's HttpSMSProvider talks to:
GET or POST /send with the phone number and text as parameters, Basic login 'smsuser:smspass'.
Each message it takes is written to DIR/<n>.json ({method, phone, text, account}); it answers
'STATUS=OK' (or 'STATUS=FAIL' for the number +000, and 401 without the login).
Usage: sms_gateway_double.py PORT DIR"""
import base64
import http.server
import itertools
import json
import os
import sys
import urllib.parse

port, folder = int(sys.argv[1]), sys.argv[2]
counter = itertools.count(1)
LOGIN = "Basic " + base64.b64encode(b"smsuser:smspass").decode()


class Handler(http.server.BaseHTTPRequestHandler):
    def answer(self, status, text):
        body = text.encode()
        self.send_response(status)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def take(self, params):
        if self.headers.get("Authorization") != LOGIN:
            return self.answer(401, "login needed")
        phone = params.get("to", [""])[0]
        if phone == "+000":
            return self.answer(200, "STATUS=FAIL")
        message = {"method": self.command, "phone": phone, "text": params.get("msg", [""])[0],
                   "account": params.get("account", [""])[0]}
        name = os.path.join(folder, "%d.json" % next(counter))
        with open(name + ".tmp", "w") as f:
            json.dump(message, f)
        os.rename(name + ".tmp", name)
        self.answer(200, "STATUS=OK")

    def do_GET(self):
        self.take(urllib.parse.parse_qs(urllib.parse.urlparse(self.path).query))

    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", "0"))).decode()
        self.take(urllib.parse.parse_qs(body))

    def log_message(self, *args):
        pass


http.server.ThreadingHTTPServer(("127.0.0.1", port), Handler).serve_forever()
