# Sourced by the other scripts: the checkout root, Swift on PATH, and a filter for MediaPipe's log.
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
[ -d /opt/swift/usr/bin ] && export PATH="$PATH:/opt/swift/usr/bin"

# MediaPipe logs every task creation to stderr through absl, and no setting turns that off; this
# keeps those lines out of what people read. Usage: command 2> >(quiet_mediapipe_log)
quiet_mediapipe_log() {
  grep --line-buffered -vE '^(W0000|I0000|E0000|INFO: Created TensorFlow|WARNING: Logging before)' >&2
}

# Provisions everything but the build, then builds backdrop-bench optimized.
prepare_release_bench() {
  "$ROOT/scripts/setup.sh" --no-build
  (cd "$ROOT" && swift build -c release --product backdrop-bench)
}
