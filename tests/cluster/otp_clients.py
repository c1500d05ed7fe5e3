#!/usr/bin/env python3
"""Clients for the fault tests: one thread per user sends that user's HOTP values in order to
/validate/check, each value twice (the second time a replay), over a kept-alive connection,
until the stop file exists. Prints one line per check: "time user counter try outcome", where
outcome is accept, reject (an answer: wrong or replayed) or error (no answer: the outcome is
unknown, and the client goes on with the next value, as a person would).

usage: otp_clients.py URL USERS SEED_HEX STOP_FILE [PAUSE]
PAUSE: seconds between a user's values (default 0: as fast as the answers come).
"""
import hashlib
import hmac
import http.client
import os
import struct
import sys
import threading
import time
import urllib.parse


def hotp(key: bytes, counter: int) -> str:
    digest = hmac.new(key, struct.pack(">Q", counter), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    value = struct.unpack(">I", digest[offset:offset + 4])[0] & 0x7FFFFFFF
    return f"{value % 1_000_000:06d}"


def client(url, user, key, stop_file, pause, out, lock):
    target = urllib.parse.urlsplit(url)
    connection = None
    counter = 0
    while not os.path.exists(stop_file):
        value = hotp(key, counter)
        for attempt in ("first", "replay"):
            body = urllib.parse.urlencode({"user": user, "realm": "cluster", "pass": value})
            outcome = "error"
            try:
                if connection is None:
                    connection = http.client.HTTPConnection(target.hostname, target.port, timeout=3)
                connection.request("POST", "/validate/check", body,
                                   {"Content-Type": "application/x-www-form-urlencoded"})
                response = connection.getresponse()
                text = response.read()
                if response.status == 200:
                    outcome = "accept" if b'"value":true' in text else "reject"
            except (OSError, http.client.HTTPException):
                connection = None
            if outcome == "error":
                time.sleep(0.05)  # no answer: do not spin while the service is away
            with lock:  # line by line, so that the test sees when answers come back
                out.write(f"{time.time():.3f} {user} {counter} {attempt} {outcome}\n")
                out.flush()
        counter += 1
        time.sleep(pause)


def main():
    url, users, seed, stop_file = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
    pause = float(sys.argv[5]) if len(sys.argv) > 5 else 0.0
    key = bytes.fromhex(seed)
    lock = threading.Lock()
    threads = [threading.Thread(target=client,
                                args=(url, f"user{i}", key, stop_file, pause, sys.stdout, lock))
               for i in range(1, users + 1)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()


if __name__ == "__main__":
    main()
