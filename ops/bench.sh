#!/usr/bin/env bash
# ops/bench.sh: measures the XML-DSig record path and prints it as ratios to the bare OpenSSL
# EVP operations on the same keys, measured in the same run; `openssl speed` is printed beside
# them as an outside reference. Benchmarks never gate a build.
#   ops/bench.sh [REPETITIONS]   (default 5; the median is reported)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
reps="${1:-5}"

ops/setup.sh >/dev/null
cmake --preset release >/dev/null
cmake --build --preset release --target crypto_bench -j "$(nproc)" >/dev/null
out=build/release/bench
mkdir -p "$out"
certs/dev-pki.sh "$out/pki" >/dev/null

echo "bench: Google Benchmark, $reps repetitions (median) ..." >&2
LIENTHONG_BENCH_PKI="$out/pki" build/release/tests/bench/crypto_bench \
  --benchmark_repetitions="$reps" --benchmark_report_aggregates_only=true \
  --benchmark_out="$out/crypto_bench.json" --benchmark_out_format=json \
  >"$out/crypto_bench.txt" 2>&1
echo "bench: openssl speed rsa2048 ecdsap256 ..." >&2
openssl speed -seconds 3 rsa2048 ecdsap256 2>/dev/null > "$out/openssl_speed.txt"
/usr/bin/python3 ops/bench_report.py "$out/crypto_bench.json" "$out/openssl_speed.txt"
