#!/usr/bin/python3
"""The whole-gateway benchmark of issue 3, every figure next to a reference measured in the same
run on the same machine (2 cores: load generator, Redis, simulator and gateway share them):

  (a) cached lookups: closed loop, then a fixed rate at half of what the closed loop reached
      (p99 at that rate), next to nginx serving a static file of the same size over the same
      mTLS (the ceiling of "answer a small HTTPS request" here) and `openssl speed ecdsap256`
      (the signature each answer costs); the same closed loop with signed requests (compact
      JWS, ES256, pre-signed by lienthong-load before the run: the gateway verifies each one,
      checks its jti against replay, and signs the answer as always);
  (b) misses: the simulator answers after 100 ms, 2,000 connections in flight, every lookup a
      different citizen; gateway RSS sampled during the run;
  (c) land (DD01) lookups through the whole gateway, in one stack with the population DB:
      cached (1,000 parcels, warmed) and missed (maxAgeSeconds 0, every lookup a different
      parcel, so each one is a call to the land simulator, which adds no latency), each beside
      the same closed loop for citizens (CD01) in the same stack, and beside the nginx peer;
  (d) documents: POST /v1/documents, an edXML envelope with a 100 KB attachment (~140 KB), a new
      DocumentId each, accepted durably (outbox on a Redis with appendfsync always) and answered
      202, next to the nginx peer receiving the same POSTs over the same mTLS and answering 202.

usage: bench_exchange.py BUILD_DIR PKI_DIR OUT_DIR [SECONDS]
  BENCH_SCENARIOS=closed,signed,...  runs only those (of: closed, fixed, signed, full, thrift,
  nginx, openssl, misses, land, documents; default all) for a quick look; the table shows what
  ran."""

import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from stack import Stack, free_port  # noqa: E402

BUILD, PKI, OUT = (os.path.abspath(a) for a in sys.argv[1:4])
SECONDS = int(sys.argv[4]) if len(sys.argv) > 4 else 10
EC = os.path.join(PKI, "ec")
# Connections to the simulator: 100 ms each, so 320 of them carry 3,200 lookups/s; more only
# make a storm of TLS handshakes when 2,000 requests arrive at once.
UPSTREAM_CONNECTIONS = 320
ALL_SCENARIOS = ("closed", "fixed", "signed", "full", "thrift", "nginx", "openssl", "misses",
                 "land", "documents")
SCENARIOS = [s for s in os.environ.get("BENCH_SCENARIOS", ",".join(ALL_SCENARIOS)).split(",") if s]
if set(SCENARIOS) - set(ALL_SCENARIOS):
    sys.exit(f"BENCH_SCENARIOS: unknown {sorted(set(SCENARIOS) - set(ALL_SCENARIOS))}")
# Signed requests: lienthong-load signs this many bodies per expected request before the run
# (each is sent once; a jti sent twice is REPLAYED), and at most this many.
PRESIGN_MARGIN = 1.1
PRESIGN_MAX = 2_000_000
# (c) land: cached lookups cycle through this many subjects (as (a)); missed ones take each
# subject once from a range no cached run used (the land simulator holds 500,000 parcels).
LAND_DISTINCT = 1000
MISSED_OFFSET, MISSED_DISTINCT = 100_000, 400_000
# (d) documents: closed loop connections (each request carries ~140 KB).
DOCUMENT_CONNECTIONS = 16


