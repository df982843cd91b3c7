#!/usr/bin/env bash
# Fuzzes the paths that take outside data, with libFuzzer (Swift's -sanitize=fuzzer) and
# AddressSanitizer. The harnesses are the separate package in fuzz/ (see fuzz/README.md):
#   video      a video file through FFmpegVideoSource (every frame) and a tiny Pipeline
#   image      a still image through ImageFile.read (what `backdrop segment` decodes)
#   arguments  the command line through BackdropCommand.parseAsRoot (parse and validate, never run)
#
#   scripts/fuzz.sh                        each harness for 600 s, one after the other
#   scripts/fuzz.sh --seconds 60 image     one harness for a minute
#
# Everything goes to .fuzz/ (git-ignored): .fuzz/HARNESS/corpus (kept between runs and grown),
# .fuzz/HARNESS/seeds (made afresh each run with the ffmpeg tool), .fuzz/HARNESS/artifacts
# (crash-*, timeout-*, leak-*, oom-* inputs, and slow-unit-* ones that took over 10 s),
# .fuzz/HARNESS/log.txt. One fuzzer process at a time.
# A harness that crashes is started again (on the grown corpus) until its time is up, so one run
# can report several findings. Replay an input with: .build-fuzz/release/FuzzX INPUT
#
# Environment: FUZZ_FLAGS adds libFuzzer flags (e.g. FUZZ_FLAGS=-seed=1).
set -euo pipefail

source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
seconds=600
harnesses=()
while [ $# -gt 0 ]; do
  case $1 in
    --seconds) seconds=$2; shift 2 ;;
    --seconds=*) seconds=${1#*=}; shift ;;
    -h|--help) sed -n '2,/^set -euo/p' "$0" | sed '$d'; exit 0 ;;
    video|image|arguments) harnesses+=("$1"); shift ;;
    *) echo "fuzz.sh: unknown argument $1 (harnesses: video image arguments)" >&2; exit 2 ;;
  esac
