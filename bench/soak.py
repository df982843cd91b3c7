#!/usr/bin/env python3
"""Soak: is memory flat? Runs Backdrop, then the Python + MediaPipe reference, each looping the
720p clip for --frames frames (default 108,000: one hour of 30 FPS video), and samples each one's
resident memory (VmRSS from /proc/PID/status) every second. Run through scripts/soak.sh.

Both process every frame, as fast as they can (offline: Backdrop `run --mode offline
--loop N --no-output`, the reference `--offline --loop-frames N`), with --effect (default blur),
segmentation and face landmarks on every frame. One after the other, not at once: on 2 cores, two
at a time would slow each other unevenly.

Reports, per app, the RSS slope by least squares over the samples after --warmup seconds, in MB
per hour of running and in MB per 108,000 frames (per hour of 30 FPS video, at the app's own
rate), and the same fit over each minute's lowest sample (robust to the few MB that single samples
scatter by), plus the RSS at the start and end of that window and its range. Sampling stops when the app
reports that it has finished (Backdrop's telemetry summary, the reference's JSON line), so what it
frees while shutting down is left out. Writes the samples as CSV
(app, seconds, rss_mb), the run's settings and per-app figures as JSON, and a plot of both lines
with their fits (SVG) under bench/results/; `--report STEM` prints the table again from those.
"""
import argparse
import csv
import json
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
               "--loop", str(passes), "--stats-interval", "60"]
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


