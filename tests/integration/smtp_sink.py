#!/usr/bin/python3
"""An SMTP server for the tests (aiosmtpd): stores each mail in the Maildir DIR.
Usage: smtp_sink.py PORT DIR MODE [CERT KEY [USER PASSWORD]]
MODE: plain; starttls (STARTTLS offered and required); tls (implicit TLS). With USER and
PASSWORD, AUTH LOGIN/PLAIN is required and checked."""
import asyncio
import ssl
import sys

from aiosmtpd.controller import Controller
from aiosmtpd.handlers import Mailbox
from aiosmtpd.smtp import AuthResult, LoginPassword

port, folder, mode = int(sys.argv[1]), sys.argv[2], sys.argv[3]
context = None
if mode in ("starttls", "tls"):
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(sys.argv[4], sys.argv[5])
user = password = None
if len(sys.argv) > 7:
    user, password = sys.argv[6].encode(), sys.argv[7].encode()


def authenticator(server, session, envelope, mechanism, data):
    ok = isinstance(data, LoginPassword) and data.login == user and data.password == password
    return AuthResult(success=ok)


options = {}
if mode == "starttls":
    options.update(tls_context=context, require_starttls=True)
if user:
    options.update(authenticator=authenticator, auth_required=True, auth_require_tls=True)
controller = Controller(Mailbox(folder), hostname="127.0.0.1", port=port,
                        ssl_context=context if mode == "tls" else None, **options)
controller.start()
try:
    asyncio.get_event_loop().run_forever()
finally:
    controller.stop()
