#!/usr/bin/env bash
# Backdrop's main job on a default input: the live pipeline on the synthetic scene (a person from a
# public-domain photo sliding over a moving background), background blurred, written to
# out/demo.mp4, with telemetry lines as it runs. Does all set-up first.
#   scripts/demo.sh [more `backdrop run` options, e.g. --input talk.mp4 --output out/talk.mp4]
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
"$ROOT/scripts/setup.sh"
cd "$ROOT"
# Optimized: the numbers it prints should be the hardware's, not a debug build's.
swift build -c release --product backdrop
.build/release/backdrop run --stats-interval 2 "$@" 2> >(quiet_mediapipe_log)
