#!/usr/bin/env python3
"""A test double of Microsoft AD CS's two enrollment web services, for what cannot run here.

Written for the tests from the published descriptions, not from Microsoft code:
  - MS-WSTEP (the Certificate Enrollment Web Service, CES): WS-Trust 1.3 RequestSecurityToken
    over SOAP 1.2 with WS-Addressing; RequestType Issue (a PKCS#10 BinarySecurityToken and a
    CertificateTemplate context item) and QueryTokenStatus (a RequestID); the answers the
    specification describes: a RequestSecurityTokenResponseCollection with the certificate and
    its PKCS#7 chain (issued), one with a RequestID and no token (pending), a SOAP fault with
    CertificateEnrollmentWSDetail (denied, or a request it refuses).
  - certsrv Web Enrollment: certfnsh.asp (the request form), certnew.cer / certnew.p7b by
    ReqID, and the CA chain at certnew.p7b?ReqID=CACert, with the phrases the pages carry.

It is strict: a request off the schema (wrong SOAP action, no RequestType, a token type or
value type it does not know, a CSR that is no base64 DER, a form without its fields) is
refused, so a sloppy client fails the tests. Certificates are real: a root and an
intermediate made with openssl sign them.

Endpoints (HTTPS; DIR/tls.pem is the server's certificate, DIR/root.pem the CA's root):
  /CES_Basic/service.svc/CES             WSTEP, HTTP Basic login
  /CES_UsernamePassword/service.svc/CES  WSTEP, WS-Security UsernameToken login
  /CES_Kerberos/service.svc/CES          WSTEP, HTTP Negotiate (Kerberos, python3-gssapi): a
                                         ticket for HTTP/127.0.0.1 from svc-tessera or
                                         svc-keytab (KRB5_KTNAME names the service's keytab)
  /CES_Certificate/service.svc/CES       WSTEP, a TLS client certificate (DIR/client.pem and
                                         DIR/client.key, made here, CN=svc-tessera)
  /CEP_Basic/service.svc/CEP             MS-XCEP GetPolicies, HTTP Basic login: the templates
                                         User, Approval and Denied
  /CEP_UsernamePassword/service.svc/CEP  the same with a UsernameToken
  /certsrv/...                           Web Enrollment, HTTP Basic login
  /CES_Other/service.svc/CES             WSTEP, HTTP Basic login, answering as a service that is
                                         not AD CS may (what the protocols allow, seen in the
                                         field): the template only from the request itself (the
                                         template name extension of the PKCS#10, or a CMC
                                         request's RegInfo), else (or for a template it does not
                                         have) HTTP 403 in plain text; request
                                         ids of 39 digits (template LongId: of 100 characters);
                                         denials as faults marked InvalidRequest with
                                         CERTSRV_E_ADMIN_DENIED_REQUEST, after which it forgets
                                         the request; an unknown id is a plain-text HTTP 500
  /CEP_Other/service.svc/CEP             GetPolicies for it, HTTP Basic login
  POST /manager/approve/N, /manager/deny/N   the CA manager's decision on a pending request
The login is CORP\\svc-tessera with the password in DIR/password. The template decides:
User issues at once, Approval waits for the manager, anything else is denied by the policy
(on the AD CS endpoints, a policy denial at once is a fault marked InvalidRequest with the
admin-denied code, as CES sends it; the manager's denial is InvalidRequest false).
Usage: msca_double.py DIR  (writes DIR/port once it listens)
"""
import base64
import http.server
import os
import re
import ssl
import subprocess
import sys
import threading
import urllib.parse
import xml.etree.ElementTree as ET

DIR = sys.argv[1]
USER = "CORP\\svc-tessera"
lock = threading.Lock()
requests = {}  # id -> {"status": issued|pending|denied, "chain": [pem...], "message"}
counter = [40]

