"""Running Backdrop for the benchmark: configurations (`LABEL[@BINARY]=ARGS`), the release build, the
environment a binary copied out of the tree needs, `backdrop run` on a clip, and the effect cost per
720p frame from `backdrop-bench effects-speed`."""
import glob
import os
import re
import shlex
import subprocess
import time
from dataclasses import dataclass, field

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
RELEASE_BACKDROP = os.path.join(ROOT, ".build", "release", "backdrop")
MEDIAPIPE_NOISE = re.compile(r"^(W0000|I0000|E0000|INFO: Created TensorFlow|WARNING: Logging before)")
COST_LINE = re.compile(r"in all\s+([0-9.]+) ms CPU")
STEP_LINE = re.compile(r"^per frame:.*?([0-9.]+) ms CPU", re.M)


@dataclass
class Config:
    label: str
    arguments: list
    binary: str
    spec: str
    cost_ms: float = None
    cost_note: str = ""
    extra: dict = field(default_factory=dict)

    @property
    def bench_binary(self):
        return os.path.join(os.path.dirname(self.binary), "backdrop-bench")


def parse_config(spec, default_binary):
    """`LABEL=ARGS` or `LABEL@/path/to/backdrop=ARGS` (ARGS: extra `backdrop run` arguments)."""
    if "=" not in spec:
        raise ValueError(f"--config {spec!r}: expected LABEL=ARGS or LABEL@BINARY=ARGS")
    name, arguments = spec.split("=", 1)
    label, _, binary = name.partition("@")
    if not label:
        raise ValueError(f"--config {spec!r}: the label is empty")
    binary = os.path.abspath(binary) if binary else default_binary
    return Config(label=label, arguments=shlex.split(arguments), binary=binary, spec=spec)


def environment():
    """The run's environment, with the MediaPipe library and models of this checkout when not set (a
    binary copied out of the tree does not find them beside itself)."""
    env = dict(os.environ)
    if "BACKDROP_MEDIAPIPE_LIB" not in env:
        found = glob.glob(os.path.join(ROOT, ".venv", "lib", "python3*", "site-packages", "mediapipe",
                                       "tasks", "c", "libmediapipe.so"))
        if found:
            env["BACKDROP_MEDIAPIPE_LIB"] = found[0]
    env.setdefault("BACKDROP_MODELS_DIR", os.path.join(ROOT, "models"))
    return env


def newest_source_time():
    newest = os.path.getmtime(os.path.join(ROOT, "Package.swift"))
    for folder, _, files in os.walk(os.path.join(ROOT, "Sources")):
        for name in files:
            newest = max(newest, os.path.getmtime(os.path.join(folder, name)))
    return newest


def ensure_release_build(say):
    """Builds the release `backdrop` and `backdrop-bench` when missing or older than the sources."""
    binaries = [RELEASE_BACKDROP, os.path.join(ROOT, ".build", "release", "backdrop-bench")]
    if all(os.path.exists(path) and os.path.getmtime(path) >= newest_source_time() for path in binaries):
        return
    say("building release backdrop and backdrop-bench (missing or older than Sources/)")
    for product in ("backdrop", "backdrop-bench"):
        subprocess.run(["swift", "build", "-c", "release", "--product", product], cwd=ROOT, check=True)


def quiet(text):
    return "\n".join(line for line in text.splitlines() if not MEDIAPIPE_NOISE.match(line))


def run_effect(config, source, output, mask_output=None):
    """`backdrop run` with the benchmark's fixed options and the config's; returns its wall seconds."""
    command = [config.binary, "run", "--input", source, "--mode", "offline", "--effect", "blur", "--lossless",
               "--output", output]
    if mask_output:
        command += ["--mask-output", mask_output]
    command += config.arguments
    started = time.monotonic()
    finished = subprocess.run(command, env=environment(), capture_output=True, text=True)
    if finished.returncode != 0:
        raise RuntimeError(f"{shlex.join(command)} exited {finished.returncode}:\n{quiet(finished.stderr)[-3000:]}")
    return time.monotonic() - started


def parse_cost(text):
    """CPU ms of the whole per-frame effect path: the 'in all' line, else the sum of the steps."""
    whole = COST_LINE.search(text)
    if whole:
        return float(whole.group(1))
    steps = [float(value) for value in STEP_LINE.findall(text)]
    return sum(steps) if steps else None


def measure_cost(config):
    """Sets config.cost_ms from `backdrop-bench effects-speed --only "per frame" ARGS`; when that bench
    refuses ARGS (it takes few of `run`'s options), measures without them and says so in cost_note."""
    if not os.path.exists(config.bench_binary):
        config.cost_note = f"no backdrop-bench beside {config.binary}"
        return
    base = [config.bench_binary, "effects-speed", "--only", "per frame"]
    attempts = [(config.arguments, "")] if not config.arguments else \
        [(config.arguments, ""), ([], "effects-speed took none of this config's arguments: measured without them")]
    for arguments, note in attempts:
        finished = subprocess.run(base + arguments, env=environment(), capture_output=True, text=True)
        cost = parse_cost(finished.stdout) if finished.returncode == 0 else None
        if cost is not None:
            config.cost_ms, config.cost_note = cost, note
            return
    config.cost_note = f"effects-speed failed: {quiet(finished.stderr)[-300:]}"
