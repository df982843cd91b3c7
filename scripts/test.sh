#!/usr/bin/env bash
# Runs Backdrop's test suite, doing all set-up first (Debian packages, venv, models, build).
#   scripts/test.sh [extra `swift test` arguments, e.g. --filter ParityTests]
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
"$ROOT/scripts/setup.sh" --with-browser
cd "$ROOT"
log=$(mktemp)
trap 'rm -f "$log"' EXIT
set +e
swift test "$@" 2>&1 | quiet_mediapipe_log 2>&1 | tee "$log"
status=${PIPESTATUS[0]}
set -e
# The suite is XCTest; Swift Testing, which has no tests here, prints its own "0 tests" line last.
# End with XCTest's totals as the plain closing line.
totals=$(grep -E 'Executed [0-9]+ tests?, with' "$log" | tail -n 1 || true)
if [ -n "$totals" ]; then
  executed=$(sed -E 's/.*Executed ([0-9]+) tests?.*/\1/' <<<"$totals")
  skipped=$(grep -oE '[0-9]+ tests? skipped' <<<"$totals" | grep -oE '^[0-9]+' || echo 0)
  failed=$(sed -E 's/.* ([0-9]+) failures?.*/\1/' <<<"$totals")
  echo "xctest: $((executed - skipped - failed)) passed, $failed failed, $skipped skipped"
fi
exit "$status"
