#!/usr/bin/env bash
# The whole test suite: lint, type check, unit tests, then integration tests against real servers
# (Kafka, ActiveMQ Artemis, PostgreSQL, FerretDB) that deploy/local/infra.sh installs and starts.
# Everything it starts is stopped again on exit, whatever happens.
set -euo pipefail
cd "$(dirname "$0")/.."
export NX_DAEMON=false NX_NO_CLOUD=true NX_SKIP_NX_CACHE=true FORCE_COLOR=0
export NODE_OPTIONS="${NODE_OPTIONS:-} --max-old-space-size=1536"
reports=.tessera/reports
mkdir -p "$reports"
rm -f "$reports"/*.json

infra_log="$reports/infra-up.log"
cleanup() {
  bash deploy/local/infra.sh down >/dev/null 2>&1 || true
}
trap cleanup EXIT INT TERM

# Servers start in the background while lint and unit tests run.
bash deploy/local/infra.sh up >"$infra_log" 2>&1 &
infra_pid=$!

step() {
  echo
  echo "=== $1 ==="
}

step "lint (eslint, Nx module boundaries)"
# The Nx boundaries rule skips itself without a computed project graph: compute it first.
npx nx show projects >/dev/null
npx eslint --max-warnings=0 .

step "format (prettier)"
npx prettier --check . --log-level=warn

step "type check (tsc, strict)"
npx tsc -p tsconfig.json --noEmit

step "unit tests"
unit_rc=0
npx jest -c jest.config.js --ci --json --outputFile="$reports/unit.json" || unit_rc=$?

step "infrastructure"
infra_rc=0
wait "$infra_pid" || infra_rc=$?
cat "$infra_log"
if [ "$infra_rc" -ne 0 ]; then
  echo "infrastructure failed to start (exit $infra_rc)" >&2
  exit "$infra_rc"
fi
eval "$(bash deploy/local/infra.sh env)"

step "integration tests"
int_rc=0
npx jest -c jest.int.config.js --ci --json --outputFile="$reports/integration.json" || int_rc=$?

node scripts/test-summary.mjs "$reports"/unit.json "$reports"/integration.json
[ "$unit_rc" -eq 0 ] && [ "$int_rc" -eq 0 ]