def load(stack, port, *args, protocol="http", member="member-g22", sign=False):
    cmd = [stack.binary("lienthong-load"), "--protocol", protocol, "--host", "127.0.0.1",
           "--port", str(port), "--cert", f"{EC}/{member}.fullchain.pem", "--key",
           f"{EC}/{member}.key", "--ca", f"{EC}/root-ca.crt", "--json", *map(str, args)]
    if sign:  # the member's certificate key signs the request (and answers must be signed)
        cmd += ["--sign-key", f"{EC}/{member}.key"]
    out = subprocess.run(cmd, capture_output=True, text=True, timeout=600)
    if out.returncode != 0 and not out.stdout.strip():
        raise RuntimeError(f"lienthong-load failed: {out.stderr[-2000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def nginx_peer(work, body_bytes):
    """nginx with the gateway's certificate, requiring a member certificate, answering
    POST /v1/lookup with a static JSON file of the same size as a gateway answer."""
    port = free_port()
    root = os.path.join(work, "nginx")
    os.makedirs(os.path.join(root, "logs"), exist_ok=True)
    with open(os.path.join(root, "answer.json"), "w") as f:
        f.write('{"pad":"' + "x" * max(0, body_bytes - 10) + '"}')
    # nginx's workers run as an unprivileged user: they must be able to read the file.
    for path in (work, root):
        os.chmod(path, 0o755)
    conf = os.path.join(root, "nginx.conf")
    with open(conf, "w") as f:
        f.write(f"""
worker_processes auto;  # one per core, like the gateway's HTTPS threads
pid {root}/nginx.pid;
error_log {root}/logs/error.log warn;
events {{ worker_connections 8192; }}
http {{
  access_log off;
  keepalive_requests 1000000;
  server {{
    listen 127.0.0.1:{port} ssl;
    ssl_certificate {EC}/gateway-tls.fullchain.pem;
    ssl_certificate_key {EC}/gateway-tls.key;
    ssl_client_certificate {EC}/chain.pem;
    ssl_verify_client on;
    ssl_verify_depth 3;
    root {root};
    # POST to a static file: serve the file (nginx answers 405 to POST on static content, and
    # error_page turns that into the file with 200).
    location = /v1/lookup {{
      default_type application/json;
      rewrite ^ /answer.json break;
      error_page 405 =200 /answer.json;
    }}
    # (d): receive the whole envelope over the same mTLS, answer 202 as the gateway does.
    location = /v1/documents {{
      client_max_body_size 32m;
      client_body_buffer_size 1m;
      default_type application/json;
      return 202 '{{"outboxId":"ob-0000000001","duplicate":false,"state":"accepted"}}';
    }}
  }}
}}
""")
    proc = subprocess.Popen(["nginx", "-p", root, "-c", conf, "-g", "daemon off;"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    time.sleep(0.5)
    return proc, port


def rss_sampler(pid, samples, stop):
    while not stop.is_set():
        try:
            for line in open(f"/proc/{pid}/status"):
                if line.startswith("VmRSS:"):
                    samples.append(int(line.split()[1]) // 1024)
        except OSError:
            return
        time.sleep(0.2)


def openssl_speed():
    out = subprocess.run(["openssl", "speed", "-seconds", "3", "ecdsap256"], capture_output=True,
                         text=True).stdout
    for line in out.splitlines():
        if line.strip().startswith("256 bits ecdsa"):
            parts = line.split()
            return {"sign_per_s": float(parts[-2]), "verify_per_s": float(parts[-1])}
    return {}


def main():
    os.makedirs(OUT, exist_ok=True)
    work = tempfile.mkdtemp(prefix="lienthong-bench-")
    results = {"seconds": SECONDS, "scenarios": SCENARIOS}
    want = set(SCENARIOS).__contains__
    try:
        # (a) cached lookups ---------------------------------------------------------------
        with Stack(BUILD, PKI, os.path.join(work, "cached"), log_level="warn") as stack:
            http = stack.ports["http"]
            distinct = 1000
            cached = {}
            # Warm the cache: every one of the distinct subjects fetched once.
            load(stack, http, "--connections", 50, "--requests", distinct, "--distinct", distinct)
            # The provincial member (HTTPS) receives 12 fields and the evidence's digest; the
            # ministry member (full grant) also receives the upstream's signed bytes (~13 KB).
            if want("closed") or want("fixed"):
                cached["closed_loop"] = load(stack, http, "--connections", 64, "--duration",
                                             SECONDS, "--warmup", 2, "--distinct", distinct,
                                             member="member-h20")
            if want("fixed"):
                half = max(1, int(cached["closed_loop"]["throughput_per_s"] / 2))
                cached["fixed_rate_half"] = load(stack, http, "--connections", 64, "--rate", half,
                                                 "--duration", SECONDS, "--warmup", 2,
                                                 "--distinct", distinct, member="member-h20")
            if want("signed"):
                # The closed loop above, signed: same member, connections, subjects. Signed
                # requests cost the gateway more than plain ones, so the plain closed loop's
                # rate bounds the bodies needed; without it, lienthong-load's default (100,000).
                presign = []
                if "closed_loop" in cached:
                    expected = cached["closed_loop"]["throughput_per_s"] * (SECONDS + 2)
                    presign = ["--presign",
                               min(PRESIGN_MAX, int(expected * PRESIGN_MARGIN) + 1000)]
                cached["signed"] = load(stack, http, "--connections", 64, "--duration", SECONDS,
                                        "--warmup", 2, "--distinct", distinct, *presign,
                                        member="member-h20", sign=True)
            if want("full"):
                cached["full_grant"] = load(stack, http, "--connections", 64, "--duration",
                                            SECONDS, "--warmup", 2, "--distinct", distinct,
                                            member="member-g22")
            if want("thrift"):
                cached["thrift"] = load(stack, stack.ports["thrift"], "--connections", 16,
                                        "--duration", SECONDS, "--warmup", 2, "--distinct",
                                        distinct, protocol="thrift")
            status, _, body = stack.https("POST", "/v1/lookup", member="member-h20", body=json.dumps({
                "subjectId": subprocess.run([stack.binary("lienthong-sim"), "ids", "--count", "1"],
                                            capture_output=True, text=True).stdout.strip(),
                "documentType": "CD01",
                "purpose": {"dossierCode": "000.00.00.G22-261122-0001", "procedureCode": "1.0"},
                "officer": {"personalId": "001092000001", "account": "bench"}}).encode())
            answer_bytes = len(body)
            hits = stack.metric('lienthong_cache_lookups_total{result="hit"}')
            misses = stack.metric('lienthong_cache_lookups_total{result="miss"}')
        results["cached"] = {**cached, "answer_bytes": answer_bytes, "cache_hits": hits,
                             "cache_misses": misses}
        if want("nginx") or want("documents"):
            nginx, port = nginx_peer(work, answer_bytes)
            try:
                if want("nginx"):
                    results["nginx_static"] = load(Stack(BUILD, PKI, work), port,
                                                   "--connections", 64, "--duration", SECONDS,
                                                   "--warmup", 2)
                if want("documents"):
                    results["nginx_documents"] = load(
                        Stack(BUILD, PKI, work), port, "--workload", "documents",
                        "--connections", DOCUMENT_CONNECTIONS, "--duration", SECONDS,
                        "--warmup", 2)
            finally:
                nginx.terminate()
                nginx.wait()
        if want("openssl"):
            results["openssl_speed_ecdsap256"] = openssl_speed()

        if want("land"):
            results["land"] = land_scenarios(work)
        if want("documents"):
            results["documents"] = documents_scenario(work)

        # (b) misses with a 100 ms upstream and 2,000 in flight -------------------------------
        if not want("misses"):
            return finish(results)
        with Stack(BUILD, PKI, os.path.join(work, "misses"), log_level="warn",
                   sim_args=["--latency-ms", "100"], timeout_ms=10000,
                   connect_timeout_ms=10000, upstream_connections=UPSTREAM_CONNECTIONS) as stack:
            samples, stop = [], threading.Event()
            sampler = threading.Thread(target=rss_sampler,
                                       args=(stack.procs["gateway"].pid, samples, stop))
            sampler.start()
            try:
                misses_run = load(stack, stack.ports["http"], "--connections", 2000, "--duration",
                                  SECONDS, "--warmup", 3, "--distinct", 900000,
                                  "--subject-offset", 50000, "--timeout", 30,
                                  member="member-h20")
            finally:
                stop.set()
                sampler.join()
            results["misses"] = {"run": misses_run, "gateway_rss_mb_max": max(samples or [0]),
                                 "upstream_calls": stack.metric(
                                     'lienthong_upstream_calls_total{adapter="population",outcome="OK"}')}
    finally:
        shutil.rmtree(work, ignore_errors=True)
    finish(results)


def upstream_ok(stack, adapter):
    return stack.metric(f'lienthong_upstream_calls_total{{adapter="{adapter}",outcome="OK"}}')


def land_scenarios(work):
    """(c) One stack with the population DB and the land DB simulators; every run as the
    provincial member over HTTPS, 64 connections, closed loop."""
    out = {}
    with Stack(BUILD, PKI, os.path.join(work, "land"), log_level="warn",
               systems=("population", "land")) as stack:
        http = stack.ports["http"]
        run = ("--connections", 64, "--duration", SECONDS, "--warmup", 2)
        parcels = ("--document-type", "DD01")
        # Warm both caches: each of the distinct subjects fetched once.
        for kind in ((), parcels):
            load(stack, http, "--connections", 50, "--requests", LAND_DISTINCT, "--distinct",
                 LAND_DISTINCT, *kind, member="member-h20")
        out["population_cached"] = load(stack, http, *run, "--distinct", LAND_DISTINCT,
                                        member="member-h20")
        out["land_cached"] = load(stack, http, *run, "--distinct", LAND_DISTINCT, *parcels,
                                  member="member-h20")
        # Misses: maxAgeSeconds 0 and a subject no earlier request asked about, so nothing is
        # served from the cache or joins a call in flight; the upstream call count checks it.
        missed = ("--max-age", 0, "--subject-offset", MISSED_OFFSET, "--distinct",
                  MISSED_DISTINCT)
        for name, adapter, kind in (("population_missed", "population", ()),
                                    ("land_missed", "land", parcels)):
            before = upstream_ok(stack, adapter)
            out[name] = load(stack, http, *run, *missed, *kind, member="member-h20")
            out[name + "_upstream_calls"] = upstream_ok(stack, adapter) - before
    return out


def documents_scenario(work):
    """(d) The documents front with the outbox on its own Redis (appendfsync always) and the
    axis simulator behind the deliverer, as ops/stack.py sets them up with "axis"."""
    with Stack(BUILD, PKI, os.path.join(work, "documents"), log_level="warn",
               systems=("population", "axis")) as stack:
        return {"run": load(stack, stack.ports["http"], "--workload", "documents",
                            "--connections", DOCUMENT_CONNECTIONS, "--duration", SECONDS,
                            "--warmup", 2, member="member-g22")}


def finish(results):
    with open(os.path.join(OUT, "exchange_bench.json"), "w") as f:
        json.dump(results, f, indent=2)
    report(results)


def report(r):
    """The table of what ran (all of it unless BENCH_SCENARIOS chose)."""
    c = r["cached"]
    n = r.get("nginx_static")
    s = r.get("openssl_speed_ecdsap256")
    m = r.get("misses")

    def vs_nginx(run):
        if not n:
            return "(nginx not run)"
        return f'{run["throughput_per_s"] / max(1, n["throughput_per_s"]):.2f}× nginx static'

    rows = []
    if "closed_loop" in c:
        rows.append(("cached lookups, HTTPS closed loop (64 conns, provincial member)",
                     f'{c["closed_loop"]["throughput_per_s"]:,.0f}/s', vs_nginx(c["closed_loop"]),
                     f'p99 {c["closed_loop"]["latency_ms"]["p99"]} ms'))
    if "fixed_rate_half" in c:
        rows.append((f'cached lookups, fixed rate {c["fixed_rate_half"].get("target_rate")}/s',
                     f'{c["fixed_rate_half"]["throughput_per_s"]:,.0f}/s', "",
                     f'p50 {c["fixed_rate_half"]["latency_ms"]["p50"]} / p99 {c["fixed_rate_half"]["latency_ms"]["p99"]} / '
                     f'p99.9 {c["fixed_rate_half"]["latency_ms"]["p999"]} ms'))
    if "signed" in c:
        sg = c["signed"]
        note = vs_nginx(sg)
        if sg["signing"]["exhausted"]:
            note += " (stopped early: all pre-signed requests used)"
        rows.append(("cached lookups, HTTPS closed loop, signed request + signed answer "
                     "(64 conns, provincial member, ES256)",
                     f'{sg["throughput_per_s"]:,.0f}/s', note,
                     f'p99 {sg["latency_ms"]["p99"]} ms'))
    if "full_grant" in c:
        rows.append(("cached lookups, HTTPS closed loop, full grant (answer carries the 13 KB evidence)",
                     f'{c["full_grant"]["throughput_per_s"]:,.0f}/s', vs_nginx(c["full_grant"]),
                     f'p99 {c["full_grant"]["latency_ms"]["p99"]} ms'))
    if "thrift" in c:
        rows.append(("cached lookups, Thrift closed loop (16 conns, full grant)",
                     f'{c["thrift"]["throughput_per_s"]:,.0f}/s', "",
                     f'p99 {c["thrift"]["latency_ms"]["p99"]} ms'))
    if n:
        rows.append(("nginx: static file of the same size, same mTLS", f'{n["throughput_per_s"]:,.0f}/s',
                     "1.00×", f'p99 {n["latency_ms"]["p99"]} ms'))
    if s is not None and "closed_loop" in c:
        rows.append(("openssl speed ecdsap256 sign (1 core)", f'{s.get("sign_per_s", 0):,.0f}/s',
                     f'{c["closed_loop"]["throughput_per_s"] / max(1, s.get("sign_per_s", 1)):.2f}× (each answer is signed once)', ""))
    if m:
        rows.append(("misses: 100 ms upstream, 2,000 in flight (provincial member)",
                     f'{m["run"]["throughput_per_s"]:,.0f}/s', f'RSS max {m["gateway_rss_mb_max"]} MB',
                     f'p50 {m["run"]["latency_ms"]["p50"]} / p99 {m["run"]["latency_ms"]["p99"]} ms'))
    land = r.get("land")
    if land:
        pc = land["population_cached"]

        def vs(run, ref, name):
            return f'{run["throughput_per_s"] / max(1, ref["throughput_per_s"]):.2f}× {name}'
        rows.append(("(c) cached citizen lookups CD01, same stack as the land runs (reference)",
                     f'{pc["throughput_per_s"]:,.0f}/s', vs_nginx(pc),
                     f'p99 {pc["latency_ms"]["p99"]} ms'))
        lc = land["land_cached"]
        rows.append(("(c) cached land lookups DD01 (1,000 parcels, warmed; 64 conns, provincial "
                     "member)", f'{lc["throughput_per_s"]:,.0f}/s',
                     vs(lc, pc, "citizens cached") + "; " + vs_nginx(lc),
                     f'p99 {lc["latency_ms"]["p99"]} ms'))
        pm = land["population_missed"]
        rows.append(("(c) missed citizen lookups CD01, maxAgeSeconds 0 (simulator, no added "
                     "latency)", f'{pm["throughput_per_s"]:,.0f}/s',
                     vs(pm, pc, "citizens cached") +
                     f'; {land["population_missed_upstream_calls"]:,.0f} upstream calls '
                     '(warm-up included)',
                     f'p99 {pm["latency_ms"]["p99"]} ms'))
        lm = land["land_missed"]
        rows.append(("(c) missed land lookups DD01, maxAgeSeconds 0 (every one to the land "
                     "simulator)", f'{lm["throughput_per_s"]:,.0f}/s',
                     vs(lm, pc, "citizens cached") + "; " + vs(lm, pm, "citizens missed") + "; " +
                     vs_nginx(lm) +
                     f'; {land["land_missed_upstream_calls"]:,.0f} upstream calls '
                     '(warm-up included)',
                     f'p99 {lm["latency_ms"]["p99"]} ms'))
    d = r.get("documents")
    nd = r.get("nginx_documents")
    if d:
        run = d["run"]
        size = (run.get("documents") or {}).get("body_bytes", 0)
        note = (f'{run["throughput_per_s"] / max(1, nd["throughput_per_s"]):.2f}× nginx '
                f'receiving the same POSTs' if nd else "(nginx not run)")
        rows.append((f'(d) documents accepted durably, POST /v1/documents ({size / 1000:,.0f} KB '
                     f'edXML, {DOCUMENT_CONNECTIONS} conns, member G22)',
                     f'{run["throughput_per_s"]:,.1f}/s '
                     f'({run["throughput_per_s"] * size / 1e6:,.1f} MB/s)', note,
                     f'p50 {run["latency_ms"]["p50"]} / p99 {run["latency_ms"]["p99"]} ms'))
    if nd:
        rows.append(("(d) nginx: receives the same POSTs, answers 202, same mTLS",
                     f'{nd["throughput_per_s"]:,.0f}/s', "1.00×",
                     f'p99 {nd["latency_ms"]["p99"]} ms'))
    print("| measurement | throughput | ratio / note | latency |")
    print("|---|---:|---|---|")
    for row in rows:
        print("| " + " | ".join(row) + " |")
    runs = (("closed", c.get("closed_loop")), ("fixed", c.get("fixed_rate_half")),
            ("signed", c.get("signed")), ("full", c.get("full_grant")), ("thrift", c.get("thrift")),
            ("misses", m and m["run"]),
            *((k, (land or {}).get(k)) for k in ("population_cached", "land_cached",
                                                 "population_missed", "land_missed")),
            ("documents", d and d["run"]), ("nginx_documents", nd))
    errors = {k: v["errors"]["total"] for k, v in runs if v}
    print("\nerrors:", json.dumps(errors))
    if "signed" in c:
        sg = c["signed"]["signing"]
        print(f'signed requests: {sg["presigned"]:,} pre-signed in {sg["presign_s"]} s (not in the '
              f'run), {sg["used"]:,} used')


if __name__ == "__main__":
    main()
