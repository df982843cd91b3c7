#!/bin/bash
# The device tests, run inside the guest by guest-init.sh: Backdrop on a real V4L2 camera driver
# (vivid, /dev/video0) into real virtual cameras (v4l2loopback, /dev/video10 and /dev/video11).
# One "PASS name: detail" or "FAIL name: detail" line per case goes to $OUT/results.txt.
# Everything here is emulated (qemu TCG): MediaPipe is tens of times slower than on the host, so
# the cases need only a handful of processed frames, and every figure is an emulated one.
set -u
B=$ROOT/.build/release/backdrop
CHECK="$ROOT/.venv/bin/python $ROOT/scripts/device-test/check.py"
R=$OUT/cases; mkdir -p "$R"
FF="ffmpeg -hide_banner -nostdin -loglevel error"
CAM=/dev/video0 VCAM=/dev/video10 FAKECAM=/dev/video11
W=320 H=180 FPS=15
cd "$ROOT"

ts() { echo "[$(cut -d' ' -f1 /proc/uptime)] $*"; }
result() { echo "$1 $2: $3" | tee -a "$OUT/results.txt"; }
check() {  # check NAME DETAIL-ON-FAIL COMMAND...: PASS with the command's output, or FAIL
  local name=$1 why=$2; shift 2
  local said; said=$("$@" 2>&1); local rc=$?
  if [ $rc = 0 ]; then result PASS "$name" "$said"; else result FAIL "$name" "${said:-$why}"; fi
}
wait_for() {  # wait_for SECONDS COMMAND...: polls every 0.25 s
  local n=$(( $1 * 4 )); shift
  while [ $n -gt 0 ]; do "$@" && return 0; sleep 0.25; n=$((n - 1)); done; return 1
}
now() { cut -d' ' -f1 /proc/uptime; }
since() { echo "$(now) - $1" | bc; }
is_capture() { v4l2-ctl -d "$1" --info 2>/dev/null | grep -q "Video Capture"; }
holds() { ls -l /proc/$1/fd 2>/dev/null | grep -q " $2\$"; }   # holds PID DEVICE
frames_in() { local n; n=$(grep -vc '^#' "$1" 2>/dev/null); echo "${n:-0}"; }
progress_frames() { local n; n=$(grep '^frame=' "$1" 2>/dev/null | tail -1 | cut -d= -f2); echo "${n:-0}"; }  # ffmpeg -progress
has_frames() { [ "$(frames_in "$1")" -ge "$2" ]; }
log_has() { grep -q "$2" "$1" 2>/dev/null; }

BD=
start_backdrop() {  # start_backdrop LOGNAME ARGS...: backdrop run in the background, pid in $BD
  local log=$R/$1.log; shift
  "$B" run "$@" --log-format json --stats-interval 2 > "$log" 2>&1 &
  BD=$!
}
stop_backdrop() {  # SIGINT, as Ctrl-C; sets BD_RC (130: stopped by the signal, outputs finalized)
  kill -INT "$BD" 2>/dev/null
  local n=240; while kill -0 "$BD" 2>/dev/null && [ $n -gt 0 ]; do sleep 0.25; n=$((n - 1)); done
  kill -0 "$BD" 2>/dev/null && { kill -9 "$BD"; ts "backdrop did not stop within 60 s of SIGINT: killed"; }
  wait "$BD"; BD_RC=$?
}
fmt_of() { v4l2-ctl -d "$1" --get-fmt-video 2>/dev/null | tr -s ' ' | tr '\n' ' '; }

ts "drivers"
modprobe vivid n_devs=1 node_types=0x1 || result FAIL boot "modprobe vivid failed"
modprobe v4l2loopback devices=2 video_nr=10,11 exclusive_caps=1,1 card_label=Backdrop,FakeCamera || result FAIL boot "modprobe v4l2loopback failed"
wait_for 10 test -c $CAM -a -c $VCAM -a -c $FAKECAM || result FAIL boot "no /dev/video0, 10 and 11"
v4l2-ctl -d $CAM --list-formats-ext > "$R/vivid-formats.txt" 2>&1
echo "v4l2loopback $(modinfo -F version v4l2loopback 2>/dev/null), vivid formats: $(grep -c "\]: '" "$R/vivid-formats.txt")"

