#!/usr/bin/env python3
"""Soak: is memory flat? Runs Backdrop, then the Python + MediaPipe reference, each looping the
720p clip for --frames frames (default 108,000: one hour of 30 FPS video), and samples each one's
resident memory (VmRSS from /proc/PID/status) every second. Run through scripts/soak.sh.

Both process every frame, as fast as they can (offline: Backdrop `run --mode offline --max-fps 0
--loop N --no-output`, the reference `--offline --loop-frames N`), with --effect (default blur),
segmentation and face landmarks on every frame. One after the other, not at once: on 2 cores, two
at a time would slow each other unevenly.

Reports, per app, the RSS slope by least squares over the samples after --warmup seconds, in MB
per hour of running and in MB per 108,000 frames (per hour of 30 FPS video, at the app's own
rate), plus the RSS at the start and end of that window and its peak. Sampling stops when the app
reports that it has finished (Backdrop's telemetry summary, the reference's JSON line), so what it
frees while shutting down is left out. Writes the samples as CSV
(app, seconds, rss_mb) and a plot of both lines with their fits (SVG) under bench/results/.
"""
import argparse
import csv
import math
import os
import re
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import proofkit as kit  # noqa: E402

HOUR_OF_VIDEO = 108_000  # frames: one hour at 30 FPS


def fit(samples, warmup):
    """Least-squares line through (seconds, MB) after `warmup` seconds: (MB per hour, intercept, n)."""
    points = [(t, mb) for t, mb in samples if t >= warmup]
    n = len(points)
    if n < 3:
        return float("nan"), float("nan"), n
    mean_t = sum(t for t, _ in points) / n
    mean_mb = sum(mb for _, mb in points) / n
    var = sum((t - mean_t) ** 2 for t, _ in points)
    slope = sum((t - mean_t) * (mb - mean_mb) for t, mb in points) / var if var else float("nan")
    return slope * 3600, mean_mb - slope * mean_t, n


def soak_backdrop(clip, passes, effect, heartbeat):
    command = [kit.BACKDROP, "run", "--input", clip, "--no-output", "--effect", effect, "--mode", "offline",
               "--max-fps", "0", "--loop", str(passes), "--stats-interval", "60"]
    result = kit.run(command, kit.BACKDROP_READY, rss_interval=1.0, on_sample=heartbeat("backdrop"),
                     end_marker=re.compile(r"telemetry summary: "))
    summary = kit.backdrop_summary(result)
    return result, {"frames": int(summary["framesOutput"]), "seconds": summary["seconds"], "fps": summary["outFPS"],
                    "own_slope_mb_per_h": summary.get("slope"), "command": command}


def soak_reference(clip, frames, effect, heartbeat):
    command = [kit.PYTHON, kit.REFERENCE, "--input", clip, "--offline", "--effect", effect, "--loop-frames", str(frames)]
    result = kit.run(command, kit.REFERENCE_READY, rss_interval=1.0, on_sample=heartbeat("reference"),
                     end_marker=re.compile(r"^\{"))
    summary = kit.reference_summary(result)
    return result, {"frames": summary["frames_processed"], "seconds": summary["seconds"], "fps": summary["fps"],
                    "command": command}


