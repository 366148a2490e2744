#!/usr/bin/python3
"""Runs one row of a conformance MANIFEST.tsv through `lienthong verify-xml` or `verify-jws`
and judges it.

Suites (../shared/conformance/<suite>/MANIFEST.tsv, never edited):
  xmldsig  W3C/xmlsec interop vectors, run under --policy interop. Rows whose key material our
           policy refuses on purpose (HMAC keys, keys only in KeyValue, remote references,
           external DTDs) must fail with a policy error, and the runner says so.
  xsw      signature-wrapping and parser attacks, run under both policies and three ways of
           trusting the IdP key. Accepting is allowed only where the manifest allows it AND
           signed_xml is the genuine signed node.
  interop  one record signed by peer libraries: XML rows through verify-xml, .jws rows (jose,
           jwcrypto) through verify-jws with the manifest's key_material as CLI flags.
  jws      RFC 7515/7520/7797/8037 vectors and our negatives, through `lienthong verify-jws`.
           Each vector is a JSON file; its keys become a temporary --jwk JWK Set, its
           algorithms --alg flags, its detached_payload a --payload file. The verdict must be
           the vector's `expected`; a valid one must return the payload, a refusal a typed code.

Exit 0 when the row behaves as required, 1 otherwise. Prints what happened either way.
"""
import argparse
import base64
import csv
import json
import os
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET

SAML_NS = {"saml": "urn:oasis:names:tc:SAML:2.0:assertion",
           "samlp": "urn:oasis:names:tc:SAML:2.0:protocol"}
GENUINE_NAMEID = "admin@example.com.attacker.test"
POLICY_CODES = {"SIGNATURE_POLICY", "XML_DTD_REFUSED"}
# What a JWS refusal may say: a typed verdict, never INTERNAL or a crash.
JWS_REFUSAL_CODES = {"BAD_REQUEST", "SIGNATURE_INVALID", "SIGNATURE_POLICY", "CERT_UNTRUSTED",
                     "CERT_EXPIRED", "CERT_REVOKED"}


def read_row(manifest, index):
    with open(manifest, newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f, delimiter="\t", quoting=csv.QUOTE_NONE))
    return rows[index]


def run_cli(cli, cwd, args, command="verify-xml"):
    proc = subprocess.run([cli, command, *args], cwd=cwd, capture_output=True, text=True,
                          timeout=60)
    verdict = None
    if proc.stdout.strip():
        try:
            verdict = json.loads(proc.stdout)
        except json.JSONDecodeError:
            pass
    return proc.returncode, verdict, proc.stderr


def translate_xmlsec_flags(key_material):
    """xmlsec1 options -> (our CLI flags, reasons our policy refuses the row on purpose)."""
    tokens = key_material.split() if key_material != "-" else []
    args, refusals = [], []
    if key_material == "-":
        refusals.append("key only in KeyValue")
    i = 0
    while i < len(tokens):
        t = tokens[i]
        value = tokens[i + 1] if i + 1 < len(tokens) else None
        if t in ("--trusted-pem", "--trusted-der"):
            args += ["--trusted", value]; i += 2
        elif t in ("--untrusted-pem", "--untrusted-der"):
            args += ["--untrusted", value]; i += 2
        elif t == "--pubkey-cert-pem":
            args += ["--pin-cert", value]; i += 2
        elif t == "--pubkey-pem":
            args += ["--pubkey", value]; i += 2
        elif t == "--verification-gmt-time":
            args += ["--at", value.replace("+", " ")]; i += 2
        elif t.startswith("--id-attr:"):
            args += ["--id-attr", t.split(":", 1)[1] + ":" + value]; i += 2
        elif t == "--enabled-key-data":
            i += 2  # we never read keys from KeyInfo other than X.509: nothing to translate
        elif t == "--enabled-reference-uris":
            i += 2  # we always allow "" and same-document references only
        elif t == "--hmackey":
            refusals.append("HMAC key"); i += 2
        elif t == "--dtd-file":
            refusals.append("external DTD"); i += 2
        elif t.startswith("--url-map"):
            refusals.append("remote reference"); i += 2
        else:
            raise SystemExit(f"runner does not know xmlsec1 option {t!r}: extend the translation")
    return args, refusals


