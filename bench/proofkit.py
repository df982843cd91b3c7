"""Shared by bench/proof_bench.py and bench/soak.py: the clip, running an app while measuring it
from outside the same way for both apps, and reading Backdrop's telemetry summary.

How a run is measured (identically for Backdrop and the reference):
- the child is started with subprocess and reaped with os.wait4, whose rusage gives the process's
  total CPU time (ru_utime + ru_stime, all threads) and peak RSS (ru_maxrss);
- when the child says it is ready (Backdrop logs "running offline|live: ...", the reference prints
  "reference: ready" once both models are loaded), its CPU time so far is read from
  /proc/PID/stat, so CPU per frame covers processing only, not start-up (model loading);
- optionally, VmRSS is read from /proc/PID/status every `rss_interval` seconds (the soak).
"""
import hashlib
import os
import re
import subprocess
import sys
import tempfile
import threading
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SHARED = os.environ.get("BACKDROP_SHARED", os.path.join(os.path.dirname(ROOT), "shared"))
# The shared closeup when it is there (the recorded figures used it); else the talking head set-up makes.
SOURCE_CLIP = next(path for path in [os.path.join(SHARED, "media", "portrait-closeup-436x384-25fps.mp4"),
                              os.path.join(ROOT, ".cache", "talking-head-352x288-25fps.mp4")]
            if os.path.exists(path) or path.endswith("talking-head-352x288-25fps.mp4"))
CACHE = os.path.join(ROOT, ".cache")
RESULTS = os.path.join(ROOT, "bench", "results")
BACKDROP = os.path.join(ROOT, ".build", "release", "backdrop")
BACKDROP_BENCH = os.path.join(ROOT, ".build", "release", "backdrop-bench")
PYTHON = os.path.join(ROOT, ".venv", "bin", "python")
REFERENCE = os.path.join(ROOT, "bench", "reference_app.py")            # the seed-style reference
REFERENCE_BEST = os.path.join(ROOT, "bench", "reference_best.py")      # the best-practice reference
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")

# MediaPipe's absl start-up lines, which no setting turns off (see scripts/common.sh).
NOISE = re.compile(r"^(W0000|I0000|E0000|INFO: Created TensorFlow|WARNING: Logging before)")


def ffmpeg(*arguments):
    subprocess.run(["ffmpeg", "-v", "error", "-nostdin", "-y", *arguments], check=True)


def clip(passes=1, source=None, frames=270, fps=None):
    """The 720p clip the apps read: `source` (default SOURCE_CLIP) scaled to 1280x720, its first
    `frames` frames, H.264, at its own rate or resampled to `fps` (frames repeated or dropped by
    ffmpeg -r); made once, cached in .cache/ under a name that follows the source file and the
    settings. With passes > 1, that clip repeated (stream copy)."""
    source = os.path.abspath(source or SOURCE_CLIP)
    if not os.path.exists(source):
        raise FileNotFoundError(f"no clip at {source} (scripts/setup.sh makes the default one)")
    info = os.stat(source)
    key = hashlib.sha1(f"{source} {info.st_size} {info.st_mtime_ns} {frames} {fps}".encode()).hexdigest()[:10]
    base = os.path.join(CACHE, f"proof-720p-{key}.mp4")
    if not os.path.exists(base):
        os.makedirs(CACHE, exist_ok=True)
        rate = ["-r", str(fps)] if fps else []
        ffmpeg("-i", source, "-vf", "scale=1280:720", *rate, "-frames:v", str(frames), "-an", "-c:v", "libx264",
               "-preset", "medium", "-crf", "20", "-pix_fmt", "yuv420p", base + ".tmp.mp4")
        os.replace(base + ".tmp.mp4", base)
    if passes <= 1:
        return base
    repeated = os.path.join(CACHE, f"proof-720p-{key}-x{passes}.mp4")
    if not os.path.exists(repeated):
        ffmpeg("-stream_loop", str(passes - 1), "-i", base, "-c", "copy", repeated + ".tmp.mp4")
        os.replace(repeated + ".tmp.mp4", repeated)
    return repeated


def frame_png(video, path):
    """Frame 0 of `video` as a PNG (backdrop-bench speed reads one)."""
    if not os.path.exists(path) or os.path.getmtime(path) < os.path.getmtime(video):
        ffmpeg("-i", video, "-frames:v", "1", path)
    return path


def frame_rate(path):
    out = subprocess.run(["ffprobe", "-v", "error", "-select_streams", "v:0", "-show_entries", "stream=avg_frame_rate",
                          "-of", "csv=p=0", path], check=True, capture_output=True, text=True)
    numerator, _, denominator = out.stdout.strip().partition("/")
    return float(numerator) / float(denominator or 1)


