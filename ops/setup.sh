#!/usr/bin/env bash
# ops/setup.sh: installs every Debian package lienthong needs to build, test, fuzz, benchmark and
# run its demo. Idempotent and non-interactive: when everything is present it changes nothing.
set -euo pipefail

packages=(
  # toolchain
  build-essential cmake pkg-config git ca-certificates
  clang libclang-rt-14-dev           # fuzzing (libFuzzer) and the asan preset with clang
  # libraries (DESIGN.md §7)
  libxmlsec1-dev libxml2-dev libssl-dev
  libexpected-dev libcli11-dev nlohmann-json3-dev libspdlog-dev libfmt-dev
  libgoogle-perftools-dev            # tcmalloc_minimal (docs/decisions/0001-tcmalloc.md)
  libthrift-dev thrift-compiler      # the Thrift front (code generated at build time)
  libcurl4-openssl-dev libhiredis-dev libboost-dev libtomlplusplus-dev
  # tests and benchmarks
  libgtest-dev libgmock-dev libbenchmark-dev
  xmlsec1 openssl python3            # xmlsec1: the independent verifier in tests; python3: test drivers
  redis-server python3-thrift curl   # integration tests and the demo: real Redis, real clients
  python3-jwcrypto                   # an independent JWS: signs members' requests, checks answers
  nginx-light                        # ops/bench.sh: the static-file peer
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "setup: all ${#packages[@]} packages present"
  exit 0
fi

sudo=""
if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null || { echo "setup: need root or sudo to install: ${missing[*]}" >&2; exit 1; }
  sudo="sudo"
fi
echo "setup: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
echo "setup: done"
