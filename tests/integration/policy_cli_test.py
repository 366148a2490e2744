#!/usr/bin/python3
"""The `lienthong policy show | check | lint` contract for administrators: exit codes (0
success/allowed/clean, 1 denied/problems, 2 usage or I/O), the deciding rule with its line, every
lint problem with its line, JSON fields. Configs are written the way ops/stack.py writes them for
the demo (its policy, its gateway.toml with all three adapters); nothing is started.

usage: policy_cli_test.py CLI PKI_DIR
"""
import json
import os
import shutil
import subprocess
import sys
import tempfile
import unittest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(ROOT, "ops"))
import stack  # noqa: E402  (ops/stack.py: the demo's policy and gateway config)

CLI = PKI = None


def run(*args):
    p = subprocess.run([CLI, "policy", *args], capture_output=True, text=True, timeout=60)
    out = json.loads(p.stdout) if p.stdout.startswith("{") else None
    return p.returncode, out, p.stdout, p.stderr


def line_of(text, needle, start=1):
    """1-based line of the first line at or after `start` that contains `needle`."""
    for n, line in enumerate(text.splitlines(), 1):
        if n >= start and needle in line:
            return n
    raise AssertionError(f"{needle!r} not found")


class PolicyCli(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.TemporaryDirectory(prefix="lienthong-policy-")
        cls.dir = os.path.join(cls.tmp.name, "demo")
        s = stack.Stack(cls.tmp.name, PKI, cls.dir, systems=("population", "business", "insurance"))
        s.ports = {"redis": 6379, "sim": 1, "business": 2, "insurance": 3}
        # The stack pins its members with `lienthong trust pin-member` when it writes its trust
        # directory; these tests need none of that (lint --trust gets its own directories).
        shutil.copytree(os.path.join(PKI, "ec", "trust"), os.path.join(cls.dir, "trust"))
        s.write_config()
        cls.config = os.path.join(cls.dir, "gateway.toml")
        cls.policy = os.path.join(cls.dir, "policy.toml")
        with open(cls.policy, encoding="utf-8") as f:
            cls.text = f.read()
        # Where the H20 member and its population grant are written.
        cls.h20_member = line_of(cls.text, 'organ = "000.00.00.H20"') - 1
        cls.h20_grant = line_of(cls.text, "[[member.grant]]", cls.h20_member)
        cls.h47_member = line_of(cls.text, 'organ = "001.00.10.H47"') - 1

    @classmethod
    def tearDownClass(cls):
        cls.tmp.cleanup()

    def write(self, name, text):
        path = os.path.join(self.tmp.name, name)
        with open(path, "w", encoding="utf-8") as f:
            f.write(text)
        return path

    # --- show -----------------------------------------------------------------------------
    def test_show_text(self):
        rc, _, out, err = run("show", "--config", self.config)
        self.assertEqual(rc, 0, err)
        self.assertIn(f"{self.policy}: 7 member(s)", out)
        self.assertIn("000.00.00.G22", out)
        self.assertIn("Văn phòng Chính phủ", out)
        self.assertIn("request_signature: required", out)
        self.assertIn(f"grant population CD01 fields so_dinh_danh, ho_va_ten", out)
        self.assertIn(f"line {self.h20_grant}", out)

    def test_show_json(self):
        rc, v, _, err = run("show", "--policy", self.policy, "--json")
        self.assertEqual(rc, 0, err)
        self.assertEqual(v["source"], self.policy)
        organs = [m["organ"] for m in v["members"]]
        self.assertEqual(organs, ["000.00.00.G22", "000.00.00.H20", "001.00.10.H47",
                                  "000.00.00.H31", "000.00.00.H32", "000.00.00.H29",
                                  "000.00.00.H30"])
        h20 = v["members"][1]
        self.assertEqual(h20["line"], self.h20_member)
        self.assertEqual(h20["subsystem"], "")
        self.assertEqual(h20["request_signature"], "optional")
        self.assertEqual(h20["grants"][0]["adapter"], "population")
        self.assertEqual(h20["grants"][0]["document_types"], ["CD01"])
        self.assertEqual(h20["grants"][0]["line"], self.h20_grant)
        self.assertIn("thuong_tru.*", h20["grants"][0]["fields"])
        self.assertEqual(v["members"][2]["request_signature"], "required")

    # --- check ----------------------------------------------------------------------------
    def test_check_allowed_expands_fields_with_config(self):
        rc, v, _, err = run("check", "000.00.00.H20", "population", "CD01", "--config",
                            self.config, "--json")
        self.assertEqual(rc, 0, err)
        self.assertTrue(v["allowed"])
        self.assertEqual(v["line"], self.h20_grant)
        self.assertTrue(v["rule"].startswith(f"{self.policy}:{self.h20_grant}: grant population "
                                             "CD01 fields so_dinh_danh, ho_va_ten"), v["rule"])
        self.assertTrue(v["fields_expanded"])
        self.assertIn("thuong_tru.ma_tinh", v["fields"])
        self.assertIn("noi_o_hien_tai.chi_tiet", v["fields"])
        self.assertNotIn("que_quan.ma_tinh", v["fields"])
        self.assertFalse(v["all_fields"])
        rc, _, out, _ = run("check", "000.00.00.H20", "population", "CD01", "--config", self.config)
        self.assertEqual(rc, 0)
        self.assertIn("ALLOWED", out)
        self.assertIn(f"rule: {self.policy}:{self.h20_grant}: grant population CD01", out)

    def test_check_with_policy_only_says_fields_are_not_expanded(self):
        rc, v, _, err = run("check", "000.00.00.H20", "population", "CD01", "--policy",
                            self.policy, "--json")
        self.assertEqual(rc, 0, err)
        self.assertFalse(v["fields_expanded"])
        self.assertIsNone(v["fields"])
        self.assertIn("thuong_tru.*", v["patterns"])
        rc, _, out, _ = run("check", "000.00.00.H20", "population", "CD01", "--policy", self.policy)
        self.assertEqual(rc, 0)
        self.assertIn("could not be expanded", out)

    def test_check_denied_unknown_member(self):
        rc, v, _, _ = run("check", "000.00.00.X99", "population", "CD01", "--policy", self.policy,
                          "--json")
        self.assertEqual(rc, 1)
        self.assertFalse(v["allowed"])
        self.assertEqual(v["error"]["code"], "ACCESS_DENIED")
        self.assertEqual(v["rule"], f"no member 000.00.00.X99 in {self.policy}")

    def test_check_denied_no_grant_for_adapter(self):
        rc, _, out, _ = run("check", "001.00.10.H47", "population", "CD01", "--config",
                            self.config)
        self.assertEqual(rc, 1)
        self.assertIn("DENIED (ACCESS_DENIED)", out)
        self.assertIn(f"member at line {self.h47_member} has no grant for adapter population", out)

    def test_check_denied_field_not_granted_names_the_grant(self):
        rc, v, _, _ = run("check", "000.00.00.H20", "population", "CD01", "--field", "ho_va_ten",
                          "--field", "que_quan.ma_tinh", "--config", self.config, "--json")
        self.assertEqual(rc, 1)
        self.assertEqual(v["error"]["code"], "ACCESS_DENIED")
        self.assertIn("que_quan.ma_tinh", v["error"]["detail"])
        self.assertEqual(v["line"], self.h20_grant)
        rc, v, _, _ = run("check", "000.00.00.H20", "population", "CD01", "--field", "ho_va_ten",
                          "--config", self.config, "--json")
        self.assertEqual((rc, v["fields"]), (0, ["ho_va_ten"]))

    def test_check_usage_errors(self):
        self.assertEqual(run("check", "G22", "population", "CD01", "--policy", self.policy)[0], 2)
        self.assertEqual(run("check", "000.00.00.G22", "population", "CD01")[0], 2)
        self.assertEqual(run("check", "000.00.00.G22", "population")[0], 2)
        self.assertEqual(run("check", "000.00.00.G22", "population", "CD01", "--policy",
                             "/nonexistent/policy.toml")[0], 2)
        self.assertEqual(run("show", "--bogus")[0], 2)
        self.assertEqual(run("show")[0], 2)
        self.assertEqual(run()[0], 2)

    # --- lint -----------------------------------------------------------------------------
    def trust_with_members(self, *names):
        trust = os.path.join(self.tmp.name, "trust-" + "-".join(names))
        if not os.path.exists(trust):
            shutil.copytree(os.path.join(PKI, "ec", "trust"), trust)
            organs = {organ: name for organ, name in stack.DEV_MEMBERS}
            for name in names:
                organ = next(o for o, n in organs.items() if n == f"member-{name}")
                subprocess.run([CLI, "trust", "pin-member", "--dir", trust,
                                os.path.join(PKI, "ec", f"member-{name}.crt"), "--organ", organ],
                               check=True, capture_output=True, timeout=60)
        return trust

    def test_lint_good_policy(self):
        rc, _, out, err = run("lint", self.policy)
        self.assertEqual(rc, 0, out + err)
        self.assertIn("OK, 0 problem(s), 0 warning(s)", out)
        rc, v, _, err = run("lint", self.policy, "--config", self.config, "--json")
        self.assertEqual(rc, 0, err)
        self.assertEqual((v["ok"], v["problems"], v["catalogue_checked"]), (True, 0, True))

    def test_lint_trust_warns_about_members_no_certificate_names(self):
        trust = self.trust_with_members("g22", "h20", "h47")
        rc, v, _, err = run("lint", self.policy, "--config", self.config, "--trust", trust,
                            "--json")
        self.assertEqual(rc, 0, err)
        # Granted but nobody pinned: the OCSP dev members, the revoked and the expired one.
        unpinned = ("000.00.00.H31", "000.00.00.H32", "000.00.00.H29", "000.00.00.H30")
        self.assertEqual((v["problems"], v["warnings"]), (0, len(unpinned)))
        warned = {(f["line"], f["severity"]) for f in v["findings"]}
        self.assertEqual(warned, {(line_of(self.text, organ) - 1, "warning") for organ in unpinned})
        self.assertIn("000.00.00.H31", v["findings"][0]["message"])

    def test_lint_reports_every_problem_with_its_line(self):
        bad = self.write("bad.toml", """\
[[member]]
organ = "000.00.00.G22"
colour = "red"
  [[member.grant]]
  adapter = "population"
  document_types = ["CD01"]
  fields = ["ho_ten"]
[[member]]
organ = "G22"
[[member]]
organ = "000.00.00.G22"
  [[member.grant]]
  adapter = "land"
  document_types = ["TD01"]
  fields = ["*"]
""")
        rc, _, out, _ = run("lint", bad)
        self.assertEqual(rc, 1)
        self.assertIn(f"{bad}:3: unknown key 'colour'", out)
        self.assertIn(f"{bad}:9: organ code must have the form NNN.NN.NN.ANN", out)
        self.assertIn(f"{bad}:10: member 000.00.00.G22 (subsystem '') is listed twice", out)
        self.assertNotIn("ho_ten", out)  # no catalogue: fields are not checked
        rc, v, out, _ = run("lint", bad, "--config", self.config, "--json")
        self.assertEqual(rc, 1)
        texts = [f["text"] for f in v["findings"]]
        self.assertEqual(texts, [
            f"{bad}:3: unknown key 'colour'",
            f"{bad}:4: field pattern 'ho_ten' matches no field of CD01",
            f"{bad}:9: organ code must have the form NNN.NN.NN.ANN",
            f"{bad}:10: member 000.00.00.G22 (subsystem '') is listed twice (first at line 1)",
            f"{bad}:12: unknown adapter 'land'",
        ])
        self.assertEqual(v["problems"], 5)

    def test_lint_syntax_error(self):
        broken = self.write("broken.toml", '[[member]]\norgan = "000.00.00.G22"\nname = \n')
        rc, _, out, _ = run("lint", broken)
        self.assertEqual(rc, 1)
        self.assertIn(f"{broken}:3:", out)

    def test_lint_usage_and_io_errors(self):
        self.assertEqual(run("lint")[0], 2)
        self.assertEqual(run("lint", "/nonexistent/policy.toml")[0], 2)
        self.assertEqual(run("lint", self.policy, "--config", "/nonexistent/gateway.toml")[0], 2)
        self.assertEqual(run("lint", self.policy, "--trust", "/nonexistent/trust")[0], 2)


if __name__ == "__main__":
    CLI, PKI = sys.argv[1], sys.argv[2]
    unittest.main(argv=[sys.argv[0]], verbosity=2)
