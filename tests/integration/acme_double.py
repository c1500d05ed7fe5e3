#!/usr/bin/env python3
"""A small ACME server (RFC 8555) for what Pebble cannot show: an order that stays processing,
an order the CA makes invalid, rate limits with Retry-After, e-mail identifiers (RFC 8823),
permanent-identifier ones (a device's serial, as draft-ietf-acme-device-attest has them: an
RFC 4043 otherName in the certificate) and an authorization that wants a challenge the client
cannot answer. Built from the RFC's message
examples; it checks no signature (the client's JWS is checked against Pebble). What it does
depends on the first identifier's value:

  slow.*        the order stays "processing" for 3 polls after finalize, then is valid
  later.*       "processing" with Retry-After: 4 on each answer, valid at the host's second poll
  bad.*         after finalize the order is "invalid" with an error
  limited.*     newOrder answers 429 rateLimited with Retry-After: 7
  challenge.*   the authorization is pending with a dns-01 challenge only
  anything else (a dns name, an ip address, a device serial or an e-mail address): valid at once

Certificates are signed with openssl by a CA of its own (CA.pem in DIR), subject CN = the first
identifier, SANs = the identifiers, extended key usage clientAuth.
Usage: acme_double.py DIR  (writes DIR/port once it listens; DIR/tls.pem is its TLS certificate)
"""
import base64
import http.server
import json
import os
import ssl
import subprocess
import sys
import threading

DIR = sys.argv[1]
lock = threading.Lock()
orders = {}  # id -> {"identifiers", "status", "polls", "certificate"}
counter = [0]


def b64d(text):
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def openssl(*args):
    subprocess.run(["openssl", *args], check=True, capture_output=True)


def issue(order_id, csr_der, identifiers):
    csr = os.path.join(DIR, f"req{order_id}.der")
    with open(csr, "wb") as f:
        f.write(csr_der)
    names, sections = [], ""
    for n, i in enumerate(identifiers):
        if i["type"] == "permanent-identifier":  # RFC 4043's otherName, as the device draft has it
            names.append(f"otherName:1.3.6.1.5.5.7.8.3;SEQUENCE:pi{n}")
            sections += f"[pi{n}]\nvalue=UTF8:{i['value']}\n"
        else:
            names.append({"email": "email:", "ip": "IP:"}.get(i["type"], "DNS:") + i["value"])
    ext = os.path.join(DIR, f"ext{order_id}.cnf")
    with open(ext, "w") as f:
        f.write(f"subjectAltName={','.join(names)}\nextendedKeyUsage=clientAuth\n"
                f"basicConstraints=critical,CA:FALSE\n{sections}")
    leaf = os.path.join(DIR, f"cert{order_id}.pem")
    openssl("x509", "-req", "-inform", "DER", "-in", csr, "-CA", os.path.join(DIR, "CA.pem"),
            "-CAkey", os.path.join(DIR, "CA.key"), "-set_serial", str(1000 + order_id), "-days", "365",
            "-subj", "/CN=" + identifiers[0]["value"], "-extfile", ext, "-out", leaf)
    with open(leaf) as a, open(os.path.join(DIR, "CA.pem")) as b:
        return a.read() + b.read()


