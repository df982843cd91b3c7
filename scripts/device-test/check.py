"""The device tests' measurements: each subcommand prints what it measured and exits 0 when the
check holds, 1 when it does not. Runs in the guest with the checkout's .venv (numpy)."""
import json
import re
import sys

import numpy as np


def devices(backdrop_listing, v4l2_listing, *virtual):
    """`backdrop devices` shows every format, size and rate `v4l2-ctl --list-formats-ext` shows for
    vivid, and lists each virtual camera."""
    expected, fourcc, size = {}, None, None
    for line in open(v4l2_listing):
        if m := re.search(r"\[\d+\]: '(\w+ ?)'", line):
            fourcc = m.group(1).strip()
        elif m := re.search(r"Size: Discrete (\d+x\d+)", line):
            size = m.group(1)
            expected[(fourcc, size)] = set()
        elif m := re.search(r"Interval: Discrete [\d.]+s \(([\d.]+) fps\)", line):
            expected[(fourcc, size)].add(round(float(m.group(1)), 3))
    text = open(backdrop_listing).read()
    listed, camera = {}, None
    for line in text.splitlines():
        if m := re.match(r"(/dev/video\d+): (.*) \((.*)\)$", line):
            camera = m.group(1)
        elif camera == "/dev/video0" and (m := re.match(r"  (\w+)(?: \(\w+\))? (\d+x\d+)(?: @ (.*) fps)?$", line)):
            rates = {round(float(r), 3) for r in m.group(3).split(", ")} if m.group(3) else set()
            listed[(m.group(1), m.group(2))] = rates
    missing = sorted(set(expected) - set(listed))
    wrong = sorted(k for k in expected if k in listed and listed[k] != expected[k])
    absent = [v for v in virtual if not re.search(rf"^{v}: .*\((idle|in use)", text, re.M)]
    print(f"vivid: {len(expected)} format/size pairs from v4l2-ctl, {len(listed)} listed by backdrop; "
          f"missing {missing[:3]}, wrong rates {wrong[:3]}; virtual cameras not listed: {absent}")
    return bool(expected) and not missing and not wrong and len(listed) == len(expected) and not absent


def framemd5(path):
    """(time base, [(pts, md5)]) of a framemd5 file."""
    base, frames = 1e-6, []
    for line in open(path):
        if m := re.match(r"#tb 0: (\d+)/(\d+)", line):
            base = int(m.group(1)) / int(m.group(2))
        elif not line.startswith("#") and line.strip():
            fields = [f.strip() for f in line.split(",")]
            frames.append((int(fields[2]) * base, fields[5]))
    return base, frames


def rate(path, fps, tolerance):
    """The reader saw frames at `fps` (within `tolerance`, a fraction) by their timestamps."""
    _, frames = framemd5(path)
    if len(frames) < 3:
        print(f"{len(frames)} frames: too few to measure a rate")
        return False
    span = frames[-1][0] - frames[0][0]
    seen = (len(frames) - 1) / span if span > 0 else 0
    gaps = np.diff([f[0] for f in frames])
    print(f"{len(frames)} frames at {seen:.1f} fps (asked {float(fps):g}), longest gap {gaps.max() * 1000:.0f} ms, "
          f"{len({f[1] for f in frames})} distinct pictures")
    return abs(seen - float(fps)) <= float(fps) * float(tolerance)


def log_lines(path):
    for line in open(path, errors="replace"):
        if line.startswith("{"):
            try:
                yield json.loads(line)
            except json.JSONDecodeError:
                pass


def input_rate(path, fps, tolerance):
    """The run read its camera at `fps`: the median input rate of its telemetry intervals after the first."""
    rates = [l["telemetry"]["interval"]["in_fps"] for l in log_lines(path) if "telemetry" in l and "interval" in l["telemetry"]]
    rates = rates[1:] or rates
    if not rates:
        print("no telemetry intervals in the log")
        return False
    median = float(np.median(rates))
    print(f"input {median:.1f} fps (median of {len(rates)} intervals: {', '.join(f'{r:.1f}' for r in rates)}; asked {float(fps):g})")
    return abs(median - float(fps)) <= float(fps) * float(tolerance)


def frames_out(path, at_least):
    """The run has output at least `at_least` frames (its latest telemetry)."""
    runs = [l["telemetry"]["run"]["frames_output"] for l in log_lines(path) if "telemetry" in l and "run" in l["telemetry"]]
    return bool(runs) and runs[-1] >= int(at_least)


def latency(path):
    """The run's summary states p50 and p99 capture-to-output latency."""
    summary = [l for l in log_lines(path) if l.get("message", "").startswith("telemetry summary")]
    if not summary:
        print("no telemetry summary in the log")
        return False
    run = summary[-1]["telemetry"]["run"]
    p50, p99 = run["latency_p50_ms"], run["latency_p99_ms"]
    print(f"latency p50 {p50:.0f} ms, p99 {p99:.0f} ms (emulated), over {run['frames_output']} frames output")
    return 0 < p50 <= p99 < 60_000 and run["frames_output"] > 0


def last_frame(path, size, channels):
    data = np.fromfile(path, dtype=np.uint8)
    frame = size * channels
    if data.size < frame:
        return None
    return data[data.size - data.size % frame - frame:data.size - data.size % frame].astype(np.int32)


def pixels(reference, mask, output, width, height):
    """The output's background differs from the camera frame and its person region does not."""
    w, h = int(width), int(height)
    ref, out, alpha = last_frame(reference, w * h, 3), last_frame(output, w * h, 3), last_frame(mask, w * h, 1)
    if ref is None or out is None or alpha is None:
        print("a frame is missing")
        return False
    diff = np.abs(out.reshape(h, w, 3) - ref.reshape(h, w, 3)).mean(axis=2)
    alpha = alpha.reshape(h, w)
    person, background = alpha >= 250, alpha <= 5
    if person.sum() < w * h * 0.05 or background.sum() < w * h * 0.05:
        print(f"the mask has {person.mean():.0%} person and {background.mean():.0%} background: no person to check")
        return False
    inside, outside = diff[person].mean(), diff[background].mean()
    print(f"person {person.mean():.0%} of the frame, mean difference {inside:.2f} grey levels; "
          f"background {background.mean():.0%}, mean difference {outside:.2f} (needs person <= 3, background >= 6)")
    return inside <= 3 and outside >= 6


if __name__ == "__main__":
    sys.exit(0 if globals()[sys.argv[1].replace("-", "_")](*sys.argv[2:]) else 1)
