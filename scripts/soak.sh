#!/usr/bin/env bash
# Soak (not a test): runs Backdrop, then the Python + MediaPipe reference (bench/reference_app.py), each
# looping the 720p clip for --frames frames (default 108,000 = one hour of 30 FPS video; about 1.5 hours
# in all here), samples RSS every second, prints the RSS slope (MB/hour, least squares after a warm-up)
# per app, and writes bench/results/soak-*.csv and a plot (.svg) of both lines.
#   scripts/soak.sh [--frames N] [--warmup SECONDS] [--effect none|blur] [--only backdrop|reference] [--name STEM]
#   scripts/soak.sh --only reference --name hour; scripts/soak.sh --only backdrop --name hour   # one at a time, one table
#   scripts/soak.sh --report STEM     # the table and plot again from bench/results/STEM.csv + .json
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
"$ROOT/scripts/setup.sh" --no-build
(cd "$ROOT" && swift build -c release --product backdrop)
"$ROOT/.venv/bin/python" "$ROOT/bench/soak.py" "$@" 2> >(quiet_mediapipe_log)
