#!/usr/bin/python3
"""Signed JSON and the REST adapters end to end (issue 4): real redis-server, the lienthong-sim
SIMULATORS of the population DB, the enterprise registry and social insurance, and
lienthong-gateway, on ephemeral loopback ports. Members are driven by curl (HTTPS) and the
python3-thrift client; their signed requests are made, and the gateway's signed answers
checked, by python3-jwcrypto (an independent JWS implementation) and `lienthong verify-jws`.

usage: signed_json_test.py BUILD_DIR PKI_DIR GEN_PY_DIR"""

import base64
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import unittest

BUILD, PKI, GEN_PY = (os.path.abspath(a) for a in sys.argv[1:4])
del sys.argv[1:4]
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(ROOT, "ops"))
sys.path.insert(0, os.path.join(ROOT, "tools", "clients"))
from stack import Stack  # noqa: E402
from lookup_client import request_json, signed_request_jws  # noqa: E402
from jwcrypto import jwk, jws  # noqa: E402

EC = os.path.join(PKI, "ec")
DOSSIER = ("000.00.00.G22-261122-0001", "1.001234")
OFFICER = ("001092000001", "canbo.nguyenvana")


def enterprise_check_digit(nine):
    weights = (31, 29, 23, 19, 17, 13, 7, 5, 3)
    remainder = sum(int(d) * w for d, w in zip(nine, weights)) % 11
    return None if remainder == 0 else str((10 - remainder) % 10)


def lookup_body(subject, doc_type, **extra):
    return request_json(subject, doc_type, *DOSSIER, *OFFICER, **extra)


def curl(stack, body, member, content_type="application/json"):
    """POST /v1/lookup: (status, parsed body, X-JWS-Signature or None, raw body bytes)."""
    headers = os.path.join(stack.dir, "curl.headers")
    out = subprocess.run(
        ["curl", "-sS", "--cacert", f"{EC}/root-ca.crt", "--cert", f"{EC}/{member}.fullchain.pem",
         "--key", f"{EC}/{member}.key", "-H", f"Content-Type: {content_type}",
         "--data-binary", "@-", "-D", headers, "-o", "-",
         f"https://127.0.0.1:{stack.ports['http']}/v1/lookup"],
        input=body.encode() if isinstance(body, str) else body, capture_output=True, timeout=60)
    assert out.returncode == 0, out.stderr
    lines = open(headers, encoding="latin-1").read().splitlines()
    status = int(lines[0].split()[1])
    signature = None
    for line in lines[1:]:
        name, _, value = line.partition(":")
        if name.strip().lower() == "x-jws-signature":
            signature = value.strip()
    return status, json.loads(out.stdout), signature, out.stdout


def thrift(stack, subject, doc_type, member="member-g22", sign=False, jti=None, jws_out=None):
    argv = ["/usr/bin/python3", os.path.join(ROOT, "tools", "clients", "lookup_client.py"),
            "--host", "127.0.0.1", "--port", str(stack.ports["thrift"]),
            "--cert", f"{EC}/{member}.fullchain.pem", "--key", f"{EC}/{member}.key",
            "--ca", f"{EC}/root-ca.crt", "--gen-py", GEN_PY, "--subject", subject,
            "--doc-type", doc_type, "--dossier", DOSSIER[0], "--procedure", DOSSIER[1],
            "--officer-id", OFFICER[0], "--officer-account", OFFICER[1], "--json"]
    if sign:
        argv.append("--sign")
    if jti:
        argv += ["--jti", jti]
    if jws_out:
        argv += ["--jws-out", jws_out]
    out = subprocess.run(argv, capture_output=True, text=True, timeout=60)
    try:
        return out.returncode, json.loads(out.stdout)
    except ValueError:
        return out.returncode, {"stdout": out.stdout, "stderr": out.stderr}


def gateway_key():
    with open(f"{EC}/gateway-sign.crt", "rb") as f:
        return jwk.JWK.from_pem(f.read())


