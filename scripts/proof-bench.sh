#!/usr/bin/env bash
# Benchmark (not a test): Backdrop against two Python + MediaPipe references on the same 720p clip, same
# machine, one run: the best-practice app (bench/reference_best.py) and the seed-style one
# (bench/reference_app.py). Throughput, CPU per frame, peak RSS, p50/p99 latency, effects off and blur
# on, with both ratios; the machine's limit (2 cores / MediaPipe + decode CPU per frame) and Backdrop's
# share of it; live 720p30 blur (drops, latency); then Swift heap allocations per frame.
# Prints markdown tables (BENCHMARKS.md) and writes bench/results/proof-*.json. ~8 minutes; --quick ~3.
#   scripts/proof-bench.sh [--quick] [--clip YOUR-WEBCAM-CLIP.mp4] [--passes N] [--profile]
#                          [--no-allocations] [--no-category-row]
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
"$ROOT/scripts/setup.sh" --no-build
(cd "$ROOT" && swift build -c release --product backdrop && swift build -c release --product backdrop-bench)
mkdir -p "$ROOT/.cache"
cc -O2 -shared -fPIC -o "$ROOT/.cache/libbackdrop_alloc_count.so" "$ROOT/bench/alloc_count.c" -ldl -lpthread
"$ROOT/.venv/bin/python" "$ROOT/bench/proof_bench.py" "$@" 2> >(quiet_mediapipe_log)
