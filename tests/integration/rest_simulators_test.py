#!/usr/bin/python3
"""The REST simulators as the gateway will meet them (issue 4): `lienthong-sim --system business`
and `--system insurance` on ephemeral loopback ports with mutual TLS, driven by curl with the
gateway's client certificate. Checks the API manager's token flow, that every answer carries a
detached JWS which `lienthong verify-jws` accepts through x5c to the dev root, and that the
simulator's bad-signature knob gives answers it refuses.

usage: rest_simulators_test.py BUILD_DIR PKI_DIR"""

import json
import os
import subprocess
import sys
import tempfile
import time
import unittest

BUILD, PKI = (os.path.abspath(a) for a in sys.argv[1:3])
del sys.argv[1:3]
EC = os.path.join(PKI, "ec")
SIM = os.path.join(BUILD, "adapters", "population", "lienthong-sim")
CLI = os.path.join(BUILD, "tools", "lienthong", "lienthong")
CURL_TLS = ["--cacert", f"{EC}/root-ca.crt", "--cert", f"{EC}/gateway-client.fullchain.pem",
            "--key", f"{EC}/gateway-client.key"]
CREDENTIALS = "lienthong-dev:dev-secret-not-for-production"


def read_text(path, encoding="utf-8"):
    with open(path, encoding=encoding) as f:
        return f.read()


def write(path, data):
    with open(path, "wb" if isinstance(data, bytes) else "w") as f:
        f.write(data)


class Simulator:
    def __init__(self, system, work):
        self.work = work
        port_file = os.path.join(work, f"{system}.port")
        with open(os.path.join(work, f"{system}.log"), "w") as log:
            self.proc = subprocess.Popen(
                [SIM, "--system", system, "--tls-cert", f"{EC}/sim-{system}.fullchain.pem",
                 "--tls-key", f"{EC}/sim-{system}.key", "--client-ca", f"{EC}/root-ca.crt",
                 "--port-file", port_file, "--log-level", "warn"],
                stdout=subprocess.DEVNULL, stderr=log)
        deadline = time.time() + 60
        while not os.path.exists(port_file):
            if self.proc.poll() is not None or time.time() > deadline:
                raise RuntimeError(f"lienthong-sim --system {system} did not start")
            time.sleep(0.05)
        self.base = f"https://127.0.0.1:{int(read_text(port_file))}"

    def stop(self):
        self.proc.terminate()
        self.proc.wait(timeout=30)

    def curl(self, path, *args):
        """(status, headers dict (lower-case names), body bytes)."""
        headers_file = os.path.join(self.work, "headers")
        out = subprocess.run(["curl", "-sS", *CURL_TLS, "-D", headers_file, *args,
                              self.base + path], capture_output=True, timeout=60)
        assert out.returncode == 0, out.stderr
        lines = read_text(headers_file, "latin-1").splitlines()
        status = int(lines[0].split()[1])
        headers = {}
        for line in lines[1:]:
            name, sep, value = line.partition(":")
            if sep:
                headers[name.strip().lower()] = value.strip()
        return status, headers, out.stdout

    def token(self):
        status, _, body = self.curl("/token", "-u", CREDENTIALS, "-d", "grant_type=client_credentials")
        assert status == 200, body
        return json.loads(body)["access_token"]


def verify_jws(work, signature, body):
    jws, payload = os.path.join(work, "answer.jws"), os.path.join(work, "answer.body")
    write(jws, signature)
    write(payload, body)
    out = subprocess.run([CLI, "verify-jws", jws, "--payload", payload, "--trusted",
                          f"{EC}/root-ca.crt"], capture_output=True, text=True)
    return out.returncode, json.loads(out.stdout)


class RestSimulatorsTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.work = tempfile.mkdtemp(prefix="lienthong-rest-sims-")
        cls.business = Simulator("business", cls.work)
        try:
            cls.insurance = Simulator("insurance", cls.work)
        except Exception:
            cls.business.stop()  # leave no process behind
            raise

    @classmethod
    def tearDownClass(cls):
        cls.business.stop()
        cls.insurance.stop()

    def test_enterprise_answer_carries_a_jws_that_verifies_to_the_dev_root(self):
        token = self.business.token()
        _, _, page = self.business.curl("/sim/enterprises?count=2")
        code = json.loads(page)["enterprises"][1]
        status, headers, body = self.business.curl(
            f"/apiCSDLDKDN/1.0/chiTietDoanhNghiep?msdn={code}", "-H", f"Authorization: Bearer {token}")
        self.assertEqual(status, 200, body)
        self.assertEqual(json.loads(body)["Data"]["MainInformation"]["ENTERPRISE_GDT_CODE"], code)
        rc, verdict = verify_jws(self.work, headers["x-jws-signature"], body)
        self.assertEqual(rc, 0, verdict)
        self.assertEqual(verdict["alg"], "ES256")
        self.assertIn("SIMULATOR", verdict["signer"])

    def test_token_flow_and_check_digit(self):
        status, headers, _ = self.business.curl("/apiCSDLDKDN/1.0/chiTietDoanhNghiep?msdn=0100109106")
        self.assertEqual(status, 401)
        self.assertIn("invalid_token", headers.get("www-authenticate", ""))
        status, _, _ = self.business.curl("/token", "-u", "lienthong-dev:guess", "-d",
                                          "grant_type=client_credentials")
        self.assertEqual(status, 401)
        token = self.business.token()
        status, _, _ = self.business.curl("/apiCSDLDKDN/1.0/chiTietDoanhNghiep?msdn=0100109107",
                                          "-H", f"Authorization: Bearer {token}")
        self.assertEqual(status, 400)  # wrong check digit: refused before any lookup
        status, _, _ = self.business.curl("/sim/expire-tokens", "-X", "POST")
        self.assertEqual(status, 200)
        status, _, _ = self.business.curl("/apiCSDLDKDN/1.0/chiTietDoanhNghiep?msdn=0100109106",
                                          "-H", f"Authorization: Bearer {token}")
        self.assertEqual(status, 401)  # the gateway must fetch a new token

    def test_bad_signature_knob_gives_answers_verify_jws_refuses(self):
        token = self.business.token()
        code = json.loads(self.business.curl("/sim/enterprises?count=1")[2])["enterprises"][0]
        self.business.curl("/sim/knobs", "-X", "POST", "-d", '{"bad_signature_rate":1}')
        try:
            status, headers, body = self.business.curl(
                f"/apiCSDLDKDN/1.0/chiTietDoanhNghiep?msdn={code}", "-H", f"Authorization: Bearer {token}")
        finally:
            self.business.curl("/sim/knobs", "-X", "POST", "-d", '{"bad_signature_rate":0}')
        self.assertEqual(status, 200)
        rc, verdict = verify_jws(self.work, headers["x-jws-signature"], body)
        self.assertEqual(rc, 1)
        self.assertEqual(verdict["error"], "SIGNATURE_INVALID")

    def test_insurance_by_personal_id_names_the_officer_and_is_signed(self):
        token = self.insurance.token()
        person = json.loads(self.insurance.curl("/sim/insured?start=100&count=1")[2])["insured"][0]
        auth = ["-H", f"Authorization: Bearer {token}"]
        officer = ["-H", "X-Officer-Id: 001092000001", "-H", "X-Officer-Account: canbo.nguyenvana"]
        path = f"/bhxh/1.0/traCuuQuaTrinhDong?soDinhDanh={person['soDinhDanh']}"
        status, _, _ = self.insurance.curl(path, *auth)
        self.assertEqual(status, 400)  # no officer named
        status, headers, body = self.insurance.curl(path, *auth, *officer)
        self.assertEqual(status, 200, body)
        answer = json.loads(body)["data"]
        self.assertEqual(answer["maSoBHXH"], person["maSoBHXH"])
        self.assertEqual(len(answer["quaTrinhDong"]), person["periods"])
        rc, verdict = verify_jws(self.work, headers["x-jws-signature"], body)
        self.assertEqual(rc, 0, verdict)


if __name__ == "__main__":
    unittest.main(verbosity=2)
