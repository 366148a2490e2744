#!/usr/bin/env bash
# ops/bench.sh: (1) the XML-DSig record path and (1b) JWS sign/verify per algorithm as ratios to
# the bare OpenSSL operations on the same keys, measured in the same run, with `openssl speed`
# beside them; (2) the whole gateway
# (ops/bench_exchange.py): cached lookups next to nginx serving a static file of the same size
# over the same mTLS, and misses against a 100 ms simulated upstream with 2,000 in flight.
# Benchmarks never gate a build.
#   ops/bench.sh [REPETITIONS [SECONDS]]   (defaults 5 and 10)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
reps="${1:-5}"

ops/setup.sh >/dev/null
cmake --preset release >/dev/null
cmake --build --preset release -j "$(nproc)" \
  --target crypto_bench jws_bench documents_bench lienthong lienthong-gateway lienthong-sim lienthong-load >/dev/null
out=build/release/bench
mkdir -p "$out"
certs/dev-pki.sh "$out/pki" >/dev/null

echo "bench: Google Benchmark, $reps repetitions (median) ..." >&2
LIENTHONG_BENCH_PKI="$out/pki" build/release/tests/bench/crypto_bench \
  --benchmark_repetitions="$reps" --benchmark_report_aggregates_only=true \
  --benchmark_out="$out/crypto_bench.json" --benchmark_out_format=json \
  >"$out/crypto_bench.txt" 2>&1
echo "bench: JWS per algorithm beside bare OpenSSL, $reps repetitions (median) ..." >&2
build/release/tests/bench/jws_bench --benchmark_repetitions="$reps" \
  --benchmark_report_aggregates_only=true > "$out/jws_bench.txt" 2>&1
sed -n '/^JWS compact/,$p' "$out/jws_bench.txt"
echo "bench: openssl speed rsa2048 ecdsap256 ..." >&2
openssl speed -seconds 3 rsa2048 ecdsap256 2>/dev/null > "$out/openssl_speed.txt"
/usr/bin/python3 ops/bench_report.py "$out/crypto_bench.json" "$out/openssl_speed.txt"
echo "bench: durable acceptance of edXML documents (100 KB attachment) beside a raw Redis SET ..." >&2
/usr/bin/python3 ops/bench_documents.py build/release "$out/pki" "$out" "$reps"
echo "bench: the whole gateway (cached, nginx peer, misses), ${2:-10} s per run ..." >&2
/usr/bin/python3 ops/bench_exchange.py build/release "$out/pki" "$out" "${2:-10}"
