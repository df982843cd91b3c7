#!/usr/bin/env bash
# Leak measurement (not a test): RSS growth per call, after warm-up, of each task in each running
# mode (IMAGE, VIDEO, LIVE_STREAM) over 20,000 calls on one instance. Takes ~15 minutes.
#   scripts/leaks.sh [--calls N] [--warmup N] [--task segmenter] [--mode live] [--image PATH]
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
prepare_release_bench
"$ROOT/.build/release/backdrop-bench" leaks "$@" 2> >(quiet_mediapipe_log)