def child_cpu_seconds(command):
    """User + system CPU seconds of `command` (all its threads), from wait4's rusage."""
    with tempfile.TemporaryFile() as errors:  # a file, not a pipe: nothing to drain while waiting
        child = subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=errors)
        _, status, usage = os.wait4(child.pid, 0)
        child.returncode = os.waitstatus_to_exitcode(status)
        if child.returncode != 0:
            errors.seek(0)
            raise RuntimeError(f"{' '.join(command)} failed:\n{errors.read().decode()[-2000:]}")
    return usage.ru_utime + usage.ru_stime


def frame_count(path):
    out = subprocess.run(["ffprobe", "-v", "error", "-count_packets", "-select_streams", "v:0", "-show_entries",
                          "stream=nb_read_packets", "-of", "csv=p=0", path], check=True, capture_output=True, text=True)
    return int(out.stdout.strip())


def _cpu_seconds(pid):
    try:
        with open(f"/proc/{pid}/stat") as stat:
            fields = stat.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS  # utime, stime (fields 14, 15)
    except (OSError, IndexError, ValueError):
        return None


def _rss_mb(pid):
    try:
        with open(f"/proc/{pid}/status") as status:
            for line in status:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return None


class Run:
    """A finished child: its output and what was measured about it."""

    def __init__(self, command):
        self.command = command
        self.stdout = []
        self.stderr = []
        self.ready_at = None       # seconds after start
        self.cpu_at_ready = None   # CPU seconds at that moment
        self.rss_at_ready = None   # VmRSS MB at that moment: models loaded, no frame processed yet
        self.samples = []          # (seconds after ready, VmRSS MB)
        self.wall = 0.0
        self.cpu = 0.0             # total CPU seconds, whole life
        self.peak_rss_mb = 0.0
        self.status = None

    @property
    def processing_cpu(self):
        return self.cpu - (self.cpu_at_ready or 0.0)


def run(command, ready_marker, rss_interval=None, echo=None, env=None, on_sample=None, end_marker=None):
    """Runs `command` to its end and measures it (see the module's docstring). `echo(line)` gets
    each stderr line except MediaPipe's start-up noise as it comes; `on_sample(seconds, rss_mb)`
    each RSS sample. RSS sampling stops when a line (stdout or stderr) matches `end_marker`: the
    app has finished processing, and what it frees while shutting down is not part of the run."""
    result = Run(command)
    started = time.perf_counter()
    child = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, bufsize=1,
                             env=env)
    ready = threading.Event()
    done = threading.Event()
    ended = threading.Event()

    def check_end(line):
        if end_marker and not ended.is_set() and end_marker.search(line):
            ended.set()

    def read_stderr():
        for line in child.stderr:
            line = line.rstrip("\n")
            if NOISE.match(line):
                continue
            result.stderr.append(line)
            check_end(line)
            if not ready.is_set() and ready_marker.search(line):
                result.cpu_at_ready = _cpu_seconds(child.pid)
                result.rss_at_ready = _rss_mb(child.pid)
                result.ready_at = time.perf_counter() - started
                ready.set()
            if echo:
                echo(line)

    def read_stdout():
        for line in child.stdout:
            result.stdout.append(line.rstrip("\n"))
            check_end(line)

    def sample():
        ready.wait()
        origin = time.perf_counter()
        next_at = origin
        while not done.is_set() and not ended.is_set():
            rss = _rss_mb(child.pid)
            if rss is not None:
                result.samples.append((time.perf_counter() - origin, rss))
                if on_sample:
                    on_sample(*result.samples[-1])
            next_at += rss_interval
            ended.wait(max(0.0, next_at - time.perf_counter()))

    readers = [threading.Thread(target=read_stderr, daemon=True), threading.Thread(target=read_stdout, daemon=True)]
    for reader in readers:
        reader.start()
    sampler = None
    if rss_interval:
        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
    _, status, usage = os.wait4(child.pid, 0)
    child.returncode = os.waitstatus_to_exitcode(status)
    done.set()
    ended.set()
    ready.set()
    for reader in readers:
        reader.join()
    if sampler:
        sampler.join()
    result.wall = time.perf_counter() - started
    result.cpu = usage.ru_utime + usage.ru_stime
    result.peak_rss_mb = usage.ru_maxrss / 1024  # kilobytes on Linux
    result.status = child.returncode
    if child.returncode != 0:
        tail = "\n".join(result.stderr[-15:])
        raise RuntimeError(f"{' '.join(command)} exited with {child.returncode}:\n{tail}")
    return result


