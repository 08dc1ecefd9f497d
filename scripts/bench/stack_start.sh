#!/usr/bin/env bash
# Staging stack start-up and response-time figures (docs/BENCHMARKS.md):
#   cold start   cleanup --remove-data, then `scripts/stack up` from nothing (cluster,
#                module installation, seeding with 10 accepted invoices)
#   idempotent   `scripts/stack up` again with everything up (must change nothing)
#   warm start   `scripts/stack down`, then `scripts/stack up`
#   responses    login page and invoice form through nginx (the smoke tests' figures)
# It DELETES the stack's state in STACK_HOME (default <repo>/.var/stack): --yes required.
set -euo pipefail

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
VENV="${VENV:-$REPO_ROOT/.venv}"
if [ "${1:-}" != "--yes" ]; then
    echo "usage: scripts/bench/stack_start.sh --yes   (deletes the stack's data in \${STACK_HOME:-<repo>/.var/stack})" >&2
    exit 2
fi
[ "$(id -u)" -eq 0 ] || { echo "run as root (scripts/stack up installs and starts services)" >&2; exit 2; }

LOGS="$(mktemp -d /tmp/stack-bench.XXXXXX)"
timed() {  # timed NAME CMD...: run, print the wall-clock seconds, keep the log
    local name="$1" t0 t1 rc=0
    shift
    t0=$EPOCHREALTIME
    "$@" >"$LOGS/$name.log" 2>&1 || rc=$?
    t1=$EPOCHREALTIME
    if [ $rc -ne 0 ]; then
        tail -n 20 "$LOGS/$name.log" >&2
        echo "$name failed (exit $rc); log $LOGS/$name.log" >&2
        exit 1
    fi
    awk -v n="$name" -v a="$t0" -v b="$t1" 'BEGIN { printf "%-34s %7.1f s\n", n, b - a }'
}

echo "stack start-up on $(nproc) cores, $(date -u +%Y-%m-%dT%H:%MZ); logs in $LOGS"
timed "cleanup --remove-data" bash "$REPO_ROOT/scripts/stack" cleanup --remove-data --yes
timed "cold start (up from nothing)" bash "$REPO_ROOT/scripts/stack" up
grep -E '<== .* (done|unchanged) in' "$LOGS/cold start (up from nothing).log" |
    sed -E 's/^\[[0-9:]+\] <== (.*) (done|unchanged) in ([0-9.]+) s.*/    \1: \3 s/' || true
timed "idempotent up (all running)" bash "$REPO_ROOT/scripts/stack" up
grep -q "Nothing changed" "$LOGS/idempotent up (all running).log" &&
    echo "    second run reported: nothing changed" || echo "    WARNING: the second run changed something"
timed "down" bash "$REPO_ROOT/scripts/stack" down
timed "warm start (up after down)" bash "$REPO_ROOT/scripts/stack" up
echo "response times through nginx (10 requests each, after one warm-up request):"
STACK_VALIDATION_REPORT="$LOGS/report.md" "$VENV/bin/python" -m pytest -p no:cacheprovider -q -m stack \
    "$REPO_ROOT/tests/stack/test_smoke.py" -k response_time 2>&1 |
    sed -n '/stack figures/,/^=/p' | grep -v '^=' || true
