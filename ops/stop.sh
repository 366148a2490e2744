#!/usr/bin/env bash
# ops/stop.sh: stops what ops/run.sh started (gateway, simulator, redis-server), by pid file.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
exec /usr/bin/python3 "$root/ops/stack.py" stop --dir "$root/var/demo"