def judge_xmldsig(cli, suite_dir, row):
    args, refusals = translate_xmlsec_flags(row["key_material"])
    rc, verdict, err = run_cli(cli, suite_dir, [row["file"], *args, "--policy", "interop"])
    shown = json.dumps({k: v for k, v in (verdict or {}).items() if k != "signed_xml"},
                       ensure_ascii=False)[:400]
    if verdict is None or rc not in (0, 1):
        return False, f"CLI exit {rc} without a verdict: {err.strip()[:300]}"
    if refusals:
        ok = rc == 1 and verdict.get("error") in POLICY_CODES
        return ok, (f"refused on purpose ({', '.join(refusals)}); manifest says {row['expected']}; "
                    f"got {shown}")
    want_valid = row["expected"] == "valid"
    if want_valid:
        ok = rc == 0 and verdict.get("valid") is True and verdict.get("signed_xml", "") != ""
    else:
        ok = rc == 1 and verdict.get("valid") is False
    return ok, f"manifest says {row['expected']}; got {shown}"


def signed_node_is_genuine(signed_xml):
    """The canonical bytes must be the IdP-signed element: ID _a1/_r1, genuine NameID, role=user."""
    try:
        root = ET.fromstring(signed_xml)
    except ET.ParseError as e:
        return False, f"signed_xml does not parse: {e}"
    ids = [el.get("ID") for el in root.iter() if el.get("ID")]
    if root.get("ID") not in ("_a1", "_r1"):
        return False, f"signed node has ID {root.get('ID')!r}, not the IdP-signed _a1/_r1"
    if any(i.startswith("_evil") for i in ids):
        return False, f"signed_xml contains forged elements {ids}"
    names = ["".join(n.itertext()) for n in root.iter(f"{{{SAML_NS['saml']}}}NameID")]
    roles = ["".join(v.itertext()) for v in root.iter(f"{{{SAML_NS['saml']}}}AttributeValue")]
    if not names or any(n != GENUINE_NAMEID for n in names):
        return False, f"NameID in signed_xml is {names}, not {GENUINE_NAMEID!r}"
    if "admin" in roles:
        return False, f"signed_xml grants role admin: {roles}"
    return True, f"signed node {root.get('ID')} NameID={names[0]} roles={roles}"


def judge_xsw(cli, suite_dir, row):
    args, refusals = translate_xmlsec_flags(row["key_material"])
    id_args = [a for pair in zip(args[::2], args[1::2]) if pair[0] == "--id-attr" for a in pair]
    trust_modes = {
        "pubkey (manifest)": args,
        "pin-cert": ["--pin-cert", "keys/idp-cert.pem", *id_args],
        "trusted anchor": ["--trusted", "keys/idp-cert.pem", *id_args],
    }
    allowed_accept = row["expected"] in ("accept", "accept_signed_node_only") or \
        row["acceptable_alternative"] == "accept_signed_node_only"
    must_accept = row["expected"] == "accept"
    all_ok, lines = True, []
    for policy in ("strict", "interop"):
        for mode, mode_args in trust_modes.items():
            rc, verdict, err = run_cli(cli, suite_dir, [row["file"], *mode_args, "--policy", policy])
            label = f"[{policy}, {mode}]"
            if verdict is None or rc not in (0, 1):
                all_ok = False
                lines.append(f"{label} FAIL: exit {rc} without a verdict: {err.strip()[:200]}")
                continue
            if rc == 0:
                genuine, why = signed_node_is_genuine(verdict.get("signed_xml", ""))
                ok = allowed_accept and genuine
                lines.append(f"{label} {'ok' if ok else 'FAIL'}: accepted; {why}")
            else:
                ok = not must_accept
                lines.append(f"{label} {'ok' if ok else 'FAIL'}: refused "
                             f"{verdict.get('error')}: {verdict.get('detail', '')[:160]}")
            all_ok &= ok
    return all_ok, "\n  ".join([f"expected {row['expected']} (alternative "
                                f"{row['acceptable_alternative']})", *lines])


def b64url_decode(text):
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def judge_interop_jws(cli, suite_dir, row):
    rc, verdict, err = run_cli(cli, suite_dir, [row["file"], *row["key_material"].split()],
                               "verify-jws")
    if verdict is None or rc not in (0, 1):
        return False, f"CLI exit {rc} without a verdict: {err.strip()[:300]}"
    if row["expected"] == "valid":
        try:
            record = json.loads(b64url_decode(verdict.get("payload", "")))
        except (ValueError, TypeError):
            record = None
        ok = rc == 0 and verdict.get("kid") == "G22.BNV" and isinstance(record, dict)
        return ok, f"want valid; got valid={verdict.get('valid')} alg={verdict.get('alg')} " \
                   f"kid={verdict.get('kid')} error={verdict.get('error')} " \
                   f"payload is a JSON object: {isinstance(record, dict)}"
    ok = rc == 1 and verdict.get("error") == "SIGNATURE_INVALID"
    return ok, f"want SIGNATURE_INVALID; got {verdict.get('error')}: {verdict.get('detail')}"


