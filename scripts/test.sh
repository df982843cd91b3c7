#!/usr/bin/env bash
# Runs Backdrop's test suite, doing all set-up first (Debian packages, venv, models, build).
#   scripts/test.sh [extra `swift test` arguments, e.g. --filter ParityTests]
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
"$ROOT/scripts/setup.sh"
cd "$ROOT"
swift test "$@" 2> >(quiet_mediapipe_log)
