#!/usr/bin/env bash
# Benchmark (not a test): Backdrop against the Python + MediaPipe reference app (bench/reference_app.py)
# on the same 720p clip, same machine, one run: throughput, CPU per frame, peak RSS, p50/p99 latency,
# with the ratio Backdrop / reference, effects off and blur on; then Swift heap allocations per frame.
# Prints markdown tables (BENCHMARKS.md) and writes bench/results/proof-*.json. Takes ~5 minutes.
#   scripts/proof-bench.sh [--passes N] [--profile] [--no-allocations] [--no-category-row]
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
"$ROOT/scripts/setup.sh" --no-build
(cd "$ROOT" && swift build -c release --product backdrop && swift build -c release --product backdrop-bench)
mkdir -p "$ROOT/.cache"
cc -O2 -shared -fPIC -o "$ROOT/.cache/libbackdrop_alloc_count.so" "$ROOT/bench/alloc_count.c" -ldl -lpthread
"$ROOT/.venv/bin/python" "$ROOT/bench/proof_bench.py" "$@" 2> >(quiet_mediapipe_log)