# 1. backdrop devices -------------------------------------------------------------------------
ts "case 1: devices"
"$B" devices > "$R/devices.txt" 2>&1
cat "$R/devices.txt" | head -12
check devices "backdrop devices differs from v4l2-ctl" $CHECK devices "$R/devices.txt" "$R/vivid-formats.txt" $VCAM $FAKECAM

# 2. capture at a requested size, rate and pixel format ----------------------------------------
capture() {  # capture NAME DEVICE FORMAT WxH FPS V4L2CODE
  local name=$1 dev=$2 format=$3 size=$4 fps=$5 code=$6
  ts "case 2: capture $dev $format $size @ $fps"
  start_backdrop "$name" --input "$dev" --camera-format "$format" --camera-size "$size" --camera-fps "$fps" --no-output
  local started=$(now) seen=""
  if wait_for 90 log_has "$R/$name.log" '"message":"running live'; then
    wait_for 30 $CHECK frames-out "$R/$name.log" 0 >/dev/null   # the first telemetry
    seen=$(fmt_of "$dev"); v4l2-ctl -d "$dev" --get-parm > "$R/$name-parm.txt" 2>&1
    sleep 9   # four telemetry intervals of 2 s
  fi
  stop_backdrop
  local running; running=$(grep -o '"message":"running live[^"]*' "$R/$name.log" | cut -d'"' -f4)
  echo "  device format while running: $seen"
  if echo "$running" | grep -q "(${size}, ${fps} fps)" && echo "$seen" | grep -q "Pixel Format : '$code'" \
     && echo "$seen" | grep -q "Width/Height : ${size%x*}/${size#*x}"; then
    check "$name" "input rate off" $CHECK input-rate "$R/$name.log" "$fps" 0.15
  else
    result FAIL "$name" "asked $format $size @ $fps; backdrop said '$running'; the device was set to '$seen'"
  fi
}
capture capture-yuyv $CAM yuyv422 ${W}x${H} $FPS YUYV
capture capture-uyvy $CAM uyvy422 640x360 10 UYVY
# The person camera: an MJPEG stream of the astronaut photo (head and shoulders before a textured
# backdrop) written into the second loopback, read by Backdrop as a camera. vivid has no compressed
# formats, so it also stands in for an MJPEG webcam.
$FF -y -loop 1 -i "$ROOT/.cache/astronaut.png" -vf "scale=$W:-2,crop=$W:$H:0:20" -t 4 -r $FPS -c:v mjpeg -q:v 3 "$R/person.mkv"
$FF -re -stream_loop -1 -i "$R/person.mkv" -c copy -f v4l2 $FAKECAM > "$R/fakecam.log" 2>&1 &
FAKE=$!
wait_for 30 is_capture $FAKECAM || ts "the MJPEG camera never became a capture device"
v4l2-ctl -d $FAKECAM --set-output-parm=$FPS > /dev/null   # else v4l2loopback tells readers 30 fps
if grep -q "'MJPG'" "$R/vivid-formats.txt"; then
  capture capture-mjpeg $CAM mjpeg ${W}x${H} $FPS MJPG
else
  capture capture-mjpeg $FAKECAM mjpeg ${W}x${H} $FPS MJPG
fi

# 3. camera -> backdrop (blur) -> virtual camera -> reader: pixels, format ----------------------
ts "case 3: the person camera -> blur -> $VCAM -> reader"
start_backdrop person --input $FAKECAM --camera-format mjpeg --camera-size ${W}x${H} --camera-fps $FPS \
  --output $VCAM --effect blur --mask-output "$R/person-mask.mkv"
wait_for 180 $CHECK frames-out "$R/person.log" 3 || ts "fewer than 3 frames processed"
timeout 120 ffmpeg -hide_banner -nostdin -f v4l2 -i $VCAM -frames:v 30 -f rawvideo -pix_fmt rgb24 "$R/person-out.rgb" > "$R/person-reader.log" 2>&1
stop_backdrop; kill $FAKE 2>/dev/null; wait $FAKE 2>/dev/null
grep -m1 "Video:" "$R/person-reader.log"
$FF -y -i "$R/person.mkv" -frames:v 1 -vf format=yuv420p,format=rgb24 -f rawvideo "$R/person-ref.rgb"
$FF -y -i "$R/person-mask.mkv" -f rawvideo -pix_fmt gray "$R/person-mask.gray"
if grep "Video: rawvideo (I420 / 0x30323449), yuv420p, ${W}x${H}" "$R/person-reader.log" | grep -q " $FPS fps"; then
  result PASS reader-format "the reader got I420 (yuv420p) ${W}x${H} at $FPS fps as the device announces it, the format browsers take"
