#!/usr/bin/python3
"""Durable acceptance of edXML documents with a 100 KB attachment (issue 6, item 7): runs
tests/bench/documents_bench (Google Benchmark; it starts its own redis-servers with
`appendonly yes`, `appendfsync always` and `no`) and prints each stage as a ratio to the
reference measured in the same run: a raw Redis SET of the same signed envelope to the same
always-fsync redis-server. Benchmarks never gate a build: this prints, it does not judge.

usage: bench_documents.py BUILD_DIR PKI_DIR OUT_DIR [REPETITIONS [MIN_TIME_S]]
           runs BUILD_DIR/tests/bench/documents_bench (defaults 5 repetitions, 2 s each; the
           medians are reported) with LIENTHONG_BENCH_PKI=PKI_DIR, writes
           OUT_DIR/documents_bench.json, prints the table
       bench_documents.py --report FILE.json
           prints the table of a documents_bench --benchmark_out=FILE.json run
The redis-servers' AOF goes to $TMPDIR (default /tmp): point it at the disk to measure."""

import json
import os
import subprocess
import sys

# (label, benchmark run name); the reference first.
ROWS = (
    ("raw SET of the signed envelope, appendfsync always (REFERENCE)", "BM_RawSet/always"),
    ("raw SET of the signed envelope, appendfsync no", "BM_RawSet/no_fsync"),
    ("parse_edxml + validate", "BM_ParseValidate"),
    ("sign_edxml (ES256, chain in KeyInfo)", "BM_Sign"),
    ("DocumentOutbox::accept, appendfsync always", "BM_OutboxAccept/always"),
    ("DocumentOutbox::accept, appendfsync no", "BM_OutboxAccept/no_fsync"),
    ("whole acceptance path: parse + validate + accept, always (signing is the deliverer's)",
     "BM_WholePath/always"),
)
REFERENCE = "BM_RawSet/always"
WHOLE = "BM_WholePath/always"


def run_name(bench):
    name = bench.get("run_name") or bench["name"]
    for suffix in ("/real_time", "/process_time"):
        name = name.replace(suffix, "")
    return name.split("/min_time")[0]


def figures(data):
    """run name -> {items_per_second, bytes_per_second, doc_bytes}: the median when the run had
    repetitions, else the one result."""
    out, singles = {}, {}
    for b in data["benchmarks"]:
        if b.get("error_occurred"):
            out.setdefault(run_name(b), {"error": b.get("error_message", "error")})
            continue
        values = {"items_per_second": b.get("items_per_second", 0.0),
                  "bytes_per_second": b.get("bytes_per_second", 0.0),
                  "doc_bytes": b.get("doc_bytes", 0.0)}
        if b.get("run_type") == "aggregate":
            if b.get("aggregate_name") == "median":
                out[run_name(b)] = values
        else:
            singles.setdefault(run_name(b), values)
    for name, values in singles.items():
        out.setdefault(name, values)
    return out


def report(data):
    f = figures(data)
    ctx = data.get("context", {})
    reps = next((b.get("repetitions") for b in data["benchmarks"] if b.get("repetitions")), 1)
    print(f"host: {ctx.get('num_cpus')} CPUs @ {ctx.get('mhz_per_cpu')} MHz; redis AOF on "
          f"{ctx.get('redis_dir')} ({ctx.get('redis_fs')}); attachment "
          f"{ctx.get('attachment_bytes')} B; {'median of ' + str(reps) if reps > 1 else 'one'} "
          f"run(s)\n")
    ref = f.get(REFERENCE, {}).get("items_per_second")
    print("| stage | documents/s | MB/s | envelope bytes | ratio to raw SET always |")
    print("|---|---:|---:|---:|---:|")
    for label, name in ROWS:
        v = f.get(name)
        if v is None:
            continue
        if "error" in v:
            print(f"| {label} | error: {v['error']} | | | |")
            continue
        ratio = f"{v['items_per_second'] / ref:.2f}" if ref else "n/a"
        print(f"| {label} | {v['items_per_second']:,.1f} | {v['bytes_per_second'] / 1e6:,.1f} | "
              f"{v['doc_bytes']:,.0f} | {ratio} |")
    whole = f.get(WHOLE, {}).get("items_per_second")
    if whole and ref:
        print(f"\ndocuments accepted/s (whole path) = {whole:,.1f}, raw SET always = {ref:,.1f}, "
              f"ratio X/Y = {whole / ref:.2f}")
    else:
        print("\ndocuments accepted/s: the whole path or the reference did not run")


def main():
    if len(sys.argv) == 3 and sys.argv[1] == "--report":
        with open(sys.argv[2]) as fh:
            return report(json.load(fh))
    if len(sys.argv) < 4:
        sys.exit(__doc__)
    build, pki, out = (os.path.abspath(a) for a in sys.argv[1:4])
    reps = int(sys.argv[4]) if len(sys.argv) > 4 else 5
    min_time = sys.argv[5] if len(sys.argv) > 5 else "2"
    os.makedirs(out, exist_ok=True)
    result = os.path.join(out, "documents_bench.json")
    cmd = [os.path.join(build, "tests", "bench", "documents_bench"),
           f"--benchmark_min_time={min_time}", f"--benchmark_out={result}",
           "--benchmark_out_format=json"]
    if reps > 1:
        cmd += [f"--benchmark_repetitions={reps}", "--benchmark_report_aggregates_only=true"]
    with open(os.path.join(out, "documents_bench.txt"), "w") as log:
        subprocess.run(cmd, check=True, stdout=log, stderr=subprocess.STDOUT,
                       env={**os.environ, "LIENTHONG_BENCH_PKI": pki})
    with open(result) as fh:
        report(json.load(fh))


if __name__ == "__main__":
    main()
