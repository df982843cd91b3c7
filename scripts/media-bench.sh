#!/usr/bin/env bash
# Benchmark (not a test): decode, transcode and encode throughput of Backdrop's media layer at 720p
# and 1080p, beside the ffmpeg tool on the same files in the same run.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
prepare_release_bench
python3 "$ROOT/bench/media_bench.py" "$@"
