#!/usr/bin/env bash
# Backdrop's main job on a default input: the pipeline on the synthetic scene (the astronaut from a
# public-domain NASA photo, cut out by MediaPipe at set-up, sliding over a panning public-domain launch
# photo), background blurred, written to out/demo.mp4 with telemetry lines as it runs; then a
# before/after still of its first frame beside it (out/demo-before-after.png: left the input, right
# Backdrop's output). Does all set-up first.
#   scripts/demo.sh [more `backdrop run` options, e.g. --input talk.mp4 --output out/talk.mp4]
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
"$ROOT/scripts/setup.sh"
cd "$ROOT"
# Optimized: the numbers it prints should be the hardware's, not a debug build's.
swift build -c release --product backdrop
.build/release/backdrop run --stats-interval 2 "$@" 2> >(quiet_mediapipe_log)
if [ $# -eq 0 ]; then
  # The same scene's first frame untouched, and the demo's first frame, side by side.
  still=$(mktemp -d)
  trap 'rm -rf "$still"' EXIT
  .build/release/backdrop run --synthetic-frames 1 --effect none --no-faces --output "$still/before-%04d.png" \
    --log-format plain 2>/dev/null >/dev/null
  ffmpeg -v error -nostdin -y -i "$still/before-0000.png" -i out/demo.mp4 \
    -filter_complex "[1:v]select=eq(n\,0)[after];[0:v][after]hstack=inputs=2" -frames:v 1 out/demo-before-after.png
  echo "before/after still (left: the input; right: Backdrop's blur): out/demo-before-after.png"
fi