done
[ ${#harnesses[@]} -gt 0 ] || harnesses=(video image arguments)
say() { printf '[fuzz] %s\n' "$*"; }

"$ROOT/scripts/setup.sh" --no-build
SCRATCH=$ROOT/.build-fuzz
WORK=$ROOT/.fuzz
BIN=$SCRATCH/release
say "building the harnesses (-sanitize=fuzzer,address) into $SCRATCH"
# --disable-build-manifest-caching: the checkout is a path dependency, and a cached build manifest
# missed source files added to it since the last build (seen: "cannot find 'FrameRotation'").
set +e
(cd "$ROOT/fuzz" && swift build -q -c release --scratch-path "$SCRATCH" --disable-build-manifest-caching \
  -Xswiftc -sanitize=fuzzer,address -Xswiftc -g) 2>&1 | grep -v "__asan_extra_spill_area"
built=${PIPESTATUS[0]}
set -e
# A failed build must not fuzz the binaries an earlier build left behind.
[ "$built" = 0 ] || { echo "fuzz.sh: building the harnesses failed (status $built); see the errors above" >&2; exit 1; }
for target in FuzzVideoSource FuzzImageFile FuzzArguments; do
  [ -x "$BIN/$target" ] || { echo "fuzz.sh: the build made no $BIN/$target" >&2; exit 1; }
done

export BACKDROP_MEDIAPIPE_LIB
BACKDROP_MEDIAPIPE_LIB=$("$ROOT/.venv/bin/python" -c "import mediapipe,os;print(os.path.join(os.path.dirname(mediapipe.__file__),'tasks/c/libmediapipe.so'))")
export BACKDROP_MODELS_DIR=${BACKDROP_MODELS_DIR:-$ROOT/models}
# MediaPipe's and FFmpeg's own process-wide allocations (registries, thread pools, TFLite) are not
# Backdrop's: suppressed by library. A leak in Backdrop's own code is still reported.
mkdir -p "$WORK"
cat > "$WORK/lsan.supp" <<'EOF'
leak:libmediapipe.so
leak:libavcodec.so
leak:libavformat.so
leak:libavutil.so
leak:libswscale.so
leak:libdav1d.so
leak:libx264.so
EOF
export LSAN_OPTIONS="suppressions=$WORK/lsan.supp:print_suppressions=0"
# abort_on_error: libFuzzer catches it and saves the input. MediaPipe starts threads that
# outlive a task's close; ASan's stack-use-after-return checks cost too much here.
export ASAN_OPTIONS="abort_on_error=1:detect_stack_use_after_return=0:allocator_may_return_null=1"
# Swift's own crash backtracer would run inside the crashing process under ASan (and report its own
# memory reads as errors): libFuzzer's report, with the Swift frames symbolized, is the one wanted.
export SWIFT_BACKTRACE=enable=no

# Seed corpora, made at run time ----------------------------------------------------------------------
ff() { ffmpeg -nostdin -hide_banner -loglevel error -y "$@"; }
video_seeds() {
  local d=$1 src=(-f lavfi -i "testsrc2=size=32x24:rate=10")
  ff "${src[@]}" -t 0.4 -c:v libx264 -preset ultrafast -pix_fmt yuv420p "$d/h264.mp4"
  ff "${src[@]}" -f lavfi -i "sine=frequency=440:sample_rate=8000" -t 0.4 -c:v libx264 -preset ultrafast \
     -pix_fmt yuv420p -c:a aac -b:a 16k -shortest "$d/h264-aac.mp4"
  ff "${src[@]}" -t 0.4 -c:v libx264 -preset ultrafast -pix_fmt yuv420p -metadata:s:v rotate=90 "$d/h264-rotated.mov"
  ff "${src[@]}" -t 0.4 -c:v libx264 -preset ultrafast -pix_fmt yuv444p "$d/h264-444.mkv"
  ff "${src[@]}" -t 0.4 -c:v libvpx -b:v 50k "$d/vp8.webm"
  ff "${src[@]}" -t 0.4 -c:v libvpx -b:v 50k "$d/vp8.mkv"
  ff "${src[@]}" -t 0.3 -c:v mjpeg -q:v 8 "$d/mjpeg.avi"
  ff "${src[@]}" -t 0.3 -c:v ffv1 "$d/ffv1.mkv"
  ff -f lavfi -i "testsrc2=size=16x12:rate=10" -t 0.3 -pix_fmt yuv420p "$d/raw.y4m"
  ff -f lavfi -i "testsrc2=size=16x12:rate=10" -t 0.3 -pix_fmt gray -c:v ffv1 "$d/ffv1-gray.avi"
  # Timestamps just under the 64-bit microsecond limit (9,223,372,036,854 s): a few bits from overflow.
  ff "${src[@]}" -t 0.3 -c:v ffv1 -output_ts_offset 9223372036854 "$d/ffv1-late-timestamps.mkv"
}
image_seeds() {
  local d=$1 src=(-f lavfi -i "testsrc2=size=24x16" -frames:v 1)
  ff "${src[@]}" -pix_fmt rgb24 "$d/rgb.png"
  ff "${src[@]}" -pix_fmt rgba "$d/rgba.png"
  ff "${src[@]}" -pix_fmt gray "$d/gray.png"
  ff "${src[@]}" -pix_fmt rgb48be "$d/rgb16.png"
  ff "${src[@]}" -pix_fmt pal8 "$d/palette.png"
  ff "${src[@]}" -pix_fmt yuvj420p -q:v 5 "$d/yuv420.jpg"
  ff "${src[@]}" -pix_fmt yuvj444p -q:v 5 "$d/yuv444.jpg"
  ff "${src[@]}" -pix_fmt gray -q:v 5 "$d/gray.jpg"
  ff "${src[@]}" -c:v mjpeg -pix_fmt yuvj422p -q:v 5 -f mjpeg "$d/yuv422.jpg"
}
arguments_seeds() {
  local d=$1
  # The examples in every command's help and in README.md, and a few more, one argument a line.
  "$BIN/FuzzArguments" --dump-help > "$WORK/arguments/help.json"
  python3 - "$WORK/arguments/help.json" "$ROOT/README.md" "$d" "$WORK/arguments/dictionary.txt" <<'EOF'
import json, re, shlex, sys
help_path, readme, folder, dictionary = sys.argv[1:]
root = json.load(open(help_path))["command"]
lines, words = [], set()
def walk(command):
    words.add(command["commandName"])
    lines.extend(re.findall(r"backdrop ((?:run|segment|devices|models)\b[^\n]*)", command.get("discussion", "")))
    for argument in command.get("arguments", []):
        for name in argument.get("names", []):
            words.add(("--" if name["kind"] == "long" else "-") + name["name"])
        words.update(argument.get("allValues", []))
    for sub in command.get("subcommands", []):
        walk(sub)
walk(root)
lines += re.findall(r"backdrop ((?:run|segment|devices|models)\b[^\n#]*)", open(readme).read())
lines += ["run --input a.mp4 --effect none --no-faces --process-size 640x360 --max-fps 15 --queue-depth 3",
          "run --mode live --realtime --loop 0 --stats-interval 1 --log-format json --no-output",
          "segment photo.png --category-mask --max-faces 4 -o out --models /opt/models",
          "run --help", "segment --help", "help run", "--version", ""]
for i, line in enumerate(dict.fromkeys(lines)):
    line = re.sub(r"\(.*\)", "", line).strip()
    open(f"{folder}/example-{i:02d}", "w").write("\n".join(shlex.split(line)))
with open(dictionary, "w") as out:
    for word in sorted(words) + ["=", "-", "--", "0", "-1", "1e308", "nan", "640x360", "1E90FF"]:
        out.write(json.dumps(word) + "\n")
EOF
}

# Running ---------------------------------------------------------------------------------------------
summary=()
run_harness() {
  local name=$1 binary=$2 max_len=$3 timeout=$4; shift 4
  local dir=$WORK/$name
  mkdir -p "$dir/corpus" "$dir/artifacts"
  rm -rf "$dir/seeds"; mkdir -p "$dir/seeds"
  "${name}_seeds" "$dir/seeds"
  say "$name: $(ls "$dir/seeds" | wc -l) seeds, corpus $(ls "$dir/corpus" | wc -l) inputs; fuzzing for $seconds s"
  : > "$dir/log.txt"
  local started=$SECONDS runs=0 pass=0 before
  before=$(ls "$dir/artifacts" | sort)
  while [ $((SECONDS - started)) -lt "$seconds" ]; do
    local left=$((seconds - (SECONDS - started))) log="$dir/log-$pass.txt"
    # One fuzzer process at a time (the machine is shared): no -jobs/-workers/-fork, which spawn more.
    set +e
    "$BIN/$binary" "$dir/corpus" "$dir/seeds" -max_total_time="$left" -max_len="$max_len" -timeout="$timeout" \
      -rss_limit_mb=4096 -malloc_limit_mb=2048 -print_final_stats=1 \
      -artifact_prefix="$dir/artifacts/" "$@" ${FUZZ_FLAGS:-} > "$log" 2>&1
    set -e
    grep -vE '^(W0000|I0000|E0000|INFO: Created TensorFlow|WARNING: Logging before)' "$log" >> "$dir/log.txt"
    local done_runs
    done_runs=$(grep -oE '^stat::number_of_executed_units: *[0-9]+' "$log" | grep -oE '[0-9]+$' | tail -1)
    [ -n "$done_runs" ] || done_runs=$(grep -oE '^#[0-9]+' "$log" | tail -1 | tr -d '#')
    runs=$((runs + ${done_runs:-0}))
    pass=$((pass + 1))
    # A clean end means the time is up; anything else was a finding, and the fuzzer starts again.
    if grep -q "^Done [0-9]* runs" "$log"; then rm -f "$log"; break; fi
    rm -f "$log"
    [ $pass -ge 50 ] && { say "$name: 50 restarts, stopping early"; break; }
  done
  local elapsed=$((SECONDS - started)) found
  found=$(comm -13 <(echo "$before") <(ls "$dir/artifacts" | sort) | sed "s|^|$dir/artifacts/|")
  local line
  line=$(printf '%-10s %9d execs %5d s %7.1f exec/s  corpus %5d inputs  crashes %d timeouts %d leaks %d ooms %d slow %d' \
    "$name" "$runs" "$elapsed" "$(echo "$runs $elapsed" | awk '{print $2 ? $1/$2 : 0}')" "$(ls "$dir/corpus" | wc -l)" \
    "$(echo "$found" | grep -c '/crash-' || true)" "$(echo "$found" | grep -c '/timeout-' || true)" \
    "$(echo "$found" | grep -c '/leak-' || true)" "$(echo "$found" | grep -c '/oom-' || true)" \
    "$(echo "$found" | grep -c '/slow-unit-' || true)")
  summary+=("$line")
  while IFS= read -r artifact; do [ -n "$artifact" ] && summary+=("           found: $artifact"); done <<< "$found"
  say "$line"
}

for harness in "${harnesses[@]}"; do
  case $harness in
    # No value profile for video: its extra features filled the corpus with inputs that open and
    # cut the rate from ~11 to ~3 exec/s.
    video) run_harness video FuzzVideoSource 16384 30 ;;
    image) run_harness image FuzzImageFile 8192 20 -use_value_profile=1 ;;
    arguments) mkdir -p "$WORK/arguments"
               run_harness arguments FuzzArguments 1024 10 -dict="$WORK/arguments/dictionary.txt" ;;
  esac
done

echo
say "summary (logs in $WORK/HARNESS/log.txt):"
printf '%s\n' "${summary[@]}"
