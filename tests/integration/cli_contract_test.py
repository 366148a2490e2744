#!/usr/bin/python3
"""The `lienthong verify-xml` / `sign-xml` and `verify-jws` / `sign-jws` contract that operators
and other work rely on: exit codes, JSON fields, PEM and DER inputs, time, CRLs, pools, pins,
JWK Sets and stdin.

usage: cli_contract_test.py CLI PKI_DIR
"""
import base64
import json
import os
import subprocess
import sys
import tempfile
import unittest

CLI = PKI = None


def run(*args, stdin=None):
    p = subprocess.run([CLI, *args], capture_output=True, text=True, input=stdin, timeout=60)
    verdict = None
    if p.stdout.strip().startswith("{"):
        verdict = json.loads(p.stdout)
    return p.returncode, verdict, p.stdout, p.stderr


def pki(kt, name):
    return os.path.join(PKI, kt, name)


class CliContract(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.TemporaryDirectory(prefix="lienthong-cli-")
        cls.record = os.path.join(cls.tmp.name, "record.xml")
        with open(cls.record, "w", encoding="utf-8") as f:
            f.write('<CongDan xmlns="urn:lienthong:record:1" Id="cd-1"><HoVaTen>Trần Văn Ấn</HoVaTen>'
                    '<Khac MaSo="x-1">z</Khac></CongDan>')

    @classmethod
    def tearDownClass(cls):
        cls.tmp.cleanup()

    def sign(self, kt="rsa", who="gateway-sign", chain=True, extra=()):
        args = ["sign-xml", self.record, "--key", pki(kt, who + ".key"), "--cert", pki(kt, who + ".crt")]
        if chain:
            args += ["--chain", pki(kt, "intermediate-ca.crt")]
        rc, _, out, err = run(*args, *extra)
        self.assertEqual(rc, 0, err)
        path = os.path.join(self.tmp.name, f"{kt}-{who}-{chain}-{len(extra)}.xml")
        with open(path, "w", encoding="utf-8") as f:
            f.write(out)
        return path

    def test_valid_verdict_has_the_contract_fields(self):
        for kt in ("rsa", "ec"):
            rc, v, _, err = run("verify-xml", self.sign(kt), "--trusted", pki(kt, "root-ca.crt"))
            self.assertEqual(rc, 0, err)
            self.assertIs(v["valid"], True)
            self.assertIn("CN=lienthong gateway signing", v["signer"])
            self.assertTrue(v["algorithm"].endswith("rsa-sha256" if kt == "rsa" else "ecdsa-sha256"))
            self.assertEqual(v["references"][0]["uri"], "")
            self.assertTrue(v["signed_xml"].startswith('<CongDan xmlns="urn:lienthong:record:1"'))
            self.assertIn("Trần Văn Ấn", v["signed_xml"])
            self.assertNotIn("Signature", v["signed_xml"])

    def test_debian_xmlsec1_accepts_what_sign_xml_produces(self):
        for kt in ("rsa", "ec"):
            for extra in ((), ("--id", "cd-1")):
                signed = self.sign(kt, extra=extra)
                p = subprocess.run(["xmlsec1", "--verify", "--enabled-key-data", "x509",
                                    "--id-attr:Id", "CongDan", "--trusted-pem", pki(kt, "root-ca.crt"),
                                    signed], capture_output=True, text=True)
                self.assertEqual(p.returncode, 0, f"{kt} {extra}: {p.stderr[-400:]}")

    def test_invalid_verdict_is_exit_1_with_code_and_detail(self):
        signed = self.sign()
        tampered = signed + ".tampered.xml"
        with open(signed, encoding="utf-8") as f, open(tampered, "w", encoding="utf-8") as g:
            g.write(f.read().replace("Trần Văn Ấn", "Trần Văn Ân"))
        rc, v, _, _ = run("verify-xml", tampered, "--trusted", pki("rsa", "root-ca.crt"))
        self.assertEqual(rc, 1)
        self.assertEqual(v["valid"], False)
        self.assertEqual(v["error"], "SIGNATURE_INVALID")
        self.assertTrue(v["detail"])

    def test_usage_and_io_errors_are_exit_2(self):
        self.assertEqual(run("verify-xml")[0], 2)
        self.assertEqual(run("verify-xml", "/nonexistent.xml", "--trusted", pki("rsa", "root-ca.crt"))[0], 2)
        self.assertEqual(run("verify-xml", self.record, "--trusted", "/nonexistent.pem")[0], 2)
        self.assertEqual(run("verify-xml", self.record, "--policy", "lenient",
                             "--trusted", pki("rsa", "root-ca.crt"))[0], 2)
        self.assertEqual(run("verify-xml", self.record, "--at", "yesterday",
                             "--trusted", pki("rsa", "root-ca.crt"))[0], 2)
        self.assertEqual(run("verify-xml", self.record, "--pin-cert", pki("rsa", "root-ca.crt"),
                             "--pubkey", pki("rsa", "root-ca.crt"))[0], 2)
        self.assertEqual(run("sign-xml", self.record, "--cert", pki("rsa", "gateway-sign.crt"))[0], 2)
        self.assertEqual(run("sign-xml", self.record, "--key", pki("rsa", "member-g22.key"),
                             "--cert", pki("rsa", "gateway-sign.crt"))[0], 2)
        self.assertEqual(run("no-such-command")[0], 2)

    def test_sign_refuses_bad_documents_with_exit_1(self):
        bad = os.path.join(self.tmp.name, "bad.xml")
        with open(bad, "w") as f:
            f.write("<!DOCTYPE a><a/>")
        rc, _, _, err = run("sign-xml", bad, "--key", pki("rsa", "gateway-sign.key"),
                            "--cert", pki("rsa", "gateway-sign.crt"))
        self.assertEqual(rc, 1)
        self.assertIn("XML_DTD_REFUSED", err)

    def test_der_certificates_are_accepted(self):
        der = os.path.join(self.tmp.name, "root.der")
        subprocess.run(["openssl", "x509", "-in", pki("ec", "root-ca.crt"), "-outform", "DER", "-out", der],
                       check=True)
        rc, v, _, err = run("verify-xml", self.sign("ec"), "--trusted", der)
        self.assertEqual(rc, 0, err)

    def test_verification_time(self):
        signed = self.sign()
        rc, v, _, _ = run("verify-xml", signed, "--trusted", pki("rsa", "root-ca.crt"),
                          "--at", "2099-01-01 00:00:00")
        self.assertEqual((rc, v["error"]), (1, "CERT_EXPIRED"))

    def test_crl_given_on_the_command_line(self):
        signed = self.sign(who="member-revoked")
        rc, v, _, _ = run("verify-xml", signed, "--trusted", pki("rsa", "root-ca.crt"))
        self.assertEqual(rc, 0, "without the CRL the revocation cannot be known")
        rc, v, _, _ = run("verify-xml", signed, "--trusted", pki("rsa", "root-ca.crt"),
                          "--crl", pki("rsa", "intermediate-ca.crl.pem"))
        self.assertEqual((rc, v["error"]), (1, "CERT_REVOKED"))
        rc, v, _, _ = run("verify-xml", signed, "--trust-dir", pki("rsa", "trust"))
        self.assertEqual((rc, v["error"]), (1, "CERT_REVOKED"))

    def test_untrusted_pool_completes_the_path(self):
        signed = self.sign(chain=False)
        rc, v, _, _ = run("verify-xml", signed, "--trusted", pki("rsa", "root-ca.crt"))
        self.assertEqual((rc, v["error"]), (1, "CERT_UNTRUSTED"))
        rc, v, _, err = run("verify-xml", signed, "--trusted", pki("rsa", "root-ca.crt"),
                            "--untrusted", pki("rsa", "intermediate-ca.crt"))
        self.assertEqual(rc, 0, err)

    def test_pinned_certificate_and_public_key(self):
        signed = self.sign("ec")
        self.assertEqual(run("verify-xml", signed, "--pin-cert", pki("ec", "gateway-sign.crt"))[0], 0)
        pub = os.path.join(self.tmp.name, "pub.pem")
        subprocess.run(["openssl", "x509", "-in", pki("ec", "gateway-sign.crt"), "-pubkey", "-noout",
                        "-out", pub], check=True)
        rc, v, _, _ = run("verify-xml", signed, "--pubkey", pub)
        self.assertEqual(rc, 0)
        self.assertTrue(v["signer"].startswith("pinned public key sha256:"))
        rc, v, _, _ = run("verify-xml", signed, "--pin-cert", pki("ec", "member-g22.crt"))
        self.assertEqual((rc, v["error"]), (1, "SIGNATURE_INVALID"))

    def test_standard_input_and_id_attributes(self):
        signed_by_id = self.sign(extra=("--id", "x-1", "--id-attr", "MaSo"))
        with open(signed_by_id, encoding="utf-8") as f:
            text = f.read()
        # Without MaSo registered as an ID the reference #x-1 cannot resolve.
        rc, v, _, _ = run("verify-xml", "-", "--trusted", pki("rsa", "root-ca.crt"), stdin=text)
        self.assertEqual(rc, 1)
        rc, v, _, err = run("verify-xml", "-", "--trusted", pki("rsa", "root-ca.crt"),
                            "--id-attr", "MaSo:urn:lienthong:record:1:Khac", stdin=text)
        self.assertEqual(rc, 0, err)
        self.assertEqual(v["references"][0]["uri"], "#x-1")
        self.assertTrue(v["signed_xml"].startswith("<Khac"))

    def test_oversized_input_is_a_verdict(self):
        big = "<a>" + "x" * (5 << 20) + "</a>"
        rc, v, _, _ = run("verify-xml", "-", "--trusted", pki("rsa", "root-ca.crt"), stdin=big)
        self.assertEqual((rc, v["error"]), (1, "XML_LIMIT_EXCEEDED"))

    def test_nothing_trusted_is_a_verdict_not_a_crash(self):
        rc, v, _, err = run("verify-xml", self.sign())
        self.assertEqual((rc, v["error"]), (1, "CERT_UNTRUSTED"))
        self.assertIn("nothing is trusted", err)


class JwsCliContract(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.TemporaryDirectory(prefix="lienthong-jws-cli-")
        cls.payload = os.path.join(cls.tmp.name, "payload.json")
        with open(cls.payload, "w", encoding="utf-8") as f:
            f.write('{"iat":1767225600,"jti":"cli-1","hoVaTen":"Trần Văn Ấn"}')

    @classmethod
    def tearDownClass(cls):
        cls.tmp.cleanup()

    def sign(self, *args, name=None):
        rc, _, out, err = run("sign-jws", *args)
        self.assertEqual(rc, 0, err)
        path = os.path.join(self.tmp.name, name or f"t{abs(hash(args))}.jws")
        with open(path, "w", encoding="utf-8") as f:
            f.write(out)
        return path

    def x5c(self, kt, who):
        return ("--key", pki(kt, who + ".key"), "--cert", pki(kt, who + ".crt"),
                "--chain", pki(kt, "intermediate-ca.crt"))

    def test_x5c_to_the_trusted_root(self):
        for kt, alg in (("rsa", "PS256"), ("ec", "ES256")):
            token = self.sign(self.payload, *self.x5c(kt, "member-g22"), "--kid", "G22")
            rc, v, _, err = run("verify-jws", token, "--trusted", pki(kt, "root-ca.crt"))
            self.assertEqual(rc, 0, err)
            self.assertEqual((v["valid"], v["alg"], v["kid"]), (True, alg, "G22"))
            with open(self.payload, "rb") as f:
                self.assertEqual(base64.urlsafe_b64decode(v["payload"] + "=" * (-len(v["payload"]) % 4)),
                                 f.read())
            self.assertEqual(len(v["chain"]), 3)

    def test_certificate_problems_are_verdicts(self):
        revoked = self.sign(self.payload, *self.x5c("ec", "member-revoked"))
        rc, v, _, _ = run("verify-jws", revoked, "--trust-dir", pki("ec", "trust"))
        self.assertEqual((rc, v["error"]), (1, "CERT_REVOKED"))
        good = self.sign(self.payload, *self.x5c("ec", "member-g22"))
        rc, v, _, _ = run("verify-jws", good, "--trusted", pki("ec", "root-ca.crt"),
                          "--at", "2099-01-01 00:00:00")
        self.assertEqual((rc, v["error"]), (1, "CERT_EXPIRED"))
        rc, v, _, _ = run("verify-jws", good, "--trusted", pki("rsa", "root-ca.crt"))
        self.assertEqual((rc, v["error"]), (1, "CERT_UNTRUSTED"))

    def test_jwk_set_written_by_sign_jws_verifies_every_serialization(self):
        jwks = os.path.join(self.tmp.name, "pub.jwks.json")
        for ser in ("compact", "flattened", "general"):
            token = self.sign(self.payload, "--key", pki("ec", "gateway-sign.key"), "--kid", "gw",
                              "--serialization", ser, "--public-jwk", jwks)
            rc, v, _, err = run("verify-jws", token, "--jwk", jwks)
            self.assertEqual(rc, 0, err)
            self.assertEqual((v["serialization"], v["kid"]), (ser, "gw"))
        with open(token, encoding="utf-8") as f:
            text = f.read()
        rc, v, _, _ = run("verify-jws", "-", "--jwk", jwks, stdin=text.replace('"payload":"ey', '"payload":"eX'))
        self.assertEqual((rc, v["error"]), (1, "SIGNATURE_INVALID"))
        self.assertTrue(v["detail"])

    def test_hmac_only_when_listed_and_detached_unencoded(self):
        secret = os.path.join(self.tmp.name, "oct.json")
        with open(secret, "w") as f:
            json.dump({"kty": "oct", "kid": "m", "k": base64.urlsafe_b64encode(b"k" * 32).decode().rstrip("=")}, f)
        token = self.sign(self.payload, "--jwk", secret, "--detached", "--unencoded")
        rc, v, _, _ = run("verify-jws", token, "--jwk", secret, "--payload", self.payload)
        self.assertEqual((rc, v["error"]), (1, "SIGNATURE_POLICY"))
        rc, v, _, err = run("verify-jws", token, "--jwk", secret, "--payload", self.payload,
                            "--alg", "HS256")
        self.assertEqual(rc, 0, err)
        self.assertEqual((v["b64"], v["detached"], v["kid"]), (False, True, "m"))

    def test_usage_and_io_errors_are_exit_2(self):
        jwks = os.path.join(PKI, "..", "nonexistent.json")
        self.assertEqual(run("verify-jws")[0], 2)
        self.assertEqual(run("verify-jws", "/nonexistent.jws", "--trusted", pki("ec", "root-ca.crt"))[0], 2)
        self.assertEqual(run("verify-jws", self.payload, "--jwk", jwks)[0], 2)
        self.assertEqual(run("verify-jws", self.payload, "--jwk", pki("ec", "root-ca.crt"))[0], 2)
        self.assertEqual(run("verify-jws", self.payload, "--alg", "none",
                             "--trusted", pki("ec", "root-ca.crt"))[0], 2)
        self.assertEqual(run("verify-jws", self.payload, "--at", "yesterday",
                             "--trusted", pki("ec", "root-ca.crt"))[0], 2)
        self.assertEqual(run("sign-jws", self.payload)[0], 2)
        self.assertEqual(run("sign-jws", self.payload, "--key", pki("ec", "member-g22.key"),
                             "--cert", pki("ec", "gateway-sign.crt"))[0], 2)
        rc, _, _, err = run("sign-jws", self.payload, "--key", pki("ec", "gateway-sign.key"),
                            "--alg", "RS256")
        self.assertEqual(rc, 1)
        self.assertIn("SIGNATURE_POLICY", err)

    def test_not_a_jws_is_a_verdict(self):
        rc, v, _, _ = run("verify-jws", self.payload, "--trusted", pki("ec", "root-ca.crt"))
        self.assertEqual((rc, v["valid"], v["error"]), (1, False, "BAD_REQUEST"))


if __name__ == "__main__":
    CLI, PKI = sys.argv[1], sys.argv[2]
    unittest.main(argv=[sys.argv[0]], verbosity=2)
