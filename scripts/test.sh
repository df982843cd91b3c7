#!/usr/bin/env bash
# Runs Backdrop's test suite, doing all set-up first (Debian packages, venv, models, build).
#   scripts/test.sh [extra `swift test` arguments, e.g. --filter ParityTests]
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
"$ROOT/scripts/setup.sh"
cd "$ROOT"
# Several tests read the real closeup clip from the project's shared folder (never committed).
clip="${BACKDROP_SHARED:-$ROOT/../shared}/media/portrait-closeup-436x384-25fps.mp4"
if [ ! -f "$clip" ]; then
  echo "test.sh: the test clip $clip is missing. The tests read it from the project's shared folder:" >&2
  echo "  put that folder beside the checkout (../shared) or name it with BACKDROP_SHARED=/path/to/shared." >&2
  exit 1
fi
log=$(mktemp)
trap 'rm -f "$log"' EXIT
set +e
swift test "$@" 2>&1 | quiet_mediapipe_log 2>&1 | tee "$log"
status=${PIPESTATUS[0]}
set -e
# The suite is XCTest; Swift Testing, which has no tests here, prints its own "0 tests" line last.
# End with XCTest's totals as the plain closing line.
totals=$(grep -E 'Executed [0-9]+ tests?, with' "$log" | tail -n 1 || true)
if [[ $totals =~ Executed\ ([0-9]+)\ tests?,\ with\ (([0-9]+)\ tests?\ skipped\ and\ )?([0-9]+)\ failures? ]]; then
  executed=${BASH_REMATCH[1]} skipped=${BASH_REMATCH[3]:-0} failed=${BASH_REMATCH[4]}
  echo "xctest: $((executed - skipped - failed)) passed, $failed failed, $skipped skipped"
fi
exit "$status"
