#!/usr/bin/env bash
# Backdrop's main job on a default input: segments the public-domain astronaut photo and finds
# its face landmarks, writing the mask, landmarks and an overlay to out/. Does all set-up first.
#   scripts/demo.sh [IMAGE] [more `backdrop segment` options]
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
"$ROOT/scripts/setup.sh"
cd "$ROOT"
image=${1:-.cache/astronaut.png}
shift || true
.build/debug/backdrop segment "$image" --output-dir out "$@" 2> >(quiet_mediapipe_log)
