#!/usr/bin/env bash
# Benchmark (not a test): per-frame wall and CPU time at 1280x720 of the segmenter (confidence
# masks; category mask) and the face landmarker, from Backdrop and from MediaPipe's Python API in
# the same run, with the ratio.   scripts/bench.sh [--frames N] [--warmup N]
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
prepare_release_bench
"$ROOT/.venv/bin/python" "$ROOT/bench/foundation_bench.py" "$@" 2> >(quiet_mediapipe_log)