def jwcrypto_verifies(signature, body):
    """The gateway's detached JWS over `body`, checked by jwcrypto with the gateway's key: the
    payload put back between the dots (RFC 7515 Appendix F) makes it an ordinary compact JWS."""
    header, empty, sig = signature.split(".")
    assert empty == "", "the answer's JWS is detached"
    payload = base64.urlsafe_b64encode(body).rstrip(b"=").decode()
    token = jws.JWS()
    token.deserialize(f"{header}.{payload}.{sig}", gateway_key())
    return json.loads(token.objects["protected"])["alg"]


class SignedJsonTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix="lienthong-jws-")
        cls.stack = Stack(BUILD, PKI, cls.tmp, log_level="info",
                          systems=("population", "business", "insurance")).start()
        page = cls.stack.sim_request("GET", "/sim/enterprises?start=100&count=20",
                                     system="business")
        cls.enterprises = page["enterprises"]
        insured = cls.stack.sim_request("GET", "/sim/insured?start=500&count=20",
                                        system="insurance")
        # People with at least one contribution period (most have several).
        cls.insured = [p for p in insured["insured"] if p["periods"] > 0]

    @classmethod
    def tearDownClass(cls):
        cls.stack.stop()
        if os.environ.get("KEEP_TMP") is None:
            shutil.rmtree(cls.tmp, ignore_errors=True)

    def business_stats(self):
        return self.stack.sim_request("GET", "/sim/stats", system="business")

    def verify_jws_cli(self, jws_text, payload=None):
        path = os.path.join(self.tmp, "answer.jws")
        with open(path, "w") as f:
            f.write(jws_text)
        # The answer's x5c chain must lead to the national root.
        argv = [self.stack.binary("lienthong"), "verify-jws", path, "--trusted",
                f"{EC}/root-ca.crt"]
        if payload is not None:
            with open(path + ".payload", "wb") as f:
                f.write(payload)
            argv += ["--payload", path + ".payload"]
        out = subprocess.run(argv, capture_output=True, text=True)
        return out.returncode, json.loads(out.stdout)

    def test_01_business_over_https_is_fetched_then_cached_and_every_answer_signed(self):
        code = self.enterprises[0]
        status, first, signature, raw = curl(self.stack, json.dumps(lookup_body(code, "DN01")),
                                             "member-h20")
        self.assertEqual(status, 200, first)
        self.assertFalse(first["fromCache"])
        fields = first["record"]["fields"]
        self.assertEqual(fields["ma_so_doanh_nghiep"], code)
        self.assertIn("ten", fields)
        self.assertNotIn("von_dieu_le", fields)  # not granted to this member
        self.assertEqual(first["record"]["source"], "business")
        # The answer's detached JWS: jwcrypto and verify-jws both accept it, over these bytes.
        self.assertEqual(jwcrypto_verifies(signature, raw), "ES256")
        rc, verdict = self.verify_jws_cli(signature, raw)
        self.assertEqual(rc, 0, verdict)
        self.assertTrue(verdict["valid"])
        rc, verdict = self.verify_jws_cli(signature, raw.replace(b'"ten"', b'"teN"'))
        self.assertEqual(rc, 1, verdict)

        status, second, signature, raw = curl(self.stack, json.dumps(lookup_body(code, "DN01")),
                                              "member-h20")
        self.assertEqual(status, 200, second)
        self.assertTrue(second["fromCache"])
        self.assertEqual(second["record"]["fields"], fields)
        jwcrypto_verifies(signature, raw)

    def test_02_wrong_check_digit_is_refused_without_an_upstream_call(self):
        code = self.enterprises[1]
        wrong = code[:9] + str((int(code[9]) + 1) % 10)
        before = self.business_stats()["requests"]
        status, body, signature, raw = curl(self.stack, json.dumps(lookup_body(wrong, "DN01")),
                                            "member-h20")
        self.assertEqual(status, 400, body)
        self.assertEqual(body["code"], "BAD_REQUEST")
        self.assertIn("check digit", body["detail"])
        jwcrypto_verifies(signature, raw)  # refusals are signed too
        self.assertEqual(self.business_stats()["requests"], before)

    def test_03_unknown_enterprise_is_not_found(self):
        nine = "0799999"  # a valid-looking code no simulated province issues
        for tail in range(100):
            candidate = nine + f"{tail:02d}"
            digit = enterprise_check_digit(candidate)
            if digit is not None:
                break
        status, body, _, _ = curl(self.stack, json.dumps(lookup_body(candidate + digit, "DN01")),
                                  "member-g22")
        self.assertEqual(body.get("code"), "NOT_FOUND", body)

    def test_04_insurance_over_thrift_signed_both_ways(self):
        subject = self.insured[0]["soDinhDanh"]
        answer_file = os.path.join(self.tmp, "insurance.jws")
        rc, answer = thrift(self.stack, subject, "BH01", sign=True, jws_out=answer_file)
        self.assertEqual(rc, 0, answer)
        fields = answer["record"]["fields"]
        self.assertEqual(fields["so_dinh_danh"], subject)
        self.assertIn("qua_trinh.1.tu_thang", fields)
        self.assertIn("qua_trinh.1.ma_don_vi", fields)
        self.assertTrue(answer["signedAnswer"])
        rc, verdict = self.verify_jws_cli(open(answer_file).read())
        self.assertEqual(rc, 0, verdict)
        payload = json.loads(base64.urlsafe_b64decode(verdict["payload"] + "=="))
        self.assertEqual(payload["record"]["fields"], fields)

    def test_05_a_member_that_must_sign_is_refused_unsigned_and_served_signed(self):
        subject = self.insured[1]["soDinhDanh"]
        body = lookup_body(subject, "BH01")
        status, refused, _, _ = curl(self.stack, json.dumps(body), "member-h47")
        self.assertEqual(refused["code"], "SIGNATURE_MISSING", refused)

        signed = signed_request_jws(body, f"{EC}/member-h47.key")
        status, answer, signature, raw = curl(self.stack, signed, "member-h47", "application/jose")
        self.assertEqual(status, 200, answer)
        fields = answer["record"]["fields"]
        # Granted: ma_so_bhxh, ho_ten and every period (qua_trinh[].*), nothing else.
        self.assertIn("qua_trinh.1.muc_luong", fields)
        self.assertEqual({f for f in fields if not f.startswith("qua_trinh.")},
                         {"ma_so_bhxh", "ho_ten"})
        jwcrypto_verifies(signature, raw)

        # The same signed request again: a replay, wherever it is sent.
        status, replayed, _, _ = curl(self.stack, signed, "member-h47", "application/jose")
        self.assertEqual(replayed["code"], "REPLAYED", replayed)
        self.assertEqual(status, 409)

    def test_06_replay_is_caught_across_fronts_and_stale_iat_refused(self):
        code = self.enterprises[2]
        rc, first = thrift(self.stack, code, "DN01", sign=True, jti="jti-across-fronts-1")
        self.assertEqual(rc, 0, first)
        signed = signed_request_jws(lookup_body(code, "DN01"), f"{EC}/member-g22.key",
                                    jti="jti-across-fronts-1")
        status, body, _, _ = curl(self.stack, signed, "member-g22", "application/jose")
        self.assertEqual(body["code"], "REPLAYED", body)

        stale = signed_request_jws(lookup_body(code, "DN01"), f"{EC}/member-g22.key",
                                   iat=int(time.time()) - 3600)
        status, body, _, _ = curl(self.stack, stale, "member-g22", "application/jose")
        self.assertEqual(body["code"], "REPLAYED", body)
        self.assertIn("iat", body["detail"])

    def test_07_a_request_signed_with_another_members_key_is_refused(self):
        signed = signed_request_jws(lookup_body(self.enterprises[3], "DN01"),
                                    f"{EC}/member-h20.key")
        status, body, signature, raw = curl(self.stack, signed, "member-g22", "application/jose")
        self.assertEqual(body["code"], "SIGNATURE_INVALID", body)
        jwcrypto_verifies(signature, raw)
        # Tampered after signing.
        signed = signed_request_jws(lookup_body(self.enterprises[3], "DN01"),
                                    f"{EC}/member-g22.key")
        head, payload, sig = signed.split(".")
        forged = head + "." + payload[:-2] + ("A" if payload[-2] != "A" else "B") + payload[-1] \
            + "." + sig
        status, body, _, _ = curl(self.stack, forged, "member-g22", "application/jose")
        self.assertNotEqual(status, 200, body)

    def test_08_an_expired_token_is_refreshed_once(self):
        stats = self.business_stats()
        self.stack.sim_request("POST", "/sim/expire-tokens", body=b"", system="business")
        status, body, _, _ = curl(self.stack, json.dumps(lookup_body(self.enterprises[4], "DN01",
                                                                     max_age=0)), "member-g22")
        self.assertEqual(status, 200, body)
        after = self.business_stats()
        self.assertEqual(after["tokens_issued"], stats["tokens_issued"] + 1)
        self.assertEqual(after["auth_failures"], stats["auth_failures"] + 1)

    def test_09_an_altered_upstream_signature_is_upstream_bad_signature(self):
        self.stack.sim_request("POST", "/sim/knobs", body=b'{"bad_signature_rate":1}',
                               system="business")
        try:
            status, body, _, _ = curl(self.stack, json.dumps(lookup_body(
                self.enterprises[5], "DN01", max_age=0)), "member-g22")
            self.assertEqual(body["code"], "UPSTREAM_BAD_SIGNATURE", body)
            # Nothing unverified was cached: the next lookup, with the knob off, goes upstream.
        finally:
            self.stack.sim_request("POST", "/sim/knobs", body=b'{"bad_signature_rate":0}',
                                   system="business")
        status, body, _, _ = curl(self.stack, json.dumps(lookup_body(self.enterprises[5], "DN01")),
                                  "member-g22")
        self.assertEqual(status, 200, body)
        self.assertFalse(body["fromCache"])

    def test_10_insurance_by_social_insurance_code_over_https(self):
        code = self.insured[2]["maSoBHXH"]
        status, body, signature, raw = curl(self.stack, json.dumps(lookup_body(code, "BH01")),
                                            "member-g22")
        self.assertEqual(status, 200, body)
        self.assertEqual(body["record"]["fields"]["ma_so_bhxh"], code)
        jwcrypto_verifies(signature, raw)

    def test_10b_a_branch_answers_under_its_own_code(self):
        # The simulator gives enterprise i (i % 3) branches; /sim/enterprises?start=100 lists
        # index 100 first, so enterprises[1] (index 101) has branches 001 and 002.
        branch = self.enterprises[1] + "-001"
        status, body, _, _ = curl(self.stack, json.dumps(lookup_body(branch, "DN01")),
                                  "member-g22")
        self.assertEqual(status, 200, body)
        self.assertEqual(body["record"]["fields"]["ma_so_doanh_nghiep"], branch)
        self.assertTrue(body["record"]["fields"]["ten"].startswith("CHI NHÁNH 001 - "))
        self.assertEqual(body["record"]["code"], branch + ".DN01")

    def test_11_the_audit_records_the_jti_of_signed_requests(self):
        entries = []
        audit_dir = os.path.join(self.tmp, "audit")
        for name in sorted(os.listdir(audit_dir)):
            if name.startswith("audit-"):
                with open(os.path.join(audit_dir, name)) as f:
                    entries += [json.loads(line) for line in f if line.strip()]
        jtis = [e.get("request_jti") for e in entries if e.get("request_jti")]
        self.assertIn("jti-across-fronts-1", jtis)
        verify = subprocess.run([self.stack.binary("lienthong"), "audit", "verify", audit_dir],
                                capture_output=True, text=True)
        self.assertEqual(verify.returncode, 0, verify.stdout + verify.stderr)


if __name__ == "__main__":
    unittest.main(verbosity=2)
