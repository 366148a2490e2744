#!/usr/bin/python3
"""Integration tests of the exchange (issue 3): real redis-server, lienthong-sim (the population
DB SIMULATOR) and lienthong-gateway on ephemeral loopback ports, driven by curl (a provincial
one-stop system over HTTPS) and python3-thrift (a ministry system over Thrift).

usage: exchange_test.py BUILD_DIR PKI_DIR GEN_PY_DIR"""

import json
import os
import shutil
import subprocess
import sys
import tempfile
import unittest

BUILD, PKI, GEN_PY = (os.path.abspath(a) for a in sys.argv[1:4])
del sys.argv[1:4]
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(ROOT, "ops"))
sys.path.insert(0, os.path.join(ROOT, "tools", "clients"))
from stack import Stack  # noqa: E402

EC = os.path.join(PKI, "ec")
DOSSIER = {"dossierCode": "000.00.00.G22-261122-0001", "procedureCode": "1.001234"}
OFFICER = {"personalId": "001092000001", "account": "canbo.nguyenvana"}


def citizens(stack, n, offset):
    """Valid personal IDs of the simulator's data set (asked from the simulator itself)."""
    out = subprocess.run([stack.binary("lienthong-sim"), "ids", "--count", str(n),
                          "--offset", str(offset)], capture_output=True, text=True, check=True)
    return out.stdout.split()


def curl_lookup(stack, subject, member="member-h20", body=None, content_type="application/json"):
    """POST /v1/lookup with curl and a client certificate: (status, parsed body or text)."""
    if body is None:
        body = json.dumps({"subjectId": subject, "documentType": "CD01", "purpose": DOSSIER,
                           "officer": OFFICER})
    out = subprocess.run(
        ["curl", "-sS", "--cacert", f"{EC}/root-ca.crt", "--cert", f"{EC}/{member}.fullchain.pem",
         "--key", f"{EC}/{member}.key", "-H", f"Content-Type: {content_type}",
         "--data-binary", "@-", "-w", "\n%{http_code}",
         f"https://127.0.0.1:{stack.ports['http']}/v1/lookup"],
        input=body, capture_output=True, text=True, timeout=60)
    text, _, status = out.stdout.rpartition("\n")
    if out.returncode != 0:
        return 0, out.stderr
    try:
        return int(status), json.loads(text)
    except ValueError:
        return int(status), text


def thrift_lookup(stack, subject, member="member-g22", **extra):
    out = subprocess.run(
        ["/usr/bin/python3", os.path.join(ROOT, "tools", "clients", "lookup_client.py"),
         "--host", "127.0.0.1", "--port", str(stack.ports["thrift"]), "--cert",
         f"{EC}/{member}.fullchain.pem", "--key", f"{EC}/{member}.key", "--ca",
         f"{EC}/root-ca.crt", "--gen-py", GEN_PY, "--subject", subject, "--doc-type", "CD01",
         "--dossier", DOSSIER["dossierCode"], "--procedure", DOSSIER["procedureCode"],
         "--officer-id", OFFICER["personalId"], "--officer-account", OFFICER["account"],
         "--json", *sum(([f"--{k.replace('_', '-')}", str(v)] for k, v in extra.items()), [])],
        capture_output=True, text=True, timeout=60)
    try:
        return out.returncode, json.loads(out.stdout)
    except ValueError:
        return out.returncode, {"stdout": out.stdout, "stderr": out.stderr}


class ExchangeTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix="lienthong-it-")
        cls.stack = Stack(BUILD, PKI, cls.tmp, log_level="info").start()
        cls.ids = citizens(cls.stack, 40, 1000)

    @classmethod
    def tearDownClass(cls):
        cls.stack.stop()
        if os.environ.get("KEEP_TMP") is None:
            shutil.rmtree(cls.tmp, ignore_errors=True)

    def sim_lookups(self):
        return self.stack.sim_request("GET", "/sim/stats")["lookups"]

    def test_01_https_first_fetched_then_cache_hit(self):
        subject = self.ids[0]
        hits = self.stack.metric('lienthong_cache_lookups_total{result="hit"}')
        status, first = curl_lookup(self.stack, subject)
        self.assertEqual(status, 200, first)
        self.assertFalse(first["fromCache"])
        self.assertEqual(first["record"]["subjectId"], subject)
        # The provincial member may receive only its granted fields.
        self.assertIn("ho_va_ten", first["record"]["fields"])
        self.assertNotIn("cha.ho_va_ten", first["record"]["fields"])
        status, second = curl_lookup(self.stack, subject)
        self.assertEqual(status, 200, second)
        self.assertTrue(second["fromCache"])
        self.assertEqual(second["record"]["fields"], first["record"]["fields"])
        self.assertEqual(self.stack.metric('lienthong_cache_lookups_total{result="hit"}'), hits + 1)

    def test_02_thrift_ministry_lookup_and_envelope_verifies(self):
        subject = self.ids[1]
        rc, first = thrift_lookup(self.stack, subject,
                                  envelope_out=os.path.join(self.tmp, "envelope.xml"))
        self.assertEqual(rc, 0, first)
        self.assertFalse(first["fromCache"])
        rc, second = thrift_lookup(self.stack, subject)
        self.assertEqual(rc, 0, second)
        self.assertTrue(second["fromCache"])
        verify = subprocess.run([self.stack.binary("lienthong"), "verify-xml",
                                 os.path.join(self.tmp, "envelope.xml"), "--trusted",
                                 f"{EC}/root-ca.crt"], capture_output=True, text=True)
        self.assertEqual(verify.returncode, 0, verify.stdout + verify.stderr)
        self.assertTrue(json.loads(verify.stdout)["valid"])

    def test_03_xml_body_returns_the_signed_envelope(self):
        body = (f'<LookupRequest xmlns="urn:lienthong:exchange:1"><SubjectId>{self.ids[2]}'
                f'</SubjectId><DocumentType>CD01</DocumentType><Purpose><DossierCode>'
                f'{DOSSIER["dossierCode"]}</DossierCode><ProcedureCode>{DOSSIER["procedureCode"]}'
                f'</ProcedureCode></Purpose><Officer><PersonalId>{OFFICER["personalId"]}'
                f'</PersonalId><Account>{OFFICER["account"]}</Account></Officer></LookupRequest>')
        status, text = curl_lookup(self.stack, None, body=body, content_type="application/xml")
        self.assertEqual(status, 200, text)
        self.assertIn("<LookupResponse", text)
        self.assertIn("SignatureValue", text)

    def test_04_bad_upstream_signature_is_refused_and_not_cached(self):
        subject = self.ids[3]
        self.stack.sim_request("POST", "/sim/knobs", json.dumps({"bad_signature_rate": 1.0}).encode())
        try:
            status, problem = curl_lookup(self.stack, subject)
        finally:
            self.stack.sim_request("POST", "/sim/knobs", json.dumps({"bad_signature_rate": 0.0}).encode())
        self.assertEqual(problem.get("code"), "UPSTREAM_BAD_SIGNATURE", problem)
        self.assertEqual(status, problem["status"])
        status, again = curl_lookup(self.stack, subject)
        self.assertEqual(status, 200, again)
        self.assertFalse(again["fromCache"], "a badly signed answer must not have been cached")

    def test_05_refused_members(self):
        for member, code in (("member-h47", "ACCESS_DENIED"), ("member-revoked", "CERT_REVOKED"),
                             ("member-expired", "CERT_EXPIRED")):
            status, problem = curl_lookup(self.stack, self.ids[4], member=member)
            self.assertEqual(problem.get("code") if isinstance(problem, dict) else problem, code)
            self.assertIn(status, (401, 403))
        rc, err = thrift_lookup(self.stack, self.ids[4], member="member-revoked")
        self.assertEqual((rc, err.get("error")), (1, "CERT_REVOKED"), err)

    def test_06_purpose_required(self):
        body = json.dumps({"subjectId": self.ids[5], "documentType": "CD01",
                           "purpose": {"dossierCode": "", "procedureCode": ""}, "officer": OFFICER})
        status, problem = curl_lookup(self.stack, None, body=body)
        self.assertEqual(problem.get("code"), "PURPOSE_REQUIRED", problem)
        self.assertEqual(status, problem["status"])

    def test_07_malformed_id_makes_no_upstream_call(self):
        before = self.sim_lookups()
        for bad in ("12345", "003092008262", "0260920082AB"):
            status, problem = curl_lookup(self.stack, bad)
            self.assertEqual((status, problem.get("code")), (400, "BAD_REQUEST"), problem)
        self.assertEqual(self.sim_lookups(), before)

    def test_08_redis_killed_answers_still_right(self):
        subject = self.ids[6]
        status, first = curl_lookup(self.stack, subject)
        self.assertEqual(status, 200, first)
        self.stack.stop_redis()
        try:
            status, during = curl_lookup(self.stack, subject)
            self.assertEqual(status, 200, during)
            self.assertFalse(during["fromCache"])
            self.assertEqual(during["record"]["fields"], first["record"]["fields"])
            status, _, ready = self.stack.https("GET", "/readyz")
            self.assertEqual(status, 200)
            self.assertEqual(json.loads(ready)["status"], "degraded")
            self.assertEqual(self.stack.metric("lienthong_cache_up"), 0)
        finally:
            self.stack.start_redis(self.stack.ports["redis"])

    def test_99_audit_verifies_and_tampering_is_caught(self):
        # Runs last (name order): stop the gateway so the audit is closed.
        status, _ = curl_lookup(self.stack, self.ids[7])
        self.assertEqual(status, 200)
        self.stack.stop_gateway()
        audit_dir = os.path.join(self.tmp, "audit")
        lienthong = self.stack.binary("lienthong")
        ok = subprocess.run([lienthong, "audit", "verify", audit_dir], capture_output=True, text=True)
        self.assertEqual(ok.returncode, 0, ok.stdout + ok.stderr)
        segments = sorted(f for f in os.listdir(audit_dir) if f.endswith(".log"))
        path = os.path.join(audit_dir, segments[0])
        with open(path, encoding="utf-8") as f:
            lines = f.read().splitlines(keepends=True)
        self.assertGreater(len(lines), 10)
        # Never record contents: no citizen's name or address in the audit.
        self.assertNotIn("ho_va_ten", "".join(lines))
        target = len(lines) // 2
        lines[target] = lines[target].replace('"cache_hit":false', '"cache_hit":true', 1) \
            if '"cache_hit":false' in lines[target] else lines[target].replace('"OK"', '"NOT_FOUND"', 1)
        with open(path, "w", encoding="utf-8") as f:
            f.write("".join(lines))
        bad = subprocess.run([lienthong, "audit", "verify", audit_dir], capture_output=True, text=True)
        self.assertEqual(bad.returncode, 1, bad.stdout + bad.stderr)
        self.assertIn(f"line {target + 1}", bad.stdout + bad.stderr)


if __name__ == "__main__":
    unittest.main(verbosity=2)