def minute_minima(samples, warmup):
    """The lowest RSS of each whole minute after the warm-up, at the moment it was seen: the
    floor under the per-frame transients (MediaPipe allocates and frees a few frame-sized buffers
    per frame, so single samples scatter by several MB)."""
    minutes = {}
    for t, mb in samples:
        if t >= warmup:
            minutes.setdefault(int((t - warmup) // 60), []).append((t, mb))
    return [min(points, key=lambda p: p[1]) for points in minutes.values() if len(points) >= 30]


def report(stem, runs, settings):
    """Prints the table for `runs` ({app: (samples, info)}) and draws the plot."""
    warmup = settings["warmup"]
    machine = settings["machine"]
    print(f"Soak: {settings['frames']:,} frames per app (the 720p clip {settings['passes']} times), effect "
          f"{settings['effect']}, offline (every frame, as fast as possible), "
          f"{'as noted below' if 'note' in settings else 'one app after the other' if len(runs) > 1 else 'one app'}; "
          f"{machine['nproc']} cores, {machine['cpu']}.")
    if settings.get("note"):
        print(settings["note"])
    print(f"RSS sampled every second from /proc/PID/status until the app reported it had finished; slopes by "
          f"least squares after a {warmup:g} s warm-up, over every sample and over each minute's lowest sample.\n")
    print("| app | frames | FPS | run, min | RSS after warm-up → end, MB | band after warm-up, MB | "
          "slope, MB/hour | slope of minute minima, MB/hour | slope, MB per 108,000 frames | target |")
    print("|---|---:|---:|---:|---|---|---:|---:|---:|---|")
    for app, (samples, info) in runs.items():
        slope, intercept, n = fit(samples, warmup)
        floor_slope = fit(minute_minima(samples, warmup), 0)[0]
        info.update(slope_mb_per_h=slope, intercept=intercept, fitted_samples=n, minima_slope_mb_per_h=floor_slope)
        after = [mb for t, mb in samples if t >= warmup]
        per_video_hour = slope * (HOUR_OF_VIDEO / info["fps"]) / 3600 if info["fps"] else float("nan")
        target = ("met" if abs(slope) <= 0.5 else "**missed**") + " (≤ 0.5 MB/h)" if app == "backdrop" else ""
        band = f"{min(after):.1f} - {max(after):.1f}" if after else "n/a"
        print(f"| {'Backdrop' if app == 'backdrop' else 'reference'} | {info['frames']:,} | {info['fps']:.1f} | "
              f"{samples[-1][0] / 60:.1f} | {after[0] if after else float('nan'):.1f} → {samples[-1][1]:.1f} | {band} | "
              f"{slope:+.2f} | {floor_slope:+.2f} | {per_video_hour:+.2f} | {target} |")
    if "backdrop" in runs and runs["backdrop"][1].get("own_slope_mb_per_h") is not None:
        print(f"\nBackdrop's own telemetry slope over the run: {runs['backdrop'][1]['own_slope_mb_per_h']:+.1f} MB/h")
    title = (f"RSS while looping the 720p clip, {settings['frames']:,} frames per app, effect {settings['effect']} "
             f"({machine['nproc']} cores, {machine['cpu']})")
    svg_path = os.path.join(kit.RESULTS, stem + ".svg")
    plot(svg_path, runs, warmup, title)
    print(f"\nsamples: {os.path.relpath(os.path.join(kit.RESULTS, stem + '.csv'), kit.ROOT)}\n"
          f"plot: {os.path.relpath(svg_path, kit.ROOT)}")


def load(stem):
    """The runs and settings saved under bench/results/STEM (.json + .csv)."""
    with open(os.path.join(kit.RESULTS, stem + ".json")) as saved:
        settings = json.load(saved)
    runs = {app: ([], info) for app, info in settings.pop("apps").items()}
    with open(os.path.join(kit.RESULTS, stem + ".csv")) as samples:
        for row in csv.DictReader(samples):
            runs[row["app"]][0].append((float(row["seconds"]), float(row["rss_mb"])))
    return runs, settings


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--frames", type=int, default=HOUR_OF_VIDEO,
                        help="frames per app (rounded up to whole passes of the 270-frame clip)")
    parser.add_argument("--warmup", type=float, default=60.0, help="seconds left out of the fit")
    parser.add_argument("--effect", choices=["none", "blur"], default="blur")
    parser.add_argument("--only", choices=["backdrop", "reference"], help="soak one app; with an existing --name, its run joins the other app's saved there")
    parser.add_argument("--name", help="file name stem under bench/results (default soak-<time>)")
    parser.add_argument("--report", metavar="STEM",
                        help="run nothing: print the table and redraw the plot of bench/results/STEM.csv (+ .json)")
    args = parser.parse_args()

    if args.report:
        runs, settings = load(args.report)
        if args.warmup != parser.get_default("warmup"):
            settings["warmup"] = args.warmup
        report(args.report, runs, settings)
        return

    clip = kit.clip()
    clip_frames = kit.frame_count(clip)
    passes = math.ceil(args.frames / clip_frames)
    frames = passes * clip_frames
    stem = args.name or f"soak-{time.strftime('%Y%m%d-%H%M%S')}"
    os.makedirs(kit.RESULTS, exist_ok=True)
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

    if args.only and args.name and os.path.exists(os.path.join(kit.RESULTS, stem + ".json")):
        # --only with an existing --name: this app's run joins (or replaces) the one saved there, so
        # the two apps can be soaked at different times, even overlapping, and share one table and
        # plot. Read now, at the end, so a run that finished meanwhile is included.
        earlier, saved = load(stem)
        if (saved["frames"], saved["effect"]) != (frames, args.effect):
            kit.say(f"soak: {stem} holds a run of {saved['frames']:,} frames with effect {saved['effect']}, this one "
                    f"{frames:,} frames with effect {args.effect}: writing {stem}-{args.only} instead")
            stem = f"{stem}-{args.only}"
        else:
            earlier.pop(args.only, None)
            runs = {app: earlier.get(app) or runs.get(app) for app in ("backdrop", "reference")
                    if app in earlier or app in runs}
    with open(os.path.join(kit.RESULTS, stem + ".csv"), "w", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(["app", "seconds", "rss_mb"])
        for app, (samples, _) in runs.items():
            for seconds, rss in samples:
                writer.writerow([app, f"{seconds:.2f}", f"{rss:.2f}"])
    settings = {"frames": frames, "passes": passes, "effect": args.effect, "warmup": args.warmup,
                "machine": kit.machine(), "apps": {app: info for app, (_, info) in runs.items()}}
    with open(os.path.join(kit.RESULTS, stem + ".json"), "w") as out:
        json.dump(settings, out, indent=1)
    settings.pop("apps")
    report(stem, runs, settings)


if __name__ == "__main__":
    main()