else
  result FAIL reader-format "$(grep -m1 'Video:\|rror' "$R/person-reader.log")"
fi
check blur-pixels "pixel check failed" $CHECK pixels "$R/person-ref.rgb" "$R/person-mask.gray" "$R/person-out.rgb" $W $H

# 4-6, 9. vivid -> backdrop -> virtual camera, with a reader that was there first ---------------
ts "case 4: a reader waiting before backdrop starts"
( until timeout 60 ffmpeg -hide_banner -nostdin -loglevel error -f v4l2 -i $VCAM -frames:v 45 -f framemd5 "$R/early.md5" 2> "$R/early.err"; do
    sleep 0.5; done ) &
EARLY=$!
sleep 2
start_backdrop live --input $CAM --camera-size ${W}x${H} --camera-fps $FPS --output $VCAM --effect blur
started=$(now)
if wait_for 150 has_frames "$R/early.md5" 45; then
  result PASS reader-first "the reader, waiting before backdrop started, got 45 frames $(since $started) s after the start (emulated)"
else
  result FAIL reader-first "the waiting reader got $(frames_in "$R/early.md5") frames in 150 s: $(tail -2 "$R/early.err" | tr '\n' ' ')"
fi
kill $EARLY 2>/dev/null; wait $EARLY 2>/dev/null
check steady-rate "the rate is off" $CHECK rate "$R/early.md5" $FPS 0.2

ts "case 5: reader gating"
if wait_for 15 bash -c "! ls -l /proc/$BD/fd 2>/dev/null | grep -q ' $CAM\$'"; then
  released=$(now)
  if timeout 60 $FF -f v4l2 -video_size ${W}x${H} -i $CAM -frames:v 10 -f null - 2> "$R/other.err"; then
    result PASS camera-released "with no reader, backdrop let go of $CAM and another program streamed 10 frames from it"
  else
    result FAIL camera-released "backdrop let go of $CAM but another program could not stream it: $(tail -1 "$R/other.err")"
  fi
else
  result FAIL camera-released "backdrop still holds $CAM 15 s after its last reader left"
fi
ffmpeg -hide_banner -nostdin -loglevel error -f v4l2 -i $VCAM -progress "$R/late.progress" -f framemd5 "$R/late.md5" 2> "$R/late.err" &
LATE=$!
wait_for 30 holds $LATE $VCAM   # ffmpeg itself takes seconds to start here
asked=$(now)
if wait_for 30 holds $BD $CAM; then
  took=$(since $asked)
  if [ "$(echo "$took <= 5" | bc)" = 1 ]; then result PASS camera-retaken "a reader appeared and backdrop had $CAM again $took s later (emulated; needs <= 5 s)"
  else result FAIL camera-retaken "backdrop took $CAM back only $took s after a reader appeared (needs <= 5 s)"; fi
else
  result FAIL camera-retaken "backdrop did not open $CAM within 30 s of a reader appearing"
fi

ts "case 6: unplug"
wait_for 60 bash -c "[ \$(grep '^frame=' $R/late.progress | tail -1 | cut -d= -f2) -ge 20 ] 2>/dev/null"
before=$(progress_frames "$R/late.progress")
v4l2-ctl -d $CAM -c disconnect=1
unplugged=$(now)
if wait_for 60 log_has "$R/live.log" 'is back after'; then
  back=$(since $unplugged)
  sleep 3   # -progress reports every 0.5 s
  during=$(( $(progress_frames "$R/late.progress") - before ))
  expected=$(echo "($back + 2) * $FPS * 0.7 / 1" | bc)
  gap=$(grep -o '"message":"/dev/video0 is back after[^"]*' "$R/live.log" | head -1 | cut -d'"' -f4)
  if kill -0 $LATE 2>/dev/null && [ "$during" -ge "$expected" ]; then
    result PASS unplug "the virtual camera sent $during frames from the unplug until 3 s after $CAM was back ($back s later; needs >= $expected: 70% of $FPS fps over 2 s more than the outage); $gap"
  else
    result FAIL unplug "the reader got $during frames over the unplug (needs >= $expected), reader alive: $(kill -0 $LATE 2>/dev/null && echo yes || echo no)"
  fi
