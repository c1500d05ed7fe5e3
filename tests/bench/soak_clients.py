#!/usr/bin/env python3
"""The soak's load and its samples. Threads call every API family at a moderate pace, each
request's answer checked; every 10 s one line of figures is appended to OUT (CSV): time,
the server's RSS and its plugin processes' RSS (MB), its open file descriptors, the database's
connections, and the requests, failures and p50/p99 latency (ms) of those 10 s.

usage: soak_clients.py URL ADMIN_TOKEN SERVER_PID PSQL_URL DATABASE CSR_FILE SECONDS OUT
SOAK_SKIP (environment): families left out, comma-separated (right_otps, wrong_otps, token_life,
certificates, reading, logins), to find which one a trend comes from.
"""
import hashlib
import hmac
import http.client
import json
import os
import struct
import subprocess
import sys
import threading
import time
import urllib.parse

url, admin, server_pid, psql_url, database, csr_file, seconds, out = sys.argv[1:9]
server_pid, seconds = int(server_pid), int(seconds)
target = urllib.parse.urlsplit(url)
csr = open(csr_file).read()
seed = bytes.fromhex("3132333435363738393031323334353637383930")
lock = threading.Lock()
latencies, failures = [], [0]
failure_examples = []
stop = time.time() + seconds


def hotp(counter):
    digest = hmac.new(seed, struct.pack(">Q", counter), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    value = struct.unpack(">I", digest[offset:offset + 4])[0] & 0x7FFFFFFF
    return f"{value % 1_000_000:06d}"


class Client:
    def __init__(self):
        self.connection = http.client.HTTPConnection(target.hostname, target.port, timeout=30)

    def call(self, method, path, form=None, token=admin, expect=200):
        """One request; returns its JSON (or text). An unexpected status counts a failure."""
        body = urllib.parse.urlencode(form) if form is not None else None
        headers = {"Content-Type": "application/x-www-form-urlencoded"} if body else {}
        if token:
            headers["Authorization"] = token
        started = time.monotonic()
        try:
            self.connection.request(method, path, body, headers)
            response = self.connection.getresponse()
            text = response.read()
            status = response.status
        except (OSError, http.client.HTTPException) as e:
            self.connection.close()
            self.connection = http.client.HTTPConnection(target.hostname, target.port, timeout=30)
            text, status = str(e).encode(), 0
        elapsed = (time.monotonic() - started) * 1000
        with lock:
            latencies.append(elapsed)
            if status != expect:
                failures[0] += 1
                if len(failure_examples) < 5:
                    failure_examples.append(f"{method} {path} -> {status} {text[:200]!r}")
        try:
            return json.loads(text)
        except ValueError:
            return None


def loop(pause, step):
    client = Client()
    state = {"n": 0}
    while time.time() < stop:
        step(client, state)
        state["n"] += 1
        time.sleep(pause)


def right_otps(client, state):  # a user's correct HOTP values, one after another
    answer = client.call("POST", "/validate/check",
                         {"user": "soak", "realm": "soak", "pass": hotp(state["n"])}, token=None)
    if not (answer and answer.get("result", {}).get("value") is True):
        with lock:
            failures[0] += 1


def wrong_otps(client, state):  # wrong values for a user whose token never locks
    client.call("POST", "/validate/check", {"user": "wrong", "realm": "soak", "pass": "000000"},
                token=None)


def token_life(client, state):  # enroll, list, read, delete
    answer = client.call("POST", "/token/init",
                         {"type": "hotp", "genkey": "1", "user": "soak", "realm": "soak"})
    serial = answer and answer.get("detail", {}).get("serial")
    client.call("GET", "/token/?user=soak&realm=soak")
    if serial:
        client.call("GET", f"/token/?serial={serial}")
        client.call("DELETE", f"/token/{serial}")


def certificates(client, state):  # a certificate from a CSR, revoked; now and then the CRL
    answer = client.call("POST", "/token/init", {"type": "certificate", "user": "soak",
                                                 "realm": "soak", "ca": "soak",
                                                 "profile": "user", "request": csr})
    serial = answer and answer.get("detail", {}).get("serial")
    if serial:
        client.call("POST", "/token/revoke", {"serial": serial})
        client.call("DELETE", f"/token/{serial}")
    if state["n"] % 20 == 0:  # a relying party fetching the CRL: signs it anew when stale
        client.call("GET", "/ca/soak/crl", token=None)


def reading(client, state):  # what an admin's pages read
    for path in ("/user/?realm=soak", "/realm/", "/policy/", "/audit/?page_size=20",
                 "/event/outbox", "/caconnector/", "/system/plugins"):
        client.call("GET", path)
    client.call("GET", "/healthz", token=None)
    client.call("GET", "/metrics", token=None)


def logins(client, state):  # an admin logs in (Argon2: the costly one)
    client.call("POST", "/auth", {"username": "admin", "password": os.environ["SOAK_PASSWORD"]},
                token=None)


def rss_mb(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


def children(pid):
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as f:
                    if int(f.read().rsplit(")", 1)[1].split()[1]) == pid:
                        found.append(int(entry))
            except (OSError, ValueError, IndexError):
                pass
    return found


def sample(started):
    with lock:
        window = sorted(latencies)
        latencies.clear()
        failed = failures[0]
        failures[0] = 0
    p = lambda q: window[min(len(window) - 1, int(q * len(window)))] if window else 0.0
    connections = subprocess.run(
        ["psql", psql_url, "-qAtc",
         f"SELECT COUNT(*) FROM pg_stat_activity WHERE datname = '{database}'"],
        capture_output=True, text=True, stdin=subprocess.DEVNULL).stdout.strip() or "0"
    kids = sum(rss_mb(c) for c in children(server_pid))
    return (f"{time.time() - started:.0f},{rss_mb(server_pid):.1f},{kids:.1f},"
            f"{len(os.listdir(f'/proc/{server_pid}/fd'))},{connections},{len(window)},{failed},"
            f"{p(0.5):.1f},{p(0.99):.1f}")


def main():
    families = [(0.01, right_otps), (0.01, wrong_otps), (0.2, token_life), (0.5, certificates),
                (0.5, reading), (2.0, logins)]
    skip = os.environ.get("SOAK_SKIP", "").split(",")
    threads = [threading.Thread(target=loop, args=f) for f in families if f[1].__name__ not in skip]
    started = time.time()
    for thread in threads:
        thread.start()
    with open(out, "w") as f:
        f.write("seconds,rss_mb,plugins_rss_mb,fds,db_connections,requests,failures,p50_ms,p99_ms\n")
        while time.time() < stop:
            time.sleep(min(10, max(0, stop - time.time())))
            f.write(sample(started) + "\n")
            f.flush()
    for thread in threads:
        thread.join()
    for example in failure_examples:
        print("failure:", example, file=sys.stderr)


if __name__ == "__main__":
    main()