SOAP = "http://www.w3.org/2003/05/soap-envelope"
WSA = "http://www.w3.org/2005/08/addressing"
WST = "http://docs.oasis-open.org/ws-sx/ws-trust/200512"
WSSE = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd"
ENR = "http://schemas.microsoft.com/windows/pki/2009/01/enrollment"
AUTH = "http://schemas.xmlsoap.org/ws/2006/12/authorization"
X509V3 = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-x509-token-profile-1.0#X509v3"
PKCS7 = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-x509-token-profile-1.0#PKCS7"
BASE64 = WSSE + "#base64binary"
RST_ACTION = ENR + "/RST/wstep"
RSTRC_ACTION = ENR + "/RSTRC/wstep"


def password():
    with open(os.path.join(DIR, "password")) as f:
        return f.read().strip()


# Certificates are made in real time even when the double runs under faketime (to look at
# tickets from the future).
REAL_TIME = {k: v for k, v in os.environ.items() if k not in ("LD_PRELOAD", "FAKETIME")}


def openssl(*args, data=None):
    return subprocess.run(["openssl", *args], check=True, capture_output=True, input=data,
                          env=REAL_TIME).stdout


def path(name):
    return os.path.join(DIR, name)


def make_ca():
    openssl("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
            "-keyout", path("root.key"), "-out", path("root.pem"), "-days", "30",
            "-subj", "/DC=example/DC=corp/CN=Corp Root CA", "-addext", "basicConstraints=critical,CA:TRUE",
            "-addext", "keyUsage=critical,keyCertSign,cRLSign")
    openssl("req", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
            "-keyout", path("issuing.key"), "-out", path("issuing.csr"), "-subj",
            "/DC=example/DC=corp/CN=Corp Issuing CA")
    with open(path("issuing.cnf"), "w") as f:
        f.write("basicConstraints=critical,CA:TRUE,pathlen:0\nkeyUsage=critical,keyCertSign,cRLSign\n")
    openssl("x509", "-req", "-in", path("issuing.csr"), "-CA", path("root.pem"), "-CAkey", path("root.key"),
            "-set_serial", "2", "-days", "30", "-extfile", path("issuing.cnf"), "-out", path("issuing.pem"))
    openssl("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
            "-keyout", path("tls.key"), "-out", path("tls.pem"), "-days", "2",
            "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1")
    # The service account's client certificate, from a CA of its own.
    openssl("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
            "-keyout", path("client_ca.key"), "-out", path("client_ca.pem"), "-days", "2",
            "-subj", "/CN=Client CA")
    openssl("req", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
            "-keyout", path("client.key"), "-out", path("client.csr"), "-subj", "/CN=svc-tessera")
    with open(path("client.cnf"), "w") as f:
        f.write("extendedKeyUsage=clientAuth\n")
    openssl("x509", "-req", "-in", path("client.csr"), "-CA", path("client_ca.pem"), "-CAkey",
            path("client_ca.key"), "-set_serial", "7", "-days", "2", "-extfile", path("client.cnf"),
            "-out", path("client.pem"))


def read(name):
    with open(path(name)) as f:
        return f.read()


def issue(request_id, csr_der):
    """Signs the request as a template with "supply in the request" does: its subject and
    alternative names, extended key usage client authentication."""
    csr = path(f"req{request_id}.der")
    with open(csr, "wb") as f:
        f.write(csr_der)
    with open(path("leaf.cnf"), "w") as f:
        f.write("basicConstraints=critical,CA:FALSE\nextendedKeyUsage=clientAuth\n")
    leaf = path(f"cert{request_id}.pem")
    openssl("x509", "-req", "-inform", "DER", "-in", csr, "-CA", path("issuing.pem"), "-CAkey",
            path("issuing.key"), "-set_serial", str(0x6100000000 + request_id), "-days", "365",
            "-copy_extensions", "copy", "-extfile", path("leaf.cnf"), "-out", leaf)
    return [read(f"cert{request_id}.pem"), read("issuing.pem"), read("root.pem")]


def pkcs7(pems):
    files = []
    for i, pem in enumerate(pems):
        name = path(f"p7-{threading.get_ident()}-{i}.pem")
        with open(name, "w") as f:
            f.write(pem)
        files += ["-certfile", name]
    return openssl("crl2pkcs7", "-nocrl", *files, "-outform", "DER")