class Handler(http.server.BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def base(self):
        return f"https://127.0.0.1:{self.server.server_port}"

    def answer(self, status, body=None, headers=None, content_type="application/json"):
        data = body if isinstance(body, (bytes, str)) else json.dumps(body or {})
        data = data.encode() if isinstance(data, str) else data
        self.send_response(status)
        self.send_header("Replay-Nonce", base64.urlsafe_b64encode(os.urandom(12)).decode().rstrip("="))
        self.send_header("Content-Type", content_type)
        for key, value in (headers or {}).items():
            self.send_header(key, value)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def problem(self, status, kind, detail, headers=None):
        self.answer(status, {"type": "urn:ietf:params:acme:error:" + kind, "detail": detail},
                    headers, "application/problem+json")

    def do_GET(self):
        if self.path == "/dir":
            b = self.base()
            return self.answer(200, {"newNonce": b + "/nonce", "newAccount": b + "/account",
                                     "newOrder": b + "/order", "revokeCert": b + "/revoke",
                                     "keyChange": b + "/key", "meta": {}})
        if self.path == "/nonce":
            return self.answer(204, b"")
        self.answer(404, {})

    def wait(self, o):
        if o["status"] != "processing":
            return None
        return {"Retry-After": "4" if o["identifiers"][0]["value"].startswith("later.") else "1"}

    def order_json(self, order_id):
        o = orders[order_id]
        b = self.base()
        # plain.*: the order names a plain http:// finalize URL (a downgrade the client refuses).
        finalize = (b.replace("https://", "http://") if o["identifiers"][0]["value"].startswith("plain.")
                    else b) + f"/finalize/{order_id}"
        body = {"status": o["status"], "identifiers": o["identifiers"],
                "authorizations": [f"{b}/authz/{order_id}"], "finalize": finalize}
        if o["status"] == "valid":
            body["certificate"] = f"{b}/cert/{order_id}"
        if o["status"] == "invalid":
            body["error"] = {"type": "urn:ietf:params:acme:error:rejectedIdentifier",
                             "detail": "the test CA says no"}
        return body

    def do_POST(self):
        length = int(self.headers.get("Content-Length", 0))
        jws = json.loads(self.rfile.read(length) or b"{}")
        payload = json.loads(b64d(jws["payload"])) if jws.get("payload") else None
        parts = self.path.strip("/").split("/")
        b = self.base()
        with lock:
            if parts[0] == "account":
                return self.answer(201, {"status": "valid"}, {"Location": b + "/account/1"})
            if parts[0] == "order" and len(parts) == 1:
                identifiers = payload["identifiers"]
                first = identifiers[0]["value"]
                if first.startswith("limited."):
                    return self.problem(429, "rateLimited", "too many orders for this account",
                                        {"Retry-After": "7"})
                counter[0] += 1
                # Its authorizations are valid at once (but the challenge scenario's).
                status = "pending" if first.startswith("challenge.") else "ready"
                orders[counter[0]] = {"identifiers": identifiers, "status": status, "polls": 0}
                return self.answer(201, self.order_json(counter[0]), {"Location": f"{b}/order/{counter[0]}"})
            order_id = int(parts[1]) if len(parts) > 1 else 0
            o = orders.get(order_id)
            if o is None:
                return self.problem(404, "malformed", "no such object")
            first = o["identifiers"][0]["value"]
            if parts[0] == "authz":
                ident = o["identifiers"][0]
                if first.startswith("challenge."):
                    return self.answer(200, {"status": "pending", "identifier": ident, "challenges": [
                        {"type": "dns-01", "url": f"{b}/chall/{order_id}", "status": "pending"}]})
                return self.answer(200, {"status": "valid", "identifier": ident, "challenges": []})
            if parts[0] == "finalize":
                if first.startswith("bad."):
                    o["status"] = "invalid"
                else:
                    o["certificate"] = issue(order_id, b64d(payload["csr"]), o["identifiers"])
                    o["status"] = "processing" if first.startswith(("slow.", "later.")) else "valid"
                return self.answer(200, self.order_json(order_id), self.wait(o))
            if parts[0] == "order":
                if o["status"] == "processing":
                    o["polls"] += 1
                    # The client's own short wait (9 polls), then 3 of the host's polls (2 for later.*).
                    if o["polls"] > 9 + (2 if first.startswith("later.") else 3):
                        o["status"] = "valid"
                return self.answer(200, self.order_json(order_id), self.wait(o))
            if parts[0] == "cert":
                return self.answer(200, o["certificate"], None, "application/pem-certificate-chain")
            if parts[0] == "revoke":
                return self.answer(200, b"")
        self.answer(404, {})


def main():
    openssl("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
            "-keyout", os.path.join(DIR, "CA.key"), "-out", os.path.join(DIR, "CA.pem"), "-days", "30",
            "-subj", "/CN=ACME test double CA")
    openssl("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
            "-keyout", os.path.join(DIR, "tls.key"), "-out", os.path.join(DIR, "tls.pem"), "-days", "2",
            "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1")
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(os.path.join(DIR, "tls.pem"), os.path.join(DIR, "tls.key"))
    server.socket = context.wrap_socket(server.socket, server_side=True)
    with open(os.path.join(DIR, "port.tmp"), "w") as f:
        f.write(str(server.server_port))
    os.rename(os.path.join(DIR, "port.tmp"), os.path.join(DIR, "port"))
    server.serve_forever()


main()