else
  result FAIL unplug "backdrop did not report $CAM back within 60 s: $(grep -o '"message":"[^"]*video0[^"]*' "$R/live.log" | tail -2 | tr '\n' ' ')"
fi
kill -INT $LATE 2>/dev/null; wait $LATE 2>/dev/null
check steady-rate-live "the rate is off" $CHECK rate "$R/late.md5" $FPS 0.2
stop_backdrop
if [ $BD_RC = 130 ] && grep -q 'reconnected 1 time; [0-9.]* s without frames' "$R/live.log"; then
  result PASS unplug-reported "exit $BD_RC (stopped by SIGINT); $(grep -o 'reconnected 1 time; [0-9.]* s without frames in all' "$R/live.log")"
else
  result FAIL unplug-reported "exit $BD_RC; $(grep -o '"message":"[^"]*reconnected[^"]*' "$R/live.log")"
fi

# 7. restart on the same virtual camera, then a reader that comes after ------------------------
ts "case 7: restart on $VCAM"
echo "  $VCAM after the first session: $(v4l2-ctl -d $VCAM --info | grep -A3 'Device Caps' | tr -s ' \t' ' ' | tr '\n' ' ')"
start_backdrop restart --input $CAM --camera-size ${W}x${H} --camera-fps $FPS --output $VCAM --effect blur
if wait_for 90 bash -c "kill -0 $BD && v4l2-ctl -d $VCAM --info 2>/dev/null | grep -q 'Video Capture'"; then
  timeout 120 ffmpeg -hide_banner -nostdin -loglevel error -f v4l2 -i $VCAM -frames:v 30 -f framemd5 "$R/restart.md5" 2> "$R/restart.err"
fi
wait_for 90 $CHECK frames-out "$R/restart.log" 3 || ts "fewer than 3 frames output"
stop_backdrop
if [ "$(frames_in "$R/restart.md5")" = 30 ] && [ $BD_RC = 130 ]; then
  result PASS restart "a second backdrop session on $VCAM served a reader that came after it started: 30 frames"
else
  result FAIL restart "second session: exit $BD_RC, reader frames $(frames_in "$R/restart.md5"): $(grep -o '"message":"[^"]*' "$R/restart.log" | grep -i 'error\|fail' | head -2)$(tail -1 "$R/restart.err")"
fi
check latency "no latency in the summary" $CHECK latency "$R/restart.log"
$FF -re -f lavfi -i testsrc2=size=${W}x${H}:rate=$FPS -t 30 -pix_fmt yuv420p -f v4l2 $VCAM 2> "$R/after.err" &
AFTER=$!
if wait_for 30 is_capture $VCAM && timeout 60 $FF -f v4l2 -i $VCAM -frames:v 10 -f null - 2>> "$R/after.err"; then
  result PASS writer-after "after backdrop, another writer (ffmpeg) could use $VCAM"
else
  result FAIL writer-after "$(head -2 "$R/after.err" | tr '\n' ' ')"
fi
kill $AFTER 2>/dev/null; wait $AFTER 2>/dev/null

# 8. a busy camera ----------------------------------------------------------------------------
ts "case 8: busy camera"
ffmpeg -hide_banner -nostdin -loglevel error -f v4l2 -video_size ${W}x${H} -i $CAM -progress "$R/busy.progress" -f null - 2> "$R/busy-holder.err" &
HOLDER=$!
wait_for 30 grep -qs '^frame=[1-9]' "$R/busy.progress"
timeout 120 "$B" run --input $CAM --camera-size ${W}x${H} --no-output > "$R/busy.log" 2>&1
rc=$?
kill $HOLDER 2>/dev/null; wait $HOLDER 2>/dev/null
said=$(grep -i 'in use' "$R/busy.log" | head -1)
if [ $rc != 0 ] && [ $rc != 124 ] && echo "$said" | grep -q "in use" && echo "$said" | grep -q "ffmpeg (pid $HOLDER)"; then
  result PASS busy-camera "exit $rc: $said"
else
  result FAIL busy-camera "exit $rc: ${said:-$(tail -2 "$R/busy.log")}"
fi
ts "cases done"