def der_of(pem):
    return openssl("x509", "-outform", "DER", data=pem.encode())


def valid_csr(der):
    try:
        openssl("req", "-inform", "DER", "-noout", "-verify", data=der)
        return True
    except subprocess.CalledProcessError:
        return False


OTHER_ID_BASE = 10 ** 38  # the Other service's ids: 39 digits (a UUID as an integer)


def new_request(csr_der, template, other=False):
    """What the CA does with a request: by template."""
    with lock:
        counter[0] += 1
        request_id = counter[0] + (OTHER_ID_BASE if other else 0)
        if other and template == "LongId":
            request_id = int("7" * 100)
            requests[request_id] = {"status": "pending", "csr": csr_der}
            return request_id
        if template == "User":
            requests[request_id] = {"status": "issued", "chain": issue(request_id, csr_der)}
        elif template == "Approval":
            requests[request_id] = {"status": "pending", "csr": csr_der}
        else:
            requests[request_id] = {"status": "denied", "message": "Denied by Policy Module",
                                    "invalid": True}
        return request_id


class Refused(Exception):
    pass


# --- DER, for the template a request carries (the Other service reads only that) -------------
def der_items(data):
    """The (tag, content) items of one level of DER."""
    items, at = [], 0
    while at < len(data):
        tag, length = data[at], data[at + 1]
        at += 2
        if length & 0x80:
            count = length & 0x7F
            length = int.from_bytes(data[at:at + count], "big")
            at += count
        items.append((tag, data[at:at + length]))
        at += length
    return items


