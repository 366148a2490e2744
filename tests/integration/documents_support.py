"""What the document tests share: edXML envelopes to send, and an HTTPS client for the document
routes that keeps one connection per thread and says what happened instead of raising.
Only the Python standard library (run with /usr/bin/python3)."""

import base64
import http.client
import json
import os
import ssl
import sys
import urllib.parse

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__)))), "tools", "clients"))
from edxml_envelope import RECIPIENT, SENDER, document_id, envelope  # noqa: E402,F401


def encoded(doc_id):
    """A DocumentId as one path segment."""
    return urllib.parse.quote(doc_id, safe="")


class DocumentClient:
    """The gateway's HTTPS document routes as one member, over one kept-alive connection.
    Every call returns (status, headers, body); a transport failure is status 0 and the
    connection is opened again on the next call."""

    def __init__(self, stack, member="member-g22", timeout=30):
        self.stack = stack
        self.member = member
        self.timeout = timeout
        self.conn = None

    def _connect(self):
        ctx = self.stack.tls_context(self.member)
        self.conn = http.client.HTTPSConnection("127.0.0.1", self.stack.ports["http"],
                                                context=ctx, timeout=self.timeout)

    def call(self, method, path, body=None, content_type="application/xml"):
        if self.conn is None:
            self._connect()
        headers = {"Content-Type": content_type} if body is not None else {}
        try:
            self.conn.request(method, path, body=body, headers=headers)
            r = self.conn.getresponse()
            data = r.read()
            if r.getheader("Connection", "").lower() == "close":
                self.close()
            return r.status, dict(r.getheaders()), data
        except (OSError, http.client.HTTPException, ssl.SSLError) as e:
            self.close()
            return 0, {}, str(e).encode()

    def close(self):
        if self.conn is not None:
            try:
                self.conn.close()
            except OSError:
                pass
        self.conn = None

    # The routes (docs/documents.md).
    def send(self, edxml):
        return self.call("POST", "/v1/documents", edxml)

    def sent(self, doc_id):
        return self.call("GET", "/v1/documents/sent/" + encoded(doc_id))

    def received(self, after=0, limit=1000):
        return self.call("GET", f"/v1/documents/received?after={after}&limit={limit}")

    def get(self, doc_id):
        return self.call("GET", "/v1/documents/received/" + encoded(doc_id))

    def status(self, doc_id, code, description=""):
        body = json.dumps({"statusCode": code, "description": description}).encode()
        return self.call("POST", f"/v1/documents/{encoded(doc_id)}/status", body,
                         "application/json")

    def history(self, doc_id):
        return self.call("GET", f"/v1/documents/{encoded(doc_id)}/status")

    def all_received(self):
        """Every received document's summary, paging with `after`."""
        out, after = [], 0
        while True:
            status, _, body = self.received(after)
            if status != 200:
                raise AssertionError(f"received: {status} {body[:300]!r}")
            page = json.loads(body)
            out += page["documents"]
            if not page["documents"]:
                return out
            after = page["next"]


def axis_api(stack, method, path):
    """JSON from the axis SIMULATOR's own API (not /sim/*): a bearer token first, as the
    gateway gets one (client credentials of the dev stack)."""
    import urllib.request
    ec = os.path.join(stack.pki, "ec")
    ctx = ssl.create_default_context(cafile=f"{ec}/root-ca.crt")
    ctx.load_cert_chain(f"{ec}/gateway-client.fullchain.pem", f"{ec}/gateway-client.key")
    base = f"https://127.0.0.1:{stack.ports['axis']}"
    credentials = base64.b64encode(b"lienthong-dev:dev-secret-not-for-production").decode()
    req = urllib.request.Request(base + "/token", data=b"grant_type=client_credentials",
                                 method="POST")
    req.add_header("Authorization", "Basic " + credentials)
    req.add_header("Content-Type", "application/x-www-form-urlencoded")
    with urllib.request.urlopen(req, context=ctx, timeout=10) as r:
        token = json.loads(r.read())["access_token"]
    req = urllib.request.Request(base + path, method=method)
    req.add_header("Authorization", "Bearer " + token)
    with urllib.request.urlopen(req, context=ctx, timeout=10) as r:
        return json.loads(r.read() or b"{}")