# Backdrop's exit line, "telemetry summary: in ... | run 12.3 s" (TelemetrySnapshot.summaryPattern,
# Sources/BackdropPipeline/Telemetry/TelemetryFormatting.swift); Swift's (?<name>) groups, Python's (?P<name>).
SUMMARY = re.compile(
    r"^in (?P<inFPS>[0-9.]+) fps \| processed (?P<processedFPS>[0-9.]+) fps \| out (?P<outFPS>[0-9.]+) fps \| "
    r"latency p50 (?P<p50>[0-9.]+) ms p95 (?P<p95>[0-9.]+) ms p99 (?P<p99>[0-9.]+) ms \| "
    r"drops (?P<drops>[0-9]+)(?:: (?P<dropList>[^|]+))? \| rss (?P<rss>[0-9.]+) MB peak (?P<rssPeak>[0-9.]+) MB "
    r"slope (?:(?P<slope>[+-][0-9.]+) MB/h|n/a) \| swaps (?P<swaps>[0-9]+)(?:: (?P<swapList>[^|]+))? \| "
    r"frames in (?P<framesRead>[0-9]+) processed (?P<framesProcessed>[0-9]+) out (?P<framesOutput>[0-9]+) "
    r"dropped (?P<framesDropped>[0-9]+)(?: failed (?P<framesFailed>[0-9]+))? \| run (?P<seconds>[0-9.]+) s"
    r"(?: \| input ended early: decoded (?P<framesDecoded>[0-9]+) of (?P<framesDeclared>[0-9]+) declared frames \(truncated\?\))?$")
BACKDROP_READY = re.compile(r"running (offline|live): ")
REFERENCE_READY = re.compile(r"^reference: ready")


def backdrop_summary(run_result):
    """The parsed summary of a `backdrop run` (plain log format): named groups as floats."""
    for line in reversed(run_result.stderr):
        at = line.find("telemetry summary: ")
        if at < 0:
            continue
        match = SUMMARY.match(line[at + len("telemetry summary: "):])
        if match:
            return {key: float(value) if value and re.fullmatch(r"[+-]?[0-9.]+", value) else value
                    for key, value in match.groupdict().items()}
    raise RuntimeError("no telemetry summary in backdrop's output:\n" + "\n".join(run_result.stderr[-10:]))


def drops_by_stage(summary):
    """{stage: frames dropped there} from a summary's drop list ("inference/replaced-by-newer 36, ...")."""
    stages = {}
    for entry in (summary.get("dropList") or "").split(","):
        match = re.fullmatch(r"\s*([^/\s]+)/\S+ ([0-9]+)\s*", entry)
        if match:
            stages[match.group(1)] = stages.get(match.group(1), 0) + int(match.group(2))
    return stages


def reference_summary(run_result):
    import json
    for line in reversed(run_result.stdout):
        if line.startswith("{"):
            return json.loads(line)
    raise RuntimeError("no JSON summary from the reference:\n" + "\n".join(run_result.stderr[-10:]))


def machine():
    """nproc, CPU model, RAM, OS, and versions, for the report."""
    model = "?"
    try:
        with open("/proc/cpuinfo") as info:
            model = next(line.split(":", 1)[1].strip() for line in info if line.startswith("model name"))
    except (OSError, StopIteration):
        pass
    memory = 0.0
    with open("/proc/meminfo") as info:
        for line in info:
            if line.startswith("MemTotal:"):
                memory = int(line.split()[1]) / 1024 / 1024
    def output(*command):
        try:
            return subprocess.run(command, capture_output=True, text=True).stdout.strip()
        except OSError:
            return "?"
    swift = output("swift", "--version").splitlines()[:1] or ["?"]
    ffmpeg_version = (output("ffmpeg", "-version").splitlines() or ["?"])[0]
    versions = output(PYTHON, "-c", "import sys, mediapipe, cv2, numpy; "
                      "print(sys.version.split()[0], mediapipe.__version__, cv2.__version__, numpy.__version__)").split()
    os_name = "?"
    try:
        with open("/etc/os-release") as release:
            os_name = next(l.split("=", 1)[1].strip().strip('"') for l in release if l.startswith("PRETTY_NAME="))
    except (OSError, StopIteration):
        pass
    return {"nproc": os.cpu_count(), "cpu": model, "ram_gib": round(memory, 1), "os": os_name,
            "kernel": os.uname().release, "swift": swift[0], "ffmpeg": ffmpeg_version,
            "python": versions[0] if versions else "?", "mediapipe": versions[1] if len(versions) > 1 else "?",
            "opencv": versions[2] if len(versions) > 2 else "?", "numpy": versions[3] if len(versions) > 3 else "?"}


def say(*parts):
    print(*parts, file=sys.stderr, flush=True)
