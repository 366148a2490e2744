#!/usr/bin/python3
"""The admin API end to end (issue 5 item 5): a real stack (redis-server, lienthong-sim,
lienthong-gateway on ephemeral ports, ops/stack.py) with [admin] on its own HTTPS port, driven
with python's ssl/urllib as the dev administrator (admin-g22) and as a member. Changes made
through the API are in force when the call returns; refused ones change nothing; every admin
action is in the audit with the administrator's identity.

usage: admin_api_test.py BUILD_DIR PKI_DIR"""

import glob
import json
import os
import shutil
import subprocess
import sys
import tempfile
import unittest

BUILD, PKI = (os.path.abspath(a) for a in sys.argv[1:3])
del sys.argv[1:3]
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(ROOT, "ops"))
from stack import Stack  # noqa: E402

EC = os.path.join(PKI, "ec")
DOSSIER = {"dossierCode": "000.00.00.H20-261122-0001", "procedureCode": "1.001234"}
OFFICER = {"personalId": "001092000001", "account": "canbo.nguyenvana"}
MISSES = 'lienthong_cache_lookups_total{result="miss"}'


def read(path):
    with open(path, encoding="utf-8") as f:
        return f.read()


def sha256_of(cert):
    out = subprocess.run(["openssl", "x509", "-in", cert, "-noout", "-fingerprint", "-sha256"],
                         capture_output=True, text=True, check=True)
    return out.stdout.strip().split("=", 1)[1].replace(":", "").lower()


class AdminApiTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix="lienthong-admin-")
        cls.stack = Stack(BUILD, PKI, os.path.join(cls.tmp, "stack"), log_level="info").start()
        ids = subprocess.run([cls.stack.binary("lienthong-sim"), "ids", "--count", "3"],
                             capture_output=True, text=True, check=True).stdout.split()
        cls.subject, cls.cache_subject, cls.who_subject = ids[:3]
        cls.policy = os.path.join(cls.stack.dir, "policy.toml")
        cls.admin_fp = sha256_of(f"{EC}/admin-g22.crt")

    @classmethod
    def tearDownClass(cls):
        cls.stack.stop()
        if os.environ.get("KEEP_TMP") is None:
            shutil.rmtree(cls.tmp, ignore_errors=True)

    # --- helpers ---------------------------------------------------------------------------
    def admin(self, method, path, doc=None, cert="admin-g22", raw=None,
              content_type="application/json"):
        body = raw if raw is not None else (json.dumps(doc).encode() if doc is not None else None)
        status, headers, data = self.stack.admin(method, path, body=body, cert=cert,
                                                 content_type=content_type)
        return status, headers, (json.loads(data) if data else None)

    def lookup(self, subject=None, member="member-h20"):
        body = json.dumps({"subjectId": subject or self.subject, "documentType": "CD01",
                           "purpose": DOSSIER, "officer": OFFICER}).encode()
        status, headers, raw = self.stack.https("POST", "/v1/lookup", body=body, member=member)
        doc = json.loads(raw)
        return status, doc.get("code", "OK"), headers.get("X-Request-Id"), doc

    def audit_entries(self):
        entries = []
        for segment in sorted(glob.glob(os.path.join(self.stack.dir, "audit", "audit-*.log"))):
            with open(segment, encoding="utf-8") as f:
                entries += [json.loads(line) for line in f if line.endswith("\n")]
        return entries

    @staticmethod
    def certificates(trust):
        return sorted((c["kind"], c["fingerprint"], c["organ_code"], c["status"])
                      for c in trust["certificates"])

    def generation(self):
        status, _, doc = self.admin("GET", "/admin/v1/trust")
        self.assertEqual(status, 200, doc)
        return doc["trust_generation"]

    # --- who is an administrator ------------------------------------------------------------
    def test_a_member_certificate_gets_403_problem_json(self):
        for member in ("member-g22", "member-h20"):
            status, headers, doc = self.admin("GET", "/admin/v1/trust", cert=member)
            self.assertEqual(status, 403, doc)
            self.assertEqual(headers["Content-Type"], "application/problem+json")
            self.assertEqual(doc["code"], "ACCESS_DENIED")
        # Nor may a member change anything.
        status, _, _ = self.admin("DELETE", "/admin/v1/trust/pins/000.00.00.H20", cert="member-h20")
        self.assertEqual(status, 403)
        self.assertEqual(self.lookup()[:2], (200, "OK"))
        denied = [e for e in self.audit_entries()
                  if e["front"] == "admin" and e["outcome"] == "ACCESS_DENIED"]
        self.assertTrue(any(e["member_certificate"] == sha256_of(f"{EC}/member-h20.crt")
                            and e["document_type"] == "admin.trust.unpin" for e in denied))

    def test_unknown_path_404_and_wrong_method_405(self):
        status, _, doc = self.admin("GET", "/admin/v1/nothing")
        self.assertEqual((status, doc["code"]), (404, "NOT_FOUND"))
        status, headers, _ = self.admin("POST", "/admin/v1/trust", doc={})
        self.assertEqual(status, 405)
        self.assertEqual(headers["Allow"], "GET")

    # --- trust -------------------------------------------------------------------------------
    def test_trust_lists_the_snapshot_in_force(self):
        status, _, doc = self.admin("GET", "/admin/v1/trust")
        self.assertEqual(status, 200, doc)
        members = {c["organ_code"]: c for c in doc["certificates"] if c["kind"] == "member"}
        self.assertEqual(members["000.00.00.H20"]["status"], "good")
        self.assertEqual(members["000.00.00.H20"]["key"], "EC P-256")
        self.assertGreater(members["000.00.00.H20"]["seconds_to_expiry"], 0)
        self.assertIn("last_error", doc["reload"])
        self.assertGreaterEqual(doc["trust_generation"], 1)

    def test_unpin_refuses_the_member_from_the_next_request_and_pin_restores_it(self):
        self.assertEqual(self.lookup()[:2], (200, "OK"))
        before = self.generation()
        status, _, doc = self.admin("DELETE", "/admin/v1/trust/pins/000.00.00.H20")
        self.assertEqual(status, 200, doc)
        self.assertEqual(doc["action"], "unpin")
        self.assertGreater(doc["trust_generation"], before)
        try:
            self.assertEqual(self.lookup()[:2], (401, "CERT_UNTRUSTED"))  # no waiting
        finally:
            status, _, doc = self.admin("POST", "/admin/v1/trust/pins", {
                "certificate": read(f"{EC}/member-h20.crt"), "organ_code": "000.00.00.H20",
                "subsystem": ""})
        self.assertEqual(status, 200, doc)
        self.assertEqual(doc["action"], "pin-member")
        self.assertEqual(self.lookup()[:2], (200, "OK"))
        actions = [(e["document_type"], e["outcome"]) for e in self.audit_entries()
                   if e["front"] == "admin" and e["member_certificate"] == self.admin_fp]
        self.assertIn(("admin.trust.unpin", "OK"), actions)
        self.assertIn(("admin.trust.pin", "OK"), actions)

    def test_a_bad_pem_is_422_and_changes_nothing(self):
        _, _, before = self.admin("GET", "/admin/v1/trust")
        status, headers, doc = self.admin("POST", "/admin/v1/trust/pins", {
            "certificate": "-----BEGIN CERTIFICATE-----\nnot base64\n-----END CERTIFICATE-----\n",
            "organ_code": "000.00.00.H20"})
        self.assertEqual(status, 422, doc)
        self.assertEqual(headers["Content-Type"], "application/problem+json")
        self.assertEqual(doc["code"], "BAD_REQUEST")
        status, _, doc = self.admin("POST", "/admin/v1/trust/anchors",
                                    {"certificate": read(f"{EC}/member-g22.crt")})
        self.assertEqual(status, 422, doc)
        self.assertIn("must be a CA", doc["detail"])
        _, _, after = self.admin("GET", "/admin/v1/trust")
        # The same certificates in force (the generation may still grow: the gateway's inotify
        # watcher reloads on other files of the stack's folder, e.g. the port file at start).
        self.assertEqual(self.certificates(after), self.certificates(before))

    # --- policy ------------------------------------------------------------------------------
    def test_policy_shows_members_and_grants(self):
        status, _, doc = self.admin("GET", "/admin/v1/policy")
        self.assertEqual(status, 200, doc)
        organs = {m["organ"] for m in doc["members"]}
        self.assertIn("000.00.00.H20", organs)
        status, _, doc = self.admin(
            "GET", "/admin/v1/policy/check?member=000.00.00.H20&adapter=population&doctype=CD01")
        self.assertEqual(status, 200, doc)
        self.assertTrue(doc["allowed"])
        self.assertIn("ho_va_ten", doc["fields"])

    def test_a_policy_with_problems_is_refused_with_every_problem(self):
        original = read(self.policy)
        bad = original + '\n[[member]]\norgan = "not-an-organ"\n\n[[member]]\norgan = ' \
                         '"000.00.00.H99"\n  [[member.grant]]\n  adapter = "nowhere"\n' \
                         '  document_types = ["CD01"]\n  fields = ["*"]\n'
        status, _, doc = self.admin("PUT", "/admin/v1/policy", raw=bad.encode(),
                                    content_type="application/toml")
        self.assertEqual(status, 422, doc)
        self.assertGreaterEqual(len(doc["problems"]), 2, doc)
        self.assertTrue(all(p["severity"] == "error" for p in doc["problems"]))
        self.assertEqual(read(self.policy), original)

    def test_a_good_policy_is_in_force_when_the_call_returns(self):
        original = read(self.policy)
        blocks = original.split("[[member]]")
        without_h20 = "[[member]]".join(b for b in blocks if 'organ = "000.00.00.H20"' not in b)
        status, _, doc = self.admin("PUT", "/admin/v1/policy", raw=without_h20.encode(),
                                    content_type="application/toml")
        try:
            self.assertEqual(status, 200, doc)
            self.assertEqual(read(self.policy), without_h20)
            self.assertEqual(self.lookup()[:2], (403, "ACCESS_DENIED"))
        finally:
            status, _, doc = self.admin("PUT", "/admin/v1/policy", raw=original.encode(),
                                        content_type="application/toml")
        self.assertEqual(status, 200, doc)
        self.assertEqual(self.lookup()[:2], (200, "OK"))

    # --- operations --------------------------------------------------------------------------
    def test_reload(self):
        before = self.generation()
        status, _, doc = self.admin("POST", "/admin/v1/reload")
        self.assertEqual(status, 200, doc)
        self.assertGreater(doc["trust_generation"], before)
        self.assertEqual(doc["reload"]["last_error"], "")

    def test_cache_invalidation_makes_the_next_lookup_a_miss(self):
        subject = self.cache_subject
        self.assertEqual(self.lookup(subject)[:2], (200, "OK"))
        self.assertTrue(self.lookup(subject)[3]["fromCache"])
        misses = self.stack.metric(MISSES)
        status, _, doc = self.admin("DELETE", f"/admin/v1/cache/{subject}.CD01")
        self.assertEqual(status, 200, doc)
        self.assertEqual(doc, {"code": f"{subject}.CD01", "removed": True})
        status, code, _, answer = self.lookup(subject)
        self.assertEqual((status, code), (200, "OK"))
        self.assertFalse(answer["fromCache"])
        self.assertEqual(self.stack.metric(MISSES), misses + 1)
        status, _, doc = self.admin("DELETE", "/admin/v1/cache/not-a-code")
        self.assertEqual(status, 422, doc)

    def test_audit_who_returns_the_lookups_and_the_admins_own_query(self):
        subject = self.who_subject
        request_ids = []
        for _ in range(2):
            status, code, request_id, _ = self.lookup(subject)
            self.assertEqual((status, code), (200, "OK"))
            request_ids.append(request_id)
        status, _, doc = self.admin("GET", f"/admin/v1/audit/who?subject={subject}")
        self.assertEqual(status, 200, doc)
        self.assertEqual(doc["subject"], subject)
        self.assertEqual(doc["tampered"], [])
        lookups = [e for e in doc["entries"] if e["front"] == "http-json"]
        self.assertEqual([e["request_id"] for e in lookups], request_ids)
        self.assertTrue(all(e["member"] == "000.00.00.H20" and e["document_type"] == "CD01"
                            for e in lookups))
        self.assertEqual(doc["count"], len(doc["entries"]))
        # The query itself is processing of that citizen's data: in the audit, and found by
        # the next query.
        status, _, again = self.admin("GET", f"/admin/v1/audit/who?subject={subject}")
        self.assertEqual(status, 200, again)
        own = [e for e in again["entries"] if e["front"] == "admin"]
        self.assertEqual(len(own), 1, again)
        self.assertEqual(own[0]["document_type"], "admin.audit.who")
        self.assertEqual(own[0]["member"], "000.00.00.G22")
        self.assertEqual(own[0]["member_certificate"], self.admin_fp)
        self.assertEqual(own[0]["officer_account"], "quản trị viên G22 (dev)")
        status, _, doc = self.admin("GET", "/admin/v1/audit/who?subject=123")
        self.assertEqual(status, 422, doc)

    def test_upstreams_lists_population_closed(self):
        status, _, doc = self.admin("GET", "/admin/v1/upstreams")
        self.assertEqual(status, 200, doc)
        self.assertIn({"adapter": "population", "circuit_breaker": "closed"}, doc["upstreams"])

    def test_every_admin_action_is_in_the_audit_with_the_administrators_identity(self):
        self.admin("GET", "/admin/v1/upstreams")
        self.admin("GET", "/admin/v1/policy")
        entries = [e for e in self.audit_entries() if e["front"] == "admin"
                   and e["member_certificate"] == self.admin_fp]
        kinds = {e["document_type"] for e in entries}
        self.assertTrue({"admin.upstreams", "admin.policy.show"} <= kinds, kinds)
        for e in entries:
            self.assertEqual(e["member"], "000.00.00.G22")
            self.assertEqual(e["officer_account"], "quản trị viên G22 (dev)")
            self.assertTrue(e["outcome"])
        # `lienthong audit verify` still accepts the chain with admin entries in it.
        out = subprocess.run([self.stack.binary("lienthong"), "audit", "verify",
                              os.path.join(self.stack.dir, "audit"), "--json"],
                             capture_output=True, text=True, timeout=60)
        self.assertEqual(out.returncode, 0, out.stdout + out.stderr)


if __name__ == "__main__":
    unittest.main(verbosity=2)
