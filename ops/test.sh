#!/usr/bin/env bash
# ops/test.sh: the README's test command. Installs what is missing (ops/setup.sh), configures,
# builds and runs every test with CTest; fails on any failure.
#   ops/test.sh            debug build: unit, conformance, security (incl. fuzz corpus replay)
#   ops/test.sh --asan     the same under AddressSanitizer + UndefinedBehaviorSanitizer
#   ops/test.sh --all      both
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

presets=(debug)
case "${1:-}" in
  "") ;;
  --asan) presets=(asan) ;;
  --all) presets=(debug asan) ;;
  *) echo "usage: $0 [--asan|--all]" >&2; exit 2 ;;
esac

ops/setup.sh
jobs="$(nproc)"
for preset in "${presets[@]}"; do
  echo "== $preset: configure and build"
  cmake --preset "$preset" >/dev/null
  cmake --build --preset "$preset" -j "$jobs"
  echo "== $preset: test"
  # LSan would need ptrace-free leak checks; detect_leaks stays on, so leaks fail the run.
  ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1}" \
  UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}" \
    ctest --preset "$preset" -j "$jobs" --timeout 300
done
echo "test: all passed (${presets[*]})"
