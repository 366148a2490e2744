#!/usr/bin/python3
"""Documents through the national document axis end to end (issue 6, docs/documents.md): the
real gateway with its outbox and inbox on a real redis-server (AOF, fsync always), the axis
SIMULATOR, both fronts. The ministry (G22) sends to the province (H20); the gateway signs and
delivers; the receiver stores, then acknowledges; the province reads the document and answers
with a Status the ministry sees. Also: a retried send is a duplicate, not a second document;
bad, oversized, foreign or signed envelopes are refused and store nothing; a recall names only
the sender's own documents; members see only their own documents; a document the axis refuses
is a dead letter administrators can see and send again.

usage: documents_test.py BUILD_DIR PKI_DIR GEN_PY_DIR"""

import json
import os
import subprocess
import sys
import tempfile
import time
import unittest

BUILD, PKI, GEN_PY = (os.path.abspath(a) for a in sys.argv[1:4])
del sys.argv[1:4]
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(ROOT, "ops"))
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from stack import Stack  # noqa: E402
from documents_support import (DocumentClient, RECIPIENT, SENDER, axis_api, document_id,  # noqa: E402
                               encoded, envelope)

EC = os.path.join(PKI, "ec")


def wait_until(predicate, timeout, what):
    deadline = time.time() + timeout
    while time.time() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what}")


class DocumentsTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.work = tempfile.mkdtemp(prefix="lt-docs-")
        cls.stack = Stack(BUILD, PKI, cls.work, systems=("population", "axis"))
        cls.stack.start()
        cls.ministry = DocumentClient(cls.stack, "member-g22")
        cls.province = DocumentClient(cls.stack, "member-h20")

    @classmethod
    def tearDownClass(cls):
        cls.ministry.close()
        cls.province.close()
        cls.stack.stop()

    def send_ok(self, body, client=None):
        status, headers, raw = (client or self.ministry).send(body)
        self.assertEqual(status, 202, raw[:500])
        answer = json.loads(raw)
        self.assertEqual(headers.get("Location"),
                         "/v1/documents/sent/" + encoded(answer["documentId"]))
        return answer

    def delivered(self, doc_id, client=None):
        def state():
            status, _, raw = (client or self.ministry).sent(doc_id)
            self.assertEqual(status, 200, raw[:300])
            s = json.loads(raw)
            return s if s["state"] == "delivered" else None
        return wait_until(state, 60, f"{doc_id} delivered")

    def received_by(self, client, doc_id):
        def find():
            for r in client.all_received():
                if r["documentId"] == doc_id:
                    return r
            return None
        return wait_until(find, 60, f"{doc_id} received")

    def problem(self, status_raw, status, code):
        got, _, raw = status_raw
        self.assertEqual(got, status, raw[:500])
        self.assertEqual(json.loads(raw)["code"], code, raw[:500])

    def test_sent_delivered_received_and_answered_with_status_03(self):
        attachment = os.urandom(100 * 1024)
        body = envelope(101, attachment)
        first = self.send_ok(body)
        self.assertEqual(first["documentId"], document_id(101))
        self.assertFalse(first["duplicate"])
        self.assertTrue(first["outboxId"].startswith("ob-"))
        # The same bytes again: the first outbox id, nothing new.
        again = self.send_ok(body)
        self.assertTrue(again["duplicate"])
        self.assertEqual(again["outboxId"], first["outboxId"])
        # Other bytes under the same DocumentId: a conflict.
        self.problem(self.ministry.send(envelope(101, b"other")), 400, "BAD_REQUEST")

        state = self.delivered(document_id(101))
        self.assertTrue(state["axisId"].startswith("ax-"))
        summary = self.received_by(self.province, document_id(101))
        self.assertEqual(summary["from"], SENDER[0])
        self.assertEqual(summary["axisId"], state["axisId"])
        self.assertEqual(summary["businessType"], 0)
        status, headers, raw = self.province.get(document_id(101))
        self.assertEqual(status, 200, raw[:300])
        self.assertEqual(headers.get("Content-Type"), "application/xml")
        # The gateway signed it on the way out; the receiving side verified that signature.
        self.assertIn(b"http://www.w3.org/2000/09/xmldsig#", raw)
        self.assertIn(b"V/v th\xe1\xbb\xad nghi\xe1\xbb\x87m", raw)
        self.assertTrue(headers.get("X-Signer-Fingerprint"))
        # Taken off the axis's pending list only after it was stored.
        pending = axis_api(self.stack, "GET", "/documents/pending?organ=" + RECIPIENT[0])
        self.assertNotIn(document_id(101), [d["document_id"] for d in pending["documents"]])

        status, _, raw = self.province.status(document_id(101), "03", "Đã tiếp nhận")
        self.assertEqual(status, 201, raw[:300])
        answer = json.loads(raw)
        self.assertEqual((answer["from"], answer["statusCode"]), (RECIPIENT[0], "03"))
        for client in (self.ministry, self.province):
            status, _, raw = client.history(document_id(101))
            self.assertEqual(status, 200, raw[:300])
            codes = [(s["from"], s["statusCode"]) for s in json.loads(raw)["statuses"]]
            self.assertIn((RECIPIENT[0], "03"), codes)

    def assert_not_stored(self, doc_id):
        self.problem(self.ministry.sent(doc_id), 404, "NOT_FOUND")
        for state in ("accepted", "delivering", "delivered", "dead"):
            status, _, raw = self.stack.admin("GET", f"/admin/v1/documents/outbox?state={state}"
                                              "&limit=1000")
            self.assertEqual(status, 200, raw[:300])
            ids = [d["document_id"] for d in json.loads(raw)["documents"]]
            self.assertNotIn(doc_id, ids)

    def test_refused_envelopes_store_nothing(self):
        good = envelope(201).decode()
        self.problem(self.ministry.send(good[:-40].encode()), 400, "XML_MALFORMED")
        with_dtd = good.replace('<?xml version="1.0" encoding="UTF-8"?>',
                                '<?xml version="1.0"?><!DOCTYPE edXML [<!ENTITY x "y">]>')
        self.problem(self.ministry.send(with_dtd.encode()), 400, "XML_DTD_REFUSED")
        self.problem(self.ministry.send(good.replace("<edXML:Subject>", "<edXML:Secret/>"
                                                     "<edXML:Subject>").encode()),
                     400, "BAD_REQUEST")
        # Subject over 500 characters (QCVN 102).
        self.problem(self.ministry.send(envelope(202, subject="ầ" * 501)), 400, "BAD_REQUEST")
        # A member sends only as its own organ.
        self.problem(self.province.send(envelope(203)), 403, "ACCESS_DENIED")
        # The gateway signs; a signed envelope is refused.
        signed = good.replace("</edXML:edXMLHeader>", "<ds:Signature xmlns:ds=\"http://www.w3.org"
                              "/2000/09/xmldsig#\"/></edXML:edXMLHeader>")
        self.problem(self.ministry.send(signed.replace("201/KT-LT", "204/KT-LT")
                                        .replace("<edXML:CodeNumber>201", "<edXML:CodeNumber>204")
                                        .encode()), 400, "BAD_REQUEST")
        # A member without a documents grant.
        h47 = DocumentClient(self.stack, "member-h47")
        self.problem(h47.send(envelope(205, sender=("001.00.10.H47", "Quảng Nam"))), 403,
                     "ACCESS_DENIED")
        h47.close()
        # Over the route's limit (32 MiB + 64 KiB): refused before it is read whole.
        huge = envelope(206, b"\0" * (25 << 20))
        status, _, raw = self.ministry.send(huge)
        self.assertIn(status, (413, 0), raw[:300])
        for n in (201, 202, 203, 204, 205, 206):
            self.assert_not_stored(document_id(n))
        self.assert_not_stored(document_id(203, organ=RECIPIENT[0]))

    def test_recall_names_only_the_senders_own_document(self):
        original = self.send_ok(envelope(301))["documentId"]
        self.delivered(original)
        recall = self.send_ok(envelope(302, business_type=1, business_ref=original))
        self.assertFalse(recall["duplicate"])
        # A recall of a document this organ did not send through this gateway.
        self.problem(self.ministry.send(envelope(303, business_type=1,
                                                 business_ref=document_id(999, organ="000.00.00.H20"))),
                     400, "BAD_REQUEST")
        self.assert_not_stored(document_id(303))
        # The sender asks the recipients to take the recall (13); the province agrees (15).
        status, _, raw = self.ministry.status(original, "13", "Đề nghị thu hồi")
        self.assertEqual(status, 201, raw[:300])
        summary = self.received_by(self.province, document_id(302))
        self.assertEqual(summary["businessType"], 1)
        self.received_by(self.province, original)
        status, _, raw = self.province.status(original, "15", "Đồng ý thu hồi")
        self.assertEqual(status, 201, raw[:300])
        status, _, raw = self.ministry.history(original)
        codes = [(s["from"], s["statusCode"]) for s in json.loads(raw)["statuses"]]
        self.assertIn((SENDER[0], "13"), codes)
        self.assertIn((RECIPIENT[0], "15"), codes)

    def test_members_see_only_their_own_documents(self):
        doc = self.send_ok(envelope(401))["documentId"]
        self.delivered(doc)
        self.received_by(self.province, doc)
        # The province did not send it; the ministry did not receive it.
        self.problem(self.province.sent(doc), 404, "NOT_FOUND")
        self.problem(self.ministry.get(doc), 404, "NOT_FOUND")
        self.assertNotIn(doc, [r["documentId"] for r in self.ministry.all_received()])
        # A status on a document one neither sent nor received.
        self.problem(self.province.status(document_id(999), "03"), 404, "NOT_FOUND")

    def test_a_document_the_axis_refuses_is_a_dead_letter_admins_see(self):
        # An organ code the axis does not know: 400 unknown_agency, permanent.
        body = envelope(501, recipients=(("000.00.00.H98", "Cơ quan không có trên trục"),))
        doc = self.send_ok(body)["documentId"]

        def dead():
            status, _, raw = self.stack.admin("GET", "/admin/v1/documents/outbox?state=dead")
            self.assertEqual(status, 200, raw[:300])
            return [d for d in json.loads(raw)["documents"] if d["document_id"] == doc]
        [letter] = wait_until(dead, 60, "the dead letter")
        self.assertGreaterEqual(self.stack.metric('lienthong_documents_outbox{state="dead"}'), 1)
        self.assertEqual(self.stack.metric("lienthong_documents_up"), 1)
        self.assertEqual(letter["attempts"], 1)
        self.assertIn("400", letter["last_error"])
        status, _, raw = self.ministry.sent(doc)
        self.assertEqual(json.loads(raw)["state"], "dead")
        status, _, raw = self.stack.admin("POST", "/admin/v1/documents/retry/" + encoded(doc),
                                          body=b"")
        self.assertEqual(status, 200, raw[:300])
        self.assertIn(json.loads(raw)["state"], ("accepted", "delivering", "dead"))
        # Refused again by the axis, dead again: nothing is retried forever.
        wait_until(lambda: dead() and dead()[0]["attempts"] == 1
                   and json.loads(self.ministry.sent(doc)[2])["state"] == "dead",
                   60, "dead again")

    def test_both_fronts_thrift(self):
        """The same operations over Thrift (tools/clients/lookup_client.py)."""
        def client(member, *args):
            out = subprocess.run(
                ["/usr/bin/python3", os.path.join(ROOT, "tools", "clients", "lookup_client.py"),
                 "--host", "127.0.0.1", "--port", str(self.stack.ports["thrift"]),
                 "--cert", f"{EC}/{member}.fullchain.pem", "--key", f"{EC}/{member}.key",
                 "--ca", f"{EC}/root-ca.crt", "--gen-py", GEN_PY, "--json", *args],
                capture_output=True, text=True, timeout=60)
            self.assertEqual(out.returncode, 0, out.stdout + out.stderr)
            return json.loads(out.stdout)
        path = os.path.join(self.work, "thrift-601.xml")
        with open(path, "wb") as f:
            f.write(envelope(601, os.urandom(1 << 20)))
        sent = client("member-g22", "send-document", path)
        self.assertEqual(sent["documentId"], document_id(601))
        wait_until(lambda: client("member-g22", "sent", document_id(601))["state"] == "delivered",
                   60, "delivered")

        def listed():
            return [d for d in client("member-h20", "received")["documents"]
                    if d["documentId"] == document_id(601)]
        wait_until(listed, 60, "received over Thrift")
        out = os.path.join(self.work, "thrift-601-received.xml")
        client("member-h20", "get-document", document_id(601), "-o", out)
        with open(out, "rb") as f:
            self.assertIn(b"xmldsig", f.read())
        answer = client("member-h20", "status", document_id(601), "03", "--description", "Đã nhận")
        self.assertEqual(answer["statusCode"], "03")
        history = client("member-g22", "history", document_id(601))
        self.assertIn(("000.00.00.H20", "03"),
                      [(s["from"], s["statusCode"]) for s in history["statuses"]])


if __name__ == "__main__":
    unittest.main(verbosity=2)
