#!/usr/bin/python3
"""Writes a PSKC file with Debian's python3-pskc (not Tessera's code), for the import tests.

usage: make_pskc.py OUT psk HEXKEY | password PASSWORD | plain
  keys: TOK-HOTP (HOTP, RFC 4226's seed, counter 5, 6 digits) and TOK-TOTP (TOTP, the same
  seed, 30 s, 8 digits)."""
import sys

import pskc

SEED = bytes.fromhex('3132333435363738393031323334353637383930')

out, mode = sys.argv[1], sys.argv[2]
container = pskc.PSKC()
container.add_key(id='TOK-HOTP', serial='TOK-HOTP', secret=SEED, counter=5, response_length=6,
                  algorithm='urn:ietf:params:xml:ns:keyprov:pskc:hotp', issuer='Acme')
container.add_key(id='TOK-TOTP', serial='TOK-TOTP', secret=SEED, time_interval=30,
                  response_length=8, algorithm='urn:ietf:params:xml:ns:keyprov:pskc:totp')
if mode == 'psk':
    container.encryption.setup_preshared_key(key=bytes.fromhex(sys.argv[3]))
elif mode == 'password':
    container.encryption.setup_pbkdf2(sys.argv[3])
container.write(out)
