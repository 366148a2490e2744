#!/usr/bin/python3
"""OCSP through the whole gateway (issue 5): a real `openssl ocsp` responder on loopback answers
for the EC dev intermediate; members whose certificates name a responder are checked by OCSP on
top of the trust directory. Responder down with fail_closed → CERT_UNTRUSTED; responder up →
answered; a certificate the responder says is revoked → CERT_REVOKED.

usage: ocsp_test.py BUILD_DIR PKI_DIR"""

import glob
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import unittest

BUILD, PKI = (os.path.abspath(a) for a in sys.argv[1:3])
del sys.argv[1:3]
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(ROOT, "ops"))
from stack import Stack  # noqa: E402

EC = os.path.join(PKI, "ec")
OFFICER = {"personalId": "001092000001", "account": "canbo.nguyenvana"}


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Responder:
    """`openssl ocsp` as a server over the dev intermediate's index (its revocations)."""

    def __init__(self, port):
        self.port = port
        self.proc = None

    def start(self):
        self.proc = subprocess.Popen(
            ["openssl", "ocsp", "-index", f"{EC}/.ca/intermediate/index.txt", "-port",
             str(self.port), "-rsigner", f"{EC}/ocsp-responder.crt", "-rkey",
             f"{EC}/ocsp-responder.key", "-CA", f"{EC}/intermediate-ca.crt", "-nmin", "5"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            if self.listening():
                return
            time.sleep(0.05)
        raise RuntimeError("openssl ocsp did not start")

    def listening(self):
        """From /proc/net: a probing connection would make the single-threaded responder
        wait for a request on it."""
        want = f":{self.port:04X}"
        for table in ("/proc/net/tcp", "/proc/net/tcp6"):
            with open(table) as f:
                for line in f.readlines()[1:]:
                    fields = line.split()
                    if fields[1].endswith(want) and fields[3] == "0A":  # LISTEN
                        return True
        return False

    def stop(self):
        if self.proc:
            self.proc.terminate()
            self.proc.wait(10)
            self.proc = None


class OcspTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix="lienthong-ocsp-")
        cls.responder = Responder(free_port())
        cls.stack = Stack(BUILD, PKI, os.path.join(cls.tmp, "stack"), log_level="info",
                          ocsp_url=f"http://127.0.0.1:{cls.responder.port}/").start()
        cls.trust = os.path.join(cls.stack.dir, "trust")
        cls.subject = subprocess.run([cls.stack.binary("lienthong-sim"), "ids", "--count", "1"],
                                     capture_output=True, text=True, check=True).stdout.split()[0]

    @classmethod
    def tearDownClass(cls):
        cls.responder.stop()
        cls.stack.stop()
        if not os.environ.get("KEEP"):
            shutil.rmtree(cls.tmp, ignore_errors=True)

    def lookup(self, member, organ):
        body = json.dumps({"subjectId": self.subject, "documentType": "CD01",
                           "purpose": {"dossierCode": f"{organ}-261122-0001",
                                       "procedureCode": "1.001234"},
                           "officer": OFFICER}).encode()
        status, _, raw = self.stack.https("POST", "/v1/lookup", body=body, member=member)
        doc = json.loads(raw)
        return status, doc.get("code", "OK"), doc.get("detail", "")

    def eventually(self, predicate, what, timeout=15):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if predicate():
                return
            time.sleep(0.1)
        self.fail(f"not within {timeout} s: {what}")

    def pin(self, name, organ):
        out = subprocess.run([self.stack.binary("lienthong"), "trust", "pin-member", "--dir",
                              self.trust, f"{EC}/{name}.crt", "--organ", organ],
                             capture_output=True, text=True, timeout=60)
        self.assertEqual(out.returncode, 0, out.stdout + out.stderr)

    def test_ocsp_decides_for_members_that_name_a_responder(self):
        # The CRLs go, so that revocation can only be learnt from the responder.
        for crl in glob.glob(os.path.join(self.trust, "crls", "*")):
            os.unlink(crl)
        self.pin("member-ocsp", "000.00.00.H31")
        self.pin("member-ocsp-revoked", "000.00.00.H32")
        # Responder down, fail_closed: no answer, no trust.
        self.eventually(lambda: self.lookup("member-ocsp", "000.00.00.H31")[1] == "CERT_UNTRUSTED",
                        "H31 refused while the responder is down")
        status, code, detail = self.lookup("member-ocsp", "000.00.00.H31")
        self.assertEqual((status, code), (401, "CERT_UNTRUSTED"))
        self.assertIn("revocation status", detail)
        # The responder is configured for the issuing CA, so it speaks for every certificate of
        # that CA, AIA or not: H20 is refused too while it is down.
        self.assertEqual(self.lookup("member-h20", "000.00.00.H20")[:2], (401, "CERT_UNTRUSTED"))
        self.responder.start()
        self.eventually(lambda: self.lookup("member-ocsp", "000.00.00.H31")[:2] == (200, "OK"),
                        "H31 answered once the responder is up")
        self.assertEqual(self.lookup("member-h20", "000.00.00.H20")[:2], (200, "OK"))
        status, code, detail = self.lookup("member-ocsp-revoked", "000.00.00.H32")
        self.assertEqual((status, code), (401, "CERT_REVOKED"), detail)
        # Cached: the responder going away does not refuse a member with a fresh answer.
        self.responder.stop()
        self.assertEqual(self.lookup("member-ocsp", "000.00.00.H31")[:2], (200, "OK"))


if __name__ == "__main__":
    unittest.main(verbosity=2)
