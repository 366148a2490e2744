#!/usr/bin/python3
"""Turns crypto_bench's JSON and `openssl speed` output into the README's table."""
import json
import re
import sys


def medians(path):
    data = json.load(open(path))
    out = {}
    for b in data["benchmarks"]:
        if b.get("aggregate_name") != "median":
            continue
        name = b["run_name"].split("/min_time")[0]
        out[name] = b["items_per_second"]
    context = dict(data["context"])
    context["repetitions"] = data["benchmarks"][0].get("repetitions") if data["benchmarks"] else None
    return out, context


def openssl_speed(path):
    text = open(path).read()
    rsa = re.search(r"rsa\s+2048 bits\s+\S+\s+\S+\s+([\d.]+)\s+([\d.]+)", text)
    ec = re.search(r"256 bits ecdsa \(nistp256\)\s+\S+\s+\S+\s+([\d.]+)\s+([\d.]+)", text)
    return {("rsa", "sign"): float(rsa.group(1)) if rsa else None,
            ("rsa", "verify"): float(rsa.group(2)) if rsa else None,
            ("ec", "sign"): float(ec.group(1)) if ec else None,
            ("ec", "verify"): float(ec.group(2)) if ec else None}


def main():
    m, ctx = medians(sys.argv[1])
    speed = openssl_speed(sys.argv[2])
    rows = [
        # (label, benchmark, key, op, target or None)
        ("sign record (canonical path, gateway-written)", "BM_RecordSign", "rsa", "sign", 0.5),
        ("sign record (canonical path, gateway-written)", "BM_RecordSign", "ec", "sign", 0.5),
        ("write record from fields + sign", "BM_RecordWriteAndSign", "rsa", "sign", None),
        ("write record from fields + sign", "BM_RecordWriteAndSign", "ec", "sign", None),
        ("sign any document via xmlsec (sign-xml)", "BM_XmlsecSignFromBytes", "rsa", "sign", None),
        ("sign any document via xmlsec (sign-xml)", "BM_XmlsecSignFromBytes", "ec", "sign", None),
        ("verify from bytes (leaf cert in KeyInfo)", "BM_VerifyFromBytes", "rsa", "verify", 0.2),
        ("verify from bytes (leaf cert in KeyInfo)", "BM_VerifyFromBytes", "ec", "verify", 0.3),
        ("verify from bytes (leaf + intermediate)", "BM_VerifyFromBytesWithChain", "rsa", "verify", None),
        ("verify from bytes (leaf + intermediate)", "BM_VerifyFromBytesWithChain", "ec", "verify", None),
    ]
    names = {"rsa": "RSA-2048", "ec": "ECDSA P-256"}
    print(f"host: {ctx.get('num_cpus')} CPUs @ {ctx.get('mhz_per_cpu')} MHz; lienthong built Release; "
          f"median of {ctx.get('repetitions', '?')} repetitions\n")
    print("| operation | key | ops/s | EVP ceiling ops/s | ratio | target | met |")
    print("|---|---|---:|---:|---:|---:|:---:|")
    for label, bench, kt, op, target in rows:
        ours = m.get(f"{bench}/{kt}")
        ceiling = m.get(f"BM_Evp{'Sign' if op == 'sign' else 'Verify'}/{kt}")
        if ours is None or ceiling is None:
            continue
        ratio = ours / ceiling
        t = f"≥ {target:.1f}×" if target else "–"
        met = ("yes" if ratio >= target else "NO") if target else ""
        print(f"| {label} | {names[kt]} | {ours:,.0f} | {ceiling:,.0f} | {ratio:.2f}× | {t} | {met} |")
    parse = m.get("BM_ParseOnly/doc")
    if parse:
        print(f"| safe parse only (3.5 KB signed record) | – | {parse:,.0f} | – | – | – | |")
    print()
    print("| reference | RSA-2048 sign/s | RSA-2048 verify/s | P-256 sign/s | P-256 verify/s |")
    print("|---|---:|---:|---:|---:|")
    evp = [m.get("BM_EvpSign/rsa"), m.get("BM_EvpVerify/rsa"), m.get("BM_EvpSign/ec"), m.get("BM_EvpVerify/ec")]
    print("| bare EVP in crypto_bench (the ceiling) | " + " | ".join(f"{v:,.0f}" for v in evp) + " |")
    sp = [speed[("rsa", "sign")], speed[("rsa", "verify")], speed[("ec", "sign")], speed[("ec", "verify")]]
    print("| `openssl speed -seconds 3` | " + " | ".join(f"{v:,.0f}" if v else "?" for v in sp) + " |")


if __name__ == "__main__":
    main()
