#!/usr/bin/env bash
# Benchmark (not a test), issue 14: mask and blur quality against exact ground truth. Builds the kit's
# exact-truth clips (a person cut-out over a panning photo; cached by content), then in one run scores raw
# MediaPipe (Python) and each Backdrop configuration: IoU, boundary F, MAE, temporal, still flicker, halo
# ring, person, cost ms per 720p frame; checks the issue's targets for the last configuration. Prints a
# markdown table and writes bench/results/quality-*.md and .json. About 3 minutes a clip and config.
#   scripts/quality-bench.sh [--config 'LABEL[@BINARY]=ARGS']... [--person PNG]... [--background IMG]...
#                            [--backdrop PATH] [--halo-target CLIP=GREY]... [--picture PNG]
#                            [--check-against-kit] [--work DIR] [--results DIR] [--keep-outputs]
#   scripts/quality-bench.sh --help    (everything explained)
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
for argument in "$@"; do
  case $argument in
    -h|--help) exec "$ROOT/.venv/bin/python" "$ROOT/bench/quality/bench.py" --help ;;
  esac
done
"$ROOT/scripts/setup.sh" --no-build
(cd "$ROOT" && swift build -c release --product backdrop && swift build -c release --product backdrop-bench)
PYTHONDONTWRITEBYTECODE=1 "$ROOT/.venv/bin/python" "$ROOT/bench/quality/bench.py" "$@" 2> >(quiet_mediapipe_log)
