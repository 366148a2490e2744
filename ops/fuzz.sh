#!/usr/bin/env bash
# ops/fuzz.sh [SECONDS [TARGET...]]  (default 300 seconds for each target; every target)
# Builds the libFuzzer targets (preset `fuzz`: clang, ASan+UBSan, coverage over our code, the
# Debian libraries that ops/setup.sh installs) and fuzzes a working copy of each seed corpus:
#   xml_verifier    the safe XML parser and the XML-DSig verifiers
#   jws_verify      the JWS verifier: serializations, headers, JWK keys, x5c paths
#   lookup_request  the HTTPS front's JSON and XML request decoders
#   stored_bytes    cached records from Redis (decode, unseal) and audit lines
#   thrift_call     the Thrift front: framing, limits, binary protocol, Exchange calls
#   rest_answer     the REST upstreams' JSON answers after the signature: parse, map, adapters
#   signed_lookup   members' signed JSON requests: JWS, then the lookup behind it
#   ocsp_response   OCSP responders' answers: DER, status, CertID, nonce, times, signer
#   edxml_parse     edXML envelopes and Status messages (QCVN 102:2016)
#   land_subject    land parcels' keys and certificate serials
#   axis_answer     the document axis's answers: receipts, pending lists, status histories
#   document_request the HTTPS front's document routes: ids, queries, status bodies
# The seeds in git are never modified.
#   working corpus  build/fuzz/corpus-run/<target>   (kept between runs, git-ignored)
#   artifacts       build/fuzz/artifacts/             (crash-*, timeout-*, oom-*, leak-*)
#   full log        build/fuzz/<target>.log
# Ends with one summary line per target. Exits non-zero when this run produced any artifact.
set -euo pipefail

duration="${1:-300}"
if ! [[ "$duration" =~ ^[1-9][0-9]*$ ]]; then
  echo "usage: $0 [SECONDS [TARGET...]]   (a positive number of seconds, default 300)" >&2
  exit 2
fi

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

for tool in cmake clang clang++ pkg-config; do
  command -v "$tool" >/dev/null || { echo "fuzz.sh: '$tool' not found (run ops/setup.sh)" >&2; exit 2; }
done
for pc in xmlsec1-openssl libxml-2.0; do
  pkg-config --exists "$pc" || { echo "fuzz.sh: Debian package for '$pc' missing (run ops/setup.sh)" >&2; exit 2; }
done

fuzz_one() {
  local name="$1"
  work="build/fuzz"
  seeds="tests/fuzz/corpus/$name"
  corpus="$work/corpus-run/$name"
  artifacts="$work/artifacts"
  log="$work/$name.log"

  cmake --preset fuzz
  cmake --build --preset fuzz --target "${name}_fuzz"
  fuzzer="$work/tests/fuzz/${name}_fuzz"

  mkdir -p "$corpus" "$artifacts"
  cp -p "$seeds"/* "$corpus"/   # only adds and refreshes; corpus growth of earlier runs stays
  chmod u+w "$corpus"/*
  corpus_before=$(find "$corpus" -type f | wc -l)
  marker="$(mktemp "$work/.fuzz-start.XXXXXX")"
  trap 'rm -f "$marker"' RETURN

  # UB is a finding, not a warning; libFuzzer then writes the input as a crash artifact.
  export UBSAN_OPTIONS="${UBSAN_OPTIONS:-halt_on_error=1:print_stacktrace=1}"
  export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1:symbolize=1}"

  echo "fuzz.sh: running $fuzzer for ${duration}s on $corpus (log: $log)"
  set +e
  "$fuzzer" "$corpus" \
    -max_total_time="$duration" -max_len=65536 -timeout=10 -rss_limit_mb=2048 \
    -print_final_stats=1 -artifact_prefix="$artifacts/" 2>&1 | tee "$log" | grep -v -E '^#[0-9]+\s+(NEW|REDUCE|pulse)'
  fuzz_rc=${PIPESTATUS[0]}
  set -e

  stat() { sed -n "s/^stat::$1: *//p" "$log" | tail -1; }
  count() { find "$artifacts" -maxdepth 1 -type f -name "$1-*" -newer "$marker" | wc -l; }
  execs=$(stat number_of_executed_units)
  rate=$(stat average_exec_per_sec)
  corpus_after=$(find "$corpus" -type f | wc -l)
  crashes=$(count crash)
  timeouts=$(count timeout)
  ooms=$(count oom)
  leaks=$(count leak)
  total=$((crashes + timeouts + ooms + leaks))

  echo "fuzz $name: ${execs:-?} execs, ${rate:-?} exec/s, corpus $corpus_before -> $corpus_after" \
       "(+$((corpus_after - corpus_before))), artifacts: $crashes crash, $timeouts timeout," \
       "$ooms oom, $leaks leak (${duration}s, fuzzer exit $fuzz_rc)"
  if ((total > 0)); then
    echo "fuzz.sh: new artifacts in $artifacts/ (see tests/fuzz/README.md to keep one as a regression):" >&2
    find "$artifacts" -maxdepth 1 -type f -newer "$marker" >&2
    return 1
  fi
  if ((fuzz_rc != 0)); then
    echo "fuzz.sh: the fuzzer exited with $fuzz_rc without an artifact; see $log" >&2
    return 1
  fi
}

targets=("${@:2}")
[ ${#targets[@]} -gt 0 ] || targets=(xml_verifier jws_verify lookup_request stored_bytes thrift_call rest_answer signed_lookup ocsp_response)
status=0
for target in "${targets[@]}"; do
  fuzz_one "$target" || status=1
done
exit $status