def der_oid(content):
    numbers, value = [], 0
    for byte in content:
        value = (value << 7) | (byte & 0x7F)
        if not byte & 0x80:
            numbers.append(value)
            value = 0
    first = min(numbers[0] // 40, 2)
    return ".".join(str(n) for n in [first, numbers[0] - 40 * first] + numbers[1:])


def template_in_csr(csr_der):
    """The certificate template name extension (1.3.6.1.4.1.311.20.2) of a PKCS#10, or None."""
    info = der_items(der_items(csr_der)[0][1])[0][1]
    for tag, attributes in der_items(info):
        if tag != 0xA0:
            continue
        for _, attribute in der_items(attributes):
            oid, values = der_items(attribute)
            if der_oid(oid[1]) != "1.2.840.113549.1.9.14":
                continue
            for _, extension in der_items(der_items(values[1])[0][1]):
                parts = der_items(extension)
                if der_oid(parts[0][1]) == "1.3.6.1.4.1.311.20.2":
                    name = der_items(parts[-1][1])[0]
                    return name[1].decode("utf-16-be") if name[0] == 0x1E else None
    return None


def cmc_contents(cms_der):
    """A CMC Full PKI Request's PKCS#10 (DER) and RegInfo pairs. Raises Refused for what is
    not one: not CMS (openssl reads it), not PKIData, unsigned, not one PKCS#10."""
    try:
        openssl("cms", "-cmsout", "-inform", "DER", "-noout", data=cms_der)
    except subprocess.CalledProcessError:
        raise Refused("The request is neither a PKCS#10 nor a CMS message")
    content_type, signed = der_items(der_items(cms_der)[0][1])
    if der_oid(content_type[1]) != "1.2.840.113549.1.7.2":
        raise Refused("The CMS message is not SignedData")
    parts = der_items(der_items(signed[1])[0][1])
    encapsulated = der_items(parts[2][1])
    if der_oid(encapsulated[0][1]) != "1.3.6.1.5.5.7.12.2":
        raise Refused("The CMS content is not CMC PKIData")
    if not der_items(parts[-1][1]):
        raise Refused("The CMC request is not signed. 0x8009200e")
    signer = der_items(der_items(parts[-1][1])[0][1])
    algorithms = [content for tag, content in signer if tag == 0x30]
    if der_oid(der_items(algorithms[-1])[0][1]) != "1.3.6.1.5.5.7.6.2":
        raise Refused("This double takes only null-signed CMC requests (id-alg-noSignature)")
    octets = der_items(encapsulated[1][1])[0][1]  # [0] EXPLICIT OCTET STRING of PKIData
    pki_data = der_items(der_items(octets)[0][1])
    controls, requests_ = der_items(pki_data[0][1]), der_items(pki_data[1][1])
    if len(requests_) != 1 or requests_[0][0] != 0xA0:
        raise Refused("The CMC request carries not exactly one PKCS#10. 0x8007000d")
    body_part, csr = der_items(requests_[0][1])
    pairs = {}
    for _, control in controls:
        _, oid, values = der_items(control)
        if der_oid(oid[1]) == "1.3.6.1.5.5.7.7.18":
            for _, text in der_items(values[1]):
                for pair in text.decode().split("&"):
                    if "=" in pair:
                        name, value = pair.split("=", 1)
                        pairs[urllib.parse.unquote(name)] = urllib.parse.unquote(value)
    return bytes([0x30]) + der_length(len(csr[1])) + csr[1], pairs


def der_length(n):
    if n < 0x80:
        return bytes([n])
    raw = n.to_bytes((n.bit_length() + 7) // 8, "big")
    return bytes([0x80 | len(raw)]) + raw


def b64(data):
    return base64.b64encode(data).decode()


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def reply(self, status, body, content_type, headers=None):
        data = body.encode() if isinstance(body, str) else body
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        for key, value in (headers or {}).items():
            self.send_header(key, value)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def basic_ok(self):
        header = self.headers.get("Authorization", "")
        expected = "Basic " + b64(f"{USER}:{password()}".encode())
        if header == expected:
            return True
        self.reply(401, "<html><body>401 - Unauthorized</body></html>", "text/html",
                   {"WWW-Authenticate": 'Basic realm="ca.corp.example"'})
        return False

    def negotiate_ok(self):
        """HTTP Negotiate (RFC 4559) with one round: a valid Kerberos ticket or 401."""
        import gssapi  # only this endpoint needs it

        header = self.headers.get("Authorization", "")
        if header.startswith("Negotiate "):
            try:
                context = gssapi.SecurityContext(creds=gssapi.Credentials(usage="accept"), usage="accept")
                answer = context.step(base64.b64decode(header[len("Negotiate "):]))
                who = str(context.initiator_name)
                if context.complete and who in ("svc-tessera@TESSERA.TEST", "svc-keytab@TESSERA.TEST"):
                    self.negotiated = b64(answer) if answer else None
                    return True
            except Exception:  # a ticket GSS-API does not take (expired, forged, not ours)
                pass
        self.reply(401, "<html><body>401 - Unauthorized</body></html>", "text/html",
                   {"WWW-Authenticate": "Negotiate"})
        return False

    def certificate_ok(self):
        peer = self.connection.getpeercert()
        subject = dict(item[0] for item in peer.get("subject", ())) if peer else {}
        if subject.get("commonName") == "svc-tessera":
            return True
        self.reply(403, "<html><body>403 - Forbidden: a client certificate is required</body></html>",
                   "text/html")
        return False

    def body(self):
        # Read once, before any answer: a 401 must leave the connection clean for the retry
        # with credentials (curl's Negotiate sends it on the same connection).
        if not hasattr(self, "data"):
            self.data = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        return self.data

    # --- the CA manager ---------------------------------------------------------------------
    def manager(self, decision, request_id):
        with lock:
            r = requests.get(request_id)
            if not r or r["status"] != "pending":
                return self.reply(409, "not pending", "text/plain")
            if decision == "approve":
                r.update(status="issued", chain=issue(request_id, r["csr"]))
            else:
                r.update(status="denied", message="Denied by the CA manager", invalid=False)
        self.reply(200, "ok", "text/plain")

    # --- MS-WSTEP ---------------------------------------------------------------------------
    def fault(self, reason, code=-2147024809, request_id=None, subcode=None, invalid=False):
        sub = (f'<s:Subcode><s:Value xmlns:o="{WSSE}">o:{subcode}</s:Value></s:Subcode>'
               if subcode else "")
        detail = (f'<s:Detail><CertificateEnrollmentWSDetail xmlns="{ENR}" '
                  f'xmlns:i="http://www.w3.org/2001/XMLSchema-instance"><BinaryResponse i:nil="true"/>'
                  f'<ErrorCode>{code}</ErrorCode><InvalidRequest>{"true" if invalid else "false"}'
                  f'</InvalidRequest><RequestID>{request_id if request_id is not None else ""}</RequestID>'
                  f'</CertificateEnrollmentWSDetail></s:Detail>') if not subcode else ""
        body = (f'<s:Envelope xmlns:s="{SOAP}" xmlns:a="{WSA}"><s:Header><a:Action s:mustUnderstand="1">'
                f'http://www.w3.org/2005/08/addressing/soap/fault</a:Action></s:Header><s:Body><s:Fault>'
                f'<s:Code><s:Value>s:{"Sender" if subcode or invalid else "Receiver"}</s:Value>{sub}</s:Code>'
                f'<s:Reason><s:Text xml:lang="en-US">{reason}</s:Text></s:Reason>{detail}</s:Fault>'
                f'</s:Body></s:Envelope>')
        self.reply(500, body, "application/soap+xml; charset=utf-8")

    def rstrc(self, relates_to, request_id, r):
        if r["status"] == "issued":
            chain = b64(pkcs7(r["chain"]))
            leaf = b64(der_of(r["chain"][0]))
            token = (f'<BinarySecurityToken ValueType="{PKCS7}" EncodingType="{BASE64}" xmlns="{WSSE}">'
                     f'{chain}</BinarySecurityToken><RequestedSecurityToken><BinarySecurityToken '
                     f'ValueType="{X509V3}" EncodingType="{BASE64}" xmlns="{WSSE}">{leaf}'
                     f'</BinarySecurityToken></RequestedSecurityToken>')
            disposition = "Issued"
        else:
            token, disposition = "", "Taken Under Submission"
        body = (f'<s:Envelope xmlns:s="{SOAP}" xmlns:a="{WSA}"><s:Header><a:Action s:mustUnderstand="1">'
                f'{RSTRC_ACTION}</a:Action><a:RelatesTo>{relates_to}</a:RelatesTo></s:Header><s:Body>'
                f'<RequestSecurityTokenResponseCollection xmlns="{WST}"><RequestSecurityTokenResponse>'
                f'<TokenType>{X509V3}</TokenType><DispositionMessage xml:lang="en-US" xmlns="{ENR}">'
                f'{disposition}</DispositionMessage>{token}<RequestID xmlns="{ENR}">{request_id}</RequestID>'
                f'</RequestSecurityTokenResponse></RequestSecurityTokenResponseCollection></s:Body></s:Envelope>')
        self.reply(200, body, "application/soap+xml; charset=utf-8")

    def wstep(self, login, other=False):
        username_token = login == "usernametoken"
        if login == "basic" and not self.basic_ok():
            return
        if login == "negotiate" and not self.negotiate_ok():
            return
        if login == "certificate" and not self.certificate_ok():
            return
        content_type = self.headers.get("Content-Type", "")
        if not content_type.startswith("application/soap+xml"):
            return self.fault("The content type is not SOAP 1.2 (application/soap+xml)", invalid=True)
        action = re.search(r'action="([^"]*)"', content_type)
        if not action or action.group(1) != RST_ACTION:
            return self.fault("The content type names no SOAP action, or another than " + RST_ACTION,
                              invalid=True)
        try:
            envelope = ET.fromstring(self.body())
        except ET.ParseError as e:
            return self.fault("The message is not XML: " + str(e), invalid=True)
        ns = {"s": SOAP, "a": WSA, "t": WST, "o": WSSE, "e": ENR, "auth": AUTH}
        if envelope.tag != f"{{{SOAP}}}Envelope":
            return self.fault("Not a SOAP 1.2 envelope", invalid=True)
        if envelope.findtext("s:Header/a:Action", namespaces=ns) != RST_ACTION:
            return self.fault("The WS-Addressing Action is not " + RST_ACTION, invalid=True)
        message_id = envelope.findtext("s:Header/a:MessageID", namespaces=ns)
        to = envelope.findtext("s:Header/a:To", namespaces=ns) or ""
        if not message_id or to != f"https://127.0.0.1:{self.server.server_port}{self.path}":
            return self.fault("The WS-Addressing MessageID or To is missing or wrong", invalid=True)
        if username_token:
            user = envelope.findtext("s:Header/o:Security/o:UsernameToken/o:Username", namespaces=ns)
            secret = envelope.findtext("s:Header/o:Security/o:UsernameToken/o:Password", namespaces=ns)
            if user != USER or secret != password():
                return self.fault("An error occurred when verifying security for the message.",
                                  subcode="FailedAuthentication")
        rst = envelope.find("s:Body/t:RequestSecurityToken", ns)
        if rst is None:
            return self.fault("The body has no RequestSecurityToken", invalid=True)
        if rst.findtext("t:TokenType", namespaces=ns) != X509V3:
            return self.fault("The token type is not X509v3", invalid=True)
        request_type = rst.findtext("t:RequestType", namespaces=ns)
        if request_type == WST + "/Issue":
            token = rst.find("o:BinarySecurityToken", ns)
            value_type = token.get("ValueType") if token is not None else None
            if value_type not in (ENR + "#PKCS10", ENR + "#PKCS7") or token.get("EncodingType") != BASE64:
                return self.fault("The request has no PKCS#10 or PKCS#7 BinarySecurityToken", invalid=True)
            try:
                der = base64.b64decode(token.text or "", validate=True)
            except ValueError:
                return self.fault("The request is not base64", invalid=True)
            # The template the request itself names: a CMC request's RegInfo, or the PKCS#10's
            # template name extension.
            try:
                if value_type == ENR + "#PKCS7":
                    der, pairs = cmc_contents(der)
                    in_request = pairs.get("CertificateTemplate")
                else:
                    in_request = None
                if not valid_csr(der):
                    return self.fault("The PKCS#10 is not a signed DER certificate request", invalid=True)
                if value_type == ENR + "#PKCS10":
                    in_request = template_in_csr(der)
            except Refused as e:
                return self.fault(str(e), invalid=True)
            except (IndexError, ValueError, UnicodeDecodeError):
                return self.fault("The request is not well-formed DER", invalid=True)
            context = None
            for item in rst.findall("auth:AdditionalContext/auth:ContextItem", ns):
                if item.get("Name") == "CertificateTemplate":
                    context = item.findtext("auth:Value", namespaces=ns)
            if other:
                if in_request not in ("User", "Approval", "Denied", "LongId"):
                    return self.reply(403, "The requested template is not valid.", "text/plain")
                template = in_request
            else:
                if in_request and context and in_request != context:
                    return self.fault("The request names two templates", invalid=True)
                template = context or in_request
            if not template:
                return self.fault("The request names no CertificateTemplate", invalid=True)
            request_id = new_request(der, template, other)
        elif request_type == ENR + "/QueryTokenStatus":
            text = rst.findtext("e:RequestID", namespaces=ns) or ""
            if not text.isdigit():
                return self.fault("QueryTokenStatus needs a RequestID", invalid=True)
            request_id = int(text)
        else:
            return self.fault(f"Unknown RequestType {request_type}", invalid=True)
        with lock:
            r = requests.get(request_id)
            if r is None:
                if other:
                    return self.reply(500, f"Unknown request {request_id}", "text/plain")
                return self.fault(f"The request {request_id} was not found. 0x80094003", code=-2146877437,
                                  request_id=request_id)
            if r["status"] == "denied":
                if other:  # denied is forgotten once said
                    del requests[request_id]
                return self.fault(r["message"], code=-2146877420, request_id=request_id,
                                  invalid=other or r.get("invalid", False))
            return self.rstrc(message_id, request_id, dict(r))

    # --- MS-XCEP -----------------------------------------------------------------------------
    def xcep(self, login):
        if login == "basic" and not self.basic_ok():
            return
        action = ENR + "policy/IPolicy/GetPolicies"
        if f'action="{action}"' not in self.headers.get("Content-Type", ""):
            return self.fault("The content type names no GetPolicies action", invalid=True)
        try:
            envelope = ET.fromstring(self.body())
        except ET.ParseError as e:
            return self.fault("The message is not XML: " + str(e), invalid=True)
        ns = {"s": SOAP, "a": WSA, "p": ENR + "policy"}
        if login == "usernametoken":
            ns["o"] = WSSE
            user = envelope.findtext("s:Header/o:Security/o:UsernameToken/o:Username", namespaces=ns)
            secret = envelope.findtext("s:Header/o:Security/o:UsernameToken/o:Password", namespaces=ns)
            if user != USER or secret != password():
                return self.fault("An error occurred when verifying security for the message.",
                                  subcode="FailedAuthentication")
        if envelope.findtext("s:Header/a:Action", namespaces=ns) != action or \
                envelope.find("s:Body/p:GetPolicies/p:client", ns) is None:
            return self.fault("Not a GetPolicies request", invalid=True)
        policies = "".join(
            f"<policy><policyOIDReference>{i}</policyOIDReference><cAs><cAReference>0</cAReference></cAs>"
            f"<attributes><commonName>{name}</commonName><policySchema>2</policySchema></attributes></policy>"
            for i, name in enumerate(["User", "Approval", "Denied"]))
        body = (f'<s:Envelope xmlns:s="{SOAP}" xmlns:a="{WSA}"><s:Header><a:Action s:mustUnderstand="1">'
                f'{action}Response</a:Action></s:Header><s:Body><GetPoliciesResponse xmlns="{ENR}policy">'
                f'<response><policyID>{{1E0B4A2C}}</policyID><policyFriendlyName>Corp</policyFriendlyName>'
                f'<nextUpdateHours>8</nextUpdateHours><policies>{policies}</policies></response>'
                f'</GetPoliciesResponse></s:Body></s:Envelope>')
        self.reply(200, body, "application/soap+xml; charset=utf-8")

    # --- certsrv ----------------------------------------------------------------------------
    def page(self, text):
        self.reply(200, f"<html><head><title>Microsoft Active Directory Certificate Services</title></head>"
                        f"<body><font face=Arial>{text}</font></body></html>", "text/html")

    def certsrv_get(self, query):
        if query.get("Enc") != ["b64"] or "ReqID" not in query:
            return self.page("The disposition message is \"The parameter is incorrect. 0x80070057\".")
        rid = query["ReqID"][0]
        if self.path.startswith("/certsrv/certnew.p7b") and rid == "CACert":
            chain = b64(pkcs7([read("issuing.pem"), read("root.pem")]))
            return self.reply(200, "-----BEGIN CERTIFICATE-----\r\n" + chain + "\r\n-----END CERTIFICATE-----\r\n",
                              "application/x-pkcs7-certificates")
        if not rid.isdigit():
            return self.page("The disposition message is \"The parameter is incorrect. 0x80070057\".")
        with lock:
            r = requests.get(int(rid))
            r = dict(r) if r else None
        if r is None:
            return self.page("The disposition message is \"Request not found. 0x80094003\".")
        if r["status"] == "pending":
            return self.page("Certificate Pending: Your certificate request is still pending. "
                             "You must wait for an administrator to issue the certificate you requested.")
        if r["status"] == "denied":
            return self.page("Your certificate request was denied. Contact your administrator for "
                             f"further information. The disposition message is \"{r['message']}\".")
        if self.path.startswith("/certsrv/certnew.p7b"):
            return self.reply(200, "-----BEGIN CERTIFICATE-----\r\n" + b64(pkcs7(r["chain"])) +
                              "\r\n-----END CERTIFICATE-----\r\n", "application/x-pkcs7-certificates")
        self.reply(200, r["chain"][0], "application/pkix-cert")

    def certsrv_post(self):
        if self.headers.get("Content-Type", "") != "application/x-www-form-urlencoded":
            return self.page("The disposition message is \"The request is not a form. 0x80070057\".")
        form = urllib.parse.parse_qs(self.body().decode(), keep_blank_values=True)
        if form.get("Mode") != ["newreq"] or form.get("SaveCert") != ["yes"] or "TargetStoreFlags" not in form:
            return self.page("The disposition message is \"The form is not complete. 0x80070057\".")
        pem = form.get("CertRequest", [""])[0]
        try:
            der = openssl("req", "-outform", "DER", data=pem.encode())
        except subprocess.CalledProcessError:
            return self.page("Your certificate request was denied. The disposition message is "
                             "\"Error Parsing Request ASN1 bad tag value met. 0x8009310b\".")
        attributes = dict(a.split(":", 1) for a in form.get("CertAttrib", [""])[0].splitlines() if ":" in a)
        template = attributes.get("CertificateTemplate")
        # A hostile (or broken) page: a link or a request id followed by 200,000 digits.
        if template == "HostileLink":
            return self.page('<a href="certnew.cer?ReqID=' + "7" * 200000 + '&amp;Enc=b64">x</a>')
        if template == "HostileId":
            return self.page("Your Request Id is " + "7" * 200000 + ".")
        if not template:
            return self.page("Your certificate request was denied. The disposition message is "
                             "\"The request contains no certificate template information. 0x80094801\".")
        request_id = new_request(der, template)
        with lock:
            r = dict(requests[request_id])
        if r["status"] == "issued":
            return self.page("Certificate Issued. The certificate you requested was issued to you. "
                             f'<a href="certnew.cer?ReqID={request_id}&amp;Enc=b64">Download certificate</a> '
                             f'<a href="certnew.p7b?ReqID={request_id}&amp;Enc=b64">Download certificate chain</a>')
        if r["status"] == "pending":
            return self.page("Certificate Pending. Your certificate request has been received. However, you "
                             "must wait for an administrator to issue the certificate you requested. "
                             f"<br>Your Request Id is {request_id}.")
        self.page("Certificate Request Denied. Your certificate request was denied. "
                  f"The disposition message is \"{r['message']}\".")

    # --- dispatch ---------------------------------------------------------------------------
    def do_GET(self):
        parsed = urllib.parse.urlparse(self.path)
        if parsed.path in ("/certsrv/certnew.cer", "/certsrv/certnew.p7b"):
            if self.basic_ok():
                self.certsrv_get(urllib.parse.parse_qs(parsed.query))
            return
        self.reply(404, "<html><body>404 - File or directory not found.</body></html>", "text/html")

    def do_POST(self):
        self.__dict__.pop("data", None)
        self.body()
        m = re.fullmatch(r"/manager/(approve|deny)/(\d+)", self.path)
        if m:
            return self.manager(m.group(1), int(m.group(2)))
        if self.path == "/CES_Other/service.svc/CES":
            return self.wstep("basic", other=True)
        logins = {"/CES_Basic/service.svc/CES": "basic",
                  "/CES_UsernamePassword/service.svc/CES": "usernametoken",
                  "/CES_Kerberos/service.svc/CES": "negotiate",
                  "/CES_Certificate/service.svc/CES": "certificate"}
        if self.path in logins:
            return self.wstep(logins[self.path])
        if self.path in ("/CEP_Basic/service.svc/CEP", "/CEP_Other/service.svc/CEP"):
            return self.xcep("basic")
        if self.path == "/CEP_UsernamePassword/service.svc/CEP":
            return self.xcep("usernametoken")
        if self.path == "/certsrv/certfnsh.asp":
            if self.basic_ok():
                self.certsrv_post()
            return
        self.body()
        self.reply(404, "<html><body>404 - File or directory not found.</body></html>", "text/html")


def main():
    make_ca()
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(path("tls.pem"), path("tls.key"))
    context.verify_mode = ssl.CERT_OPTIONAL  # asked of /CES_Certificate only
    context.load_verify_locations(path("client_ca.pem"))
    server.socket = context.wrap_socket(server.socket, server_side=True)
    with open(path("port.tmp"), "w") as f:
        f.write(str(server.server_port))
    os.rename(path("port.tmp"), path("port"))
    server.serve_forever()


main()