def plot(path, runs, warmup, title):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    matplotlib.rcParams["svg.hashsalt"] = "backdrop-soak"  # stable ids: the same data gives the same file
    matplotlib.rcParams["svg.fonttype"] = "none"  # text as text: a smaller file
    figure, axes = plt.subplots(figsize=(9, 4.8))
    colors = {"backdrop": "#1f77b4", "reference": "#d62728"}
    for app, (samples, info) in runs.items():
        t = [s / 60 for s, _ in samples]
        mb = [m for _, m in samples]
        label = (f"{'Backdrop' if app == 'backdrop' else 'reference (Python)'}: {info['frames']:,} frames, "
                 f"{info['fps']:.0f} FPS, slope {info['slope_mb_per_h']:+.2f} MB/h")
        axes.plot(t, mb, color=colors[app], linewidth=1.2, label=label)
        if not math.isnan(info["slope_mb_per_h"]):
            start = warmup
            end = samples[-1][0]
            slope_s = info["slope_mb_per_h"] / 3600
            axes.plot([start / 60, end / 60], [info["intercept"] + slope_s * start, info["intercept"] + slope_s * end],
                      color=colors[app], linestyle="--", linewidth=1)
    axes.axvline(warmup / 60, color="gray", linestyle=":", linewidth=1)
    axes.text(warmup / 60, axes.get_ylim()[0], " warm-up ends", color="gray", fontsize=8, va="bottom")
    axes.set_xlabel("minutes since the app was ready (models loaded)")
    axes.set_ylabel("resident memory (VmRSS), MB")
    axes.set_title(title, fontsize=10)
    axes.grid(alpha=0.3)
    axes.legend(loc="lower right", fontsize=8)
    low = min(m for samples, _ in runs.values() for _, m in samples)
    high = max(m for samples, _ in runs.values() for _, m in samples)
    axes.set_ylim(max(0, low - 40), high + 40)
    figure.tight_layout()
    figure.savefig(path, format=os.path.splitext(path)[1][1:] or "svg", metadata={"Date": None} if path.endswith(".svg") else None)
    plt.close(figure)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--frames", type=int, default=HOUR_OF_VIDEO,
                        help="frames per app (rounded up to whole passes of the 270-frame clip)")
    parser.add_argument("--warmup", type=float, default=60.0, help="seconds left out of the fit")
    parser.add_argument("--effect", choices=["none", "blur"], default="blur")
    parser.add_argument("--only", choices=["backdrop", "reference"], help="soak one app")
    parser.add_argument("--name", help="file name stem under bench/results (default soak-<time>)")
    args = parser.parse_args()

    clip = kit.clip()
    clip_frames = kit.frame_count(clip)
    passes = math.ceil(args.frames / clip_frames)
    frames = passes * clip_frames
    stem = args.name or f"soak-{time.strftime('%Y%m%d-%H%M%S')}"
    os.makedirs(kit.RESULTS, exist_ok=True)
    csv_path = os.path.join(kit.RESULTS, stem + ".csv")
    svg_path = os.path.join(kit.RESULTS, stem + ".svg")
    kit.say(f"soak: {frames:,} frames per app ({passes} passes of {clip}), effect {args.effect}, warm-up {args.warmup:g} s")

    def heartbeat(app):
        def beat(seconds, rss):
            if int(seconds) % 60 == 0 and seconds >= 1:
                kit.say(f"  {app}: {seconds / 60:.0f} min, RSS {rss:.1f} MB")
        return beat

    runs = {}
    if args.only != "reference":
        kit.say("Backdrop ...")
        result, info = soak_backdrop(clip, passes, args.effect, heartbeat)
        runs["backdrop"] = (result.samples, info)
    if args.only != "backdrop":
        kit.say("reference ...")
        result, info = soak_reference(clip, frames, args.effect, heartbeat)
        runs["reference"] = (result.samples, info)

    with open(csv_path, "w", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(["app", "seconds", "rss_mb"])
        for app, (samples, _) in runs.items():
            for seconds, rss in samples:
                writer.writerow([app, f"{seconds:.2f}", f"{rss:.2f}"])

    machine = kit.machine()
    print(f"Soak: {frames:,} frames per app (the 720p clip {passes} times), effect {args.effect}, offline "
          f"(every frame, as fast as possible), one app after the other; {machine['nproc']} cores, {machine['cpu']}.")
    print(f"RSS sampled every second from /proc/PID/status; slope = least squares after a {args.warmup:g} s warm-up.\n")
    print("| app | frames | FPS | run, min | RSS after warm-up → end, MB | peak RSS, MB | slope, MB/hour | "
          "slope, MB per 108,000 frames | target |")
    print("|---|---:|---:|---:|---|---:|---:|---:|---|")
    for app, (samples, info) in runs.items():
        slope, intercept, n = fit(samples, args.warmup)
        info.update(slope_mb_per_h=slope, intercept=intercept, fitted_samples=n)
        after = [mb for t, mb in samples if t >= args.warmup]
        per_video_hour = slope * (HOUR_OF_VIDEO / info["fps"]) / 3600 if info["fps"] else float("nan")
        target = ("met" if abs(slope) <= 0.5 else "**missed**") + " (≤ 0.5 MB/h)" if app == "backdrop" else ""
        print(f"| {'Backdrop' if app == 'backdrop' else 'reference'} | {info['frames']:,} | {info['fps']:.1f} | "
              f"{samples[-1][0] / 60:.1f} | {after[0] if after else float('nan'):.1f} → {samples[-1][1]:.1f} | "
              f"{max(mb for _, mb in samples):.1f} | {slope:+.2f} | {per_video_hour:+.2f} | {target} |")
    if "backdrop" in runs and runs["backdrop"][1].get("own_slope_mb_per_h") is not None:
        print(f"\nBackdrop's own telemetry slope over the run: {runs['backdrop'][1]['own_slope_mb_per_h']:+.1f} MB/h")
    title = (f"RSS while looping the 720p clip, {frames:,} frames per app, effect {args.effect} "
             f"({machine['nproc']} cores, {machine['cpu']})")
    plot(svg_path, runs, args.warmup, title)
    print(f"\nsamples: {os.path.relpath(csv_path, kit.ROOT)}\nplot: {os.path.relpath(svg_path, kit.ROOT)}")


if __name__ == "__main__":
    main()