def judge_interop(cli, suite_dir, row):
    if row["file"].endswith(".jws"):
        return judge_interop_jws(cli, suite_dir, row)
    args = row["key_material"].split()
    rc, verdict, err = run_cli(cli, suite_dir, [row["file"], *args])
    if verdict is None or rc not in (0, 1):
        return False, f"CLI exit {rc} without a verdict: {err.strip()[:300]}"
    if row["expected"] == "valid":
        signed = verdict.get("signed_xml", "")
        ok = rc == 0 and "G22.BNV" in verdict.get("signer", "") and "<Envelope" in signed
        return ok, f"want valid; got valid={verdict.get('valid')} signer={verdict.get('signer')} " \
                   f"error={verdict.get('error')} signed_xml={len(signed)} bytes"
    ok = rc == 1 and verdict.get("error") == "SIGNATURE_INVALID"
    return ok, f"want SIGNATURE_INVALID; got {verdict.get('error')}: {verdict.get('detail')}"


def judge_jws(cli, suite_dir, row):
    with open(os.path.join(suite_dir, row["file"]), encoding="utf-8") as f:
        vector = json.load(f)
    if vector["expected"] != row["expected"]:
        return False, f"manifest says {row['expected']} but the vector says {vector['expected']}"
    with tempfile.TemporaryDirectory(prefix="lienthong-jws-") as tmp:
        jws_file = os.path.join(tmp, "input.jws")
        with open(jws_file, "w", encoding="utf-8") as f:
            jws = vector["jws"]
            f.write(jws if isinstance(jws, str) else json.dumps(jws, ensure_ascii=False))
        keys_file = os.path.join(tmp, "keys.jwks.json")
        with open(keys_file, "w", encoding="utf-8") as f:
            json.dump({"keys": vector["keys"]}, f)
        args = [jws_file, "--jwk", keys_file]
        for alg in vector["algorithms"]:
            args += ["--alg", alg]
        detached = vector.get("detached_payload")
        if detached is not None:
            payload_file = os.path.join(tmp, "payload.bin")
            with open(payload_file, "wb") as f:
                f.write(detached.encode("utf-8"))
            args += ["--payload", payload_file]
        rc, verdict, err = run_cli(cli, suite_dir, args, "verify-jws")
    if verdict is None or rc not in (0, 1):
        return False, f"CLI exit {rc} without a verdict: {err.strip()[:300]}"
    shown = json.dumps({k: v for k, v in verdict.items() if k != "payload"},
                       ensure_ascii=False)[:400]
    if row["expected"] == "valid":
        if detached is not None:
            want = detached.encode("utf-8")
        else:
            jws = vector["jws"]
            segment = jws.split(".")[1] if isinstance(jws, str) else jws["payload"]
            want = b64url_decode(segment)
        got = b64url_decode(verdict.get("payload", "")) if rc == 0 else None
        ok = rc == 0 and verdict.get("valid") is True and got == want
        return ok, f"manifest says valid; payload {'matches' if got == want else 'DIFFERS'}; " \
                   f"got {shown}"
    ok = rc == 1 and verdict.get("valid") is False and \
        verdict.get("error") in JWS_REFUSAL_CODES and bool(verdict.get("detail"))
    return ok, f"manifest says invalid; got {shown}"


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--cli", required=True)
    p.add_argument("--suite", required=True, choices=["xmldsig", "xsw", "interop", "jws"])
    p.add_argument("--dir", required=True, help="the suite's folder in ../shared/conformance")
    p.add_argument("--row", required=True, type=int, help="0-based data row")
    a = p.parse_args()
    row = read_row(os.path.join(a.dir, "MANIFEST.tsv"), a.row)
    judge = {"xmldsig": judge_xmldsig, "xsw": judge_xsw, "interop": judge_interop,
             "jws": judge_jws}[a.suite]
    ok, message = judge(os.path.abspath(a.cli), a.dir, row)
    print(f"{'PASS' if ok else 'FAIL'} {a.suite} row {a.row} {row['file']}\n  {message}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
