#!/usr/bin/env python3
"""Backdrop against two Python + MediaPipe references, same clip, same resolution, same machine,
one run. Run through scripts/proof-bench.sh.

  best-practice  bench/reference_best.py: confidence mask, segmenter and face landmarker on two
                 threads at once, decode on its own thread (what Python can do with this wheel)
  seed-style     bench/reference_app.py: the app Backdrop replaces, with its published fixes
                 (category mask, one task after the other)

All three process a 1280x720 clip (the source clip, by default the shared portrait closeup or, on
a bare clone, .cache's talking head, or --clip PATH, scaled to 1280x720; 270 frames, 150 with
--quick) with person segmentation and face landmarks on every frame and write nothing (Backdrop:
--no-output; the references have no display), with effects off and with background blur on.

  throughput   offline, every frame, no FPS cap, the clip --passes times in a row (one file):
               frames per second over each app's own processing window (Backdrop: its telemetry
               summary, frames out / run time; references: first capture to last result),
               CPU per frame (all threads, processing only: process CPU at exit minus CPU when
               the app said it was ready, from wait4 rusage and /proc/PID/stat), CPU use (that
               CPU over the wall time after ready; above 100%: more than one core busy), peak
               RSS (wait4 ru_maxrss, whole life), RSS when ready (models loaded, no frame yet)
               and the peak above it (what processing adds).
  latency      a second run of each, paced at the clip's own rate like a camera (Backdrop
               --realtime, live mode; the references' live mode with a capture thread that skips
               frames when its queue of 2 is full): p50/p99 capture-to-result per frame.
  the limit    what 2 cores can do at most: os.cpu_count() / (segmenter + face landmarker +
               decode CPU per 720p frame); the tasks' CPU from `backdrop-bench speed` on a frame
               of the clip, decode's from `ffmpeg -threads 0 -i CLIP -f null -` (user + sys CPU
               from wait4, per frame; FFmpeg's own decoder, auto threads, as Backdrop's source
               opens it). `backdrop-bench media-speed` is not used: it reports frames per second
               only, no CPU, and its process also encodes. Backdrop's effects-off throughput is
               shown as a share of that limit.
  live 720p30  the clip resampled to 30 FPS, Backdrop --realtime --mode live --effect blur
               --max-fps 30: frames read / processed / output, drops by stage, p50/p99 latency.
  allocations  `backdrop-bench allocations` on the same clip (repeated to 1,250+ frames): Swift heap allocations
               per frame in steady state, all threads.

Prints markdown tables (BENCHMARKS.md takes them as they are) and writes the figures as JSON under
bench/results/. --quick: 150 frames, one pass, no allocation count and no --category-mask row
(about 3 minutes). --profile adds where the time and memory go: a heap snapshot of each app
(bench/heap_profile.py) and, where `perf` works, a CPU profile of each.
"""
import argparse
import json
import math
import os
import re
import shutil
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import proofkit as kit  # noqa: E402

EFFECTS = ["none", "blur"]
LABEL = {"none": "effects off", "blur": "blur on"}
# The two references, in the order the tables show them.
REFERENCES = {"best": ("best-practice", kit.REFERENCE_BEST), "seed": ("seed-style", kit.REFERENCE)}
# Issue 13's targets: Backdrop against the best-practice reference, and on its own.
THROUGHPUT_OVER_BEST = 1.5
PEAK_RSS_OVER_BEST = 0.75
PROCESSING_MEMORY_MB = 40.0
SHARE_OF_LIMIT = 0.90
LIVE_P50_MS, LIVE_P99_MS = 25.0, 40.0


def backdrop_command(clip, effect, live, extra=()):
    # Offline has no FPS cap by default (and `--max-fps 0` is refused).
    command = [kit.BACKDROP, "run", "--input", clip, "--no-output", "--effect", effect, "--log-format", "plain"]
    command += ["--realtime", "--mode", "live"] if live else ["--mode", "offline"]
    return command + list(extra)


def reference_command(script, clip, effect, live):
    return [kit.PYTHON, script, "--input", clip, "--effect", effect] + ([] if live else ["--offline"])


def process_figures(result, frames):
    """What is measured from outside the same way for every app: CPU, memory, wall time."""
    after_ready = result.wall - (result.ready_at or 0.0)
    return {"cpu_s_per_frame": result.processing_cpu / max(1, frames), "cpu_total_s": result.cpu,
            "cpu_percent": 100 * result.processing_cpu / after_ready if after_ready > 0 else 0.0,
            "startup_cpu_s": result.cpu_at_ready, "peak_rss_mb": result.peak_rss_mb,
            "rss_at_ready_mb": result.rss_at_ready,
            "peak_above_ready_mb": result.peak_rss_mb - (result.rss_at_ready or 0), "wall_s": result.wall}


def measure_backdrop(clip, effect, live, extra=()):
    result = kit.run(backdrop_command(clip, effect, live, extra), kit.BACKDROP_READY)
    summary = kit.backdrop_summary(result)
    frames = int(summary["framesOutput"])
    return {"fps": summary["outFPS"], "frames": frames, "seconds": summary["seconds"],
            "frames_read": int(summary["framesRead"]), "frames_processed": int(summary["framesProcessed"]),
            "dropped": int(summary["framesDropped"]), "drops_by_stage": kit.drops_by_stage(summary),
            "processed_fps": summary["processedFPS"], "p50_ms": summary["p50"], "p99_ms": summary["p99"],
            **process_figures(result, frames)}


def measure_reference(script, clip, effect, live):
    result = kit.run(reference_command(script, clip, effect, live), kit.REFERENCE_READY)
    summary = kit.reference_summary(result)
    frames = summary["frames_processed"]
    return {"fps": summary["fps"], "frames": frames, "seconds": summary["seconds"],
            "frames_read": summary["frames_read"], "frames_processed": frames, "dropped": summary["frames_skipped"],
            "processed_fps": summary["fps"], "faces_found": summary["faces_found"],
            "p50_ms": summary["latency_p50_ms"], "p99_ms": summary["latency_p99_ms"],
            "self_reported_cpu_percent": summary.get("cpu_percent"),
            "self_reported_peak_rss_mb": summary["peak_rss_mb"], **process_figures(result, frames)}


def measure_limit(clip, frames, speed_frames):
    """os.cpu_count() / (segmenter + face landmarker + decode CPU per frame), in frames per second."""
    png = kit.frame_png(clip, os.path.splitext(clip)[0] + "-frame0.png")
    # Backdrop runs both tasks on the frame halved at 720p (its default processing size): the same
    # frame at 640x360, for the limit of the work it actually does.
    half_png = os.path.splitext(clip)[0] + "-frame0-half.png"
    kit.ffmpeg("-i", png, "-vf", "scale=iw/2:ih/2:flags=area", half_png)

    def task_cpu(image):
        command = [kit.BACKDROP_BENCH, "speed", "--image", image, "--frames", str(speed_frames),
                   "--warmup", str(max(5, speed_frames // 10))]
        out = subprocess.run(command, capture_output=True, text=True)
        if out.returncode != 0:
            raise RuntimeError(f"{' '.join(command)} failed:\n{out.stderr[-2000:]}")
        return {line["task"]: line for line in map(json.loads, (l for l in out.stdout.splitlines() if l.startswith("{")))}
    tasks, half_tasks = task_cpu(png), task_cpu(half_png)
    decode = ["ffmpeg", "-v", "error", "-nostdin", "-threads", "0", "-i", clip]
    decode_ms = kit.child_cpu_seconds(decode + ["-f", "null", "-"]) * 1e3 / frames
    # For comparison: the same plus the conversion to RGB that Backdrop's source also does.
    decode_rgb_ms = kit.child_cpu_seconds(decode + ["-vf", "format=rgb24", "-f", "null", "-"]) * 1e3 / frames
    segmenter_ms, face_ms = tasks["segmenter"]["cpu_ms"], tasks["face-landmarker"]["cpu_ms"]
    cores = os.cpu_count()
    half_segmenter_ms, half_face_ms = half_tasks["segmenter"]["cpu_ms"], half_tasks["face-landmarker"]["cpu_ms"]
    return {"cores": cores, "segmenter_cpu_ms": segmenter_ms, "face_landmarker_cpu_ms": face_ms,
            "decode_cpu_ms": decode_ms, "decode_rgb_cpu_ms": decode_rgb_ms, "speed": tasks, "speed_half": half_tasks,
            "half_segmenter_cpu_ms": half_segmenter_ms, "half_face_landmarker_cpu_ms": half_face_ms,
            "fps_half": cores * 1e3 / (half_segmenter_ms + half_face_ms + decode_ms),
            "fps": cores * 1e3 / (segmenter_ms + face_ms + decode_ms),
            "fps_with_rgb": cores * 1e3 / (segmenter_ms + face_ms + decode_rgb_ms)}


def allocations(clip, effect):
    library = os.path.join(kit.CACHE, "libbackdrop_alloc_count.so")
    source = os.path.join(kit.ROOT, "bench", "alloc_count.c")
    if not os.path.exists(library) or os.path.getmtime(library) < os.path.getmtime(source):
        subprocess.run(["cc", "-O2", "-shared", "-fPIC", "-o", library, source, "-ldl", "-lpthread"], check=True)
    command = [kit.BACKDROP_BENCH, "allocations", "--input", clip, "--effect", effect, "--warmup", "300",
               "--frames", "900", "--top", "8", "--counter-library", library]
    out = subprocess.run(command, capture_output=True, text=True)
    if out.returncode != 0:
        raise RuntimeError(f"{' '.join(command)} failed:\n{out.stderr[-2000:]}")
    figures = json.loads(out.stdout.strip().splitlines()[-1])
    figures["report"] = [line for line in out.stdout.splitlines()[:-1]]
    return figures


def ratio(a, b):
    return a / b if b else float("nan")


def verdict(value, target, higher_is_better):
    met = value >= target if higher_is_better else value <= target
    return ("met" if met else "**missed**") + f" ({'≥' if higher_is_better else '≤'} {target:g})"


# Rows of the per-effect table: label, figure, which run, format, and the target as
# (what it applies to: "best" = Backdrop / best-practice, "backdrop" = Backdrop's own figure, value, higher is better).
ROWS = [
    ("throughput, FPS (offline, every frame)", "fps", "offline", "{:.1f}", ("best", THROUGHPUT_OVER_BEST, True)),
    ("CPU ms per frame (offline, all threads)", "cpu_ms_per_frame", "offline", "{:.1f}", None),
    ("CPU use, % of one core (offline)", "cpu_percent", "offline", "{:.0f}", None),
    ("peak RSS, MB (offline run)", "peak_rss_mb", "offline", "{:.1f}", ("best", PEAK_RSS_OVER_BEST, False)),
    ("RSS when ready (models loaded, no frame yet), MB", "rss_at_ready_mb", "offline", "{:.1f}", None),
    ("peak RSS above that: what processing adds, MB", "peak_above_ready_mb", "offline", "{:.1f}",
     ("backdrop", PROCESSING_MEMORY_MB, False)),
    ("latency p50, ms (live)", "p50_ms", "live", "{:.1f}", None),
    ("latency p99, ms (live)", "p99_ms", "live", "{:.1f}", None),
    ("frames processed / read (live)", "processed_of_read", "live", None, None),
    ("frames dropped (live; the references skip them at capture)", "dropped", "live", None, None),
    ("peak RSS, MB (live run)", "peak_rss_mb", "live", "{:.1f}", None),
]


def figure(run, key):
    if key == "cpu_ms_per_frame":
        return run["cpu_s_per_frame"] * 1e3
    if key == "processed_of_read":
        return f"{run['frames_processed']} / {run['frames_read']}"
    if key == "dropped":
        stages = run.get("drops_by_stage")
        return f"{run['dropped']}" + (f" ({', '.join(f'{s} {n}' for s, n in sorted(stages.items()))})" if stages else "")
    return run[key]


def effect_table(runs, effect, offline_frames, live_frames, live_fps):
    lines = [f"\n**{LABEL[effect]}** (720p; offline: {offline_frames} frames; live: {live_frames} frames at "
             f"{live_fps:g} FPS)\n",
             "| metric | Backdrop | best-practice | seed-style | Backdrop / best-practice | Backdrop / seed-style | target |",
             "|---|---:|---:|---:|---:|---:|---|"]
    for label, key, mode, form, target in ROWS:
        values = [figure(runs[f"{app}_{mode}"], key) for app in ("backdrop", "best", "seed")]
        if form is None:
            lines.append(f"| {label} | " + " | ".join(values) + " | | | |")
            continue
        over_best, over_seed = ratio(values[0], values[1]), ratio(values[0], values[2])
        judged = ""
        if target:
            applies_to, bound, higher = target
            judged = verdict(over_best if applies_to == "best" else values[0], bound, higher)
            if applies_to == "best":
                judged = "Backdrop / best-practice " + judged
        lines.append(f"| {label} | " + " | ".join(form.format(v) for v in values)
                     + f" | {over_best:.2f} | {over_seed:.2f} | {judged} |")
    category = runs.get("backdrop_category_offline")
    if category:
        best, seed = runs["best_offline"]["fps"], runs["seed_offline"]["fps"]
        lines.append(f"| throughput, FPS, Backdrop with `--category-mask` too (the seed-style app's mask) | "
                     f"{category['fps']:.1f} | {best:.1f} | {seed:.1f} | {ratio(category['fps'], best):.2f} | "
                     f"{ratio(category['fps'], seed):.2f} | (for comparison) |")
    return "\n".join(lines)


def limit_table(limit, backdrop_fps):
    share = backdrop_fps / limit["fps"]
    return "\n".join([
        f"\n**The limit** ({limit['cores']} cores / CPU per 720p frame; tasks: `backdrop-bench speed` on frame 0 of the "
        "clip, VIDEO mode; decode: `ffmpeg -threads 0 -i CLIP -f null -`, user + sys CPU from wait4)\n",
        "| figure | value | target |", "|---|---:|---|",
        f"| segmenter (confidence mask), CPU ms / frame | {limit['segmenter_cpu_ms']:.1f} | |",
        f"| face landmarker, CPU ms / frame | {limit['face_landmarker_cpu_ms']:.1f} | |",
        f"| decode (FFmpeg, H.264 720p), CPU ms / frame | {limit['decode_cpu_ms']:.1f} | |",
        f"| the limit, FPS | {limit['fps']:.1f} | |",
        f"| Backdrop, effects off, offline, FPS | {backdrop_fps:.1f} | |",
        f"| Backdrop as a share of the limit | {100 * share:.0f}% | {verdict(100 * share, 100 * SHARE_OF_LIMIT, True)} |",
        f"| (for comparison) decode + conversion to RGB (`-vf format=rgb24`), CPU ms / frame; limit with it, FPS | "
        f"{limit['decode_rgb_cpu_ms']:.1f}; {limit['fps_with_rgb']:.1f} | |",
        f"| (for comparison) the tasks on the frame halved (640x360, what Backdrop gives them at 720p): segmenter; "
        f"face landmarker, CPU ms / frame; the limit with them, FPS; Backdrop's share of it | "
        f"{limit['half_segmenter_cpu_ms']:.1f}; {limit['half_face_landmarker_cpu_ms']:.1f}; {limit['fps_half']:.1f}; "
        f"{100 * backdrop_fps / limit['fps_half']:.0f}% | |",
    ])


def live30_table(run):
    stages = ", ".join(f"{stage} {count}" for stage, count in sorted(run["drops_by_stage"].items())) or "none"
    return "\n".join([
        f"\n**Live 720p30** (`backdrop run --realtime --mode live --effect blur --max-fps 30 --no-output`, "
        f"{run['frames_read']} frames of the clip at 30 FPS)\n",
        "| figure | Backdrop | target |", "|---|---:|---|",
        f"| frames read / processed / output | {run['frames_read']} / {run['frames_processed']} / {run['frames']} | |",
        f"| frames dropped (by stage: {stages}) | {run['dropped']} | {verdict(run['dropped'], 0, False)} |",
        f"| latency p50, ms | {run['p50_ms']:.1f} | {verdict(run['p50_ms'], LIVE_P50_MS, False)} |",
        f"| latency p99, ms | {run['p99_ms']:.1f} | {verdict(run['p99_ms'], LIVE_P99_MS, False)} |",
        f"| CPU use, % of one core | {run['cpu_percent']:.0f} | |",
    ])


def perf_profile(command, title):
    """A flat CPU profile of `command` by shared object and by function (perf record -g none)."""
    if not shutil.which("perf"):
        print(f"{title}: perf not available")
        return None
    data = os.path.join(kit.CACHE, "perf-proof.data")
    recorded = subprocess.run(["perf", "record", "-F", "499", "-o", data, "--"] + command, capture_output=True, text=True)
    if recorded.returncode != 0:
        print(f"{title}: perf record failed: {recorded.stderr.strip()[-300:]}")
        return None
    def report(sort, limit):
        out = subprocess.run(["perf", "report", "-i", data, "--no-children", "-g", "none", "--sort", sort, "--stdio"],
                             capture_output=True, text=True).stdout
        rows = [line for line in out.splitlines() if line.strip() and not line.startswith("#")][:limit]
        demangler = shutil.which("swift-demangle") or shutil.which("swift-demangle", path="/opt/swift/usr/bin")
        if demangler:
            rows = subprocess.run([demangler, "--simplified"], input="\n".join(rows), capture_output=True,
                                  text=True).stdout.splitlines()
        return [re.sub(r"\s+", " ", row).strip()[:150] for row in rows]
    by_object, by_function = report("dso", 8), report("dso,sym", 14)
    os.unlink(data)
    print(f"{title}\n  by shared object:")
    for row in by_object:
        print("    " + row)
    print("  by function:")
    for row in by_function:
        print("    " + row)
    sys.stdout.flush()
    return {"by_object": by_object, "by_function": by_function}


def load_average():
    return " ".join(f"{value:.2f}" for value in os.getloadavg())


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--clip", help="the source clip (any size and rate; scaled to 1280x720), e.g. your webcam's")
    parser.add_argument("--quick", action="store_true",
                        help="150 frames, one pass, no allocation count, no --category-mask row (~3 minutes)")
    parser.add_argument("--passes", type=int, help="offline runs read the clip this many times in a row (default 2)")
    parser.add_argument("--no-allocations", action="store_true", help="skip the allocation count")
    parser.add_argument("--no-category-row", action="store_true",
                        help="skip the extra Backdrop run with --category-mask (the seed-style app's mask kind)")
    parser.add_argument("--profile", action="store_true", help="also profile memory (heap) and CPU (perf) of each app")
    args = parser.parse_args()
    passes = args.passes or (1 if args.quick else 2)
    clip_frames = 150 if args.quick else 270
    with_allocations = not (args.no_allocations or args.quick)
    with_category_row = not (args.no_category_row or args.quick)

    for path in (kit.BACKDROP, kit.BACKDROP_BENCH, kit.PYTHON):
        if not os.path.exists(path):
            sys.exit(f"missing {path}: run scripts/proof-bench.sh (it builds and sets up)")
    source = os.path.abspath(args.clip) if args.clip else kit.SOURCE_CLIP
    base = kit.clip(source=source, frames=clip_frames)
    offline_clip = kit.clip(passes, source=source, frames=clip_frames)
    live30_clip = kit.clip(source=source, frames=clip_frames, fps=30)
    offline_frames, live_frames = kit.frame_count(offline_clip), kit.frame_count(base)
    live_fps = kit.frame_rate(base)
    machine = kit.machine()
    load_before = load_average()
    kit.say(f"source {source}; clip {base} ({live_frames} frames at {live_fps:g} FPS); offline {offline_clip} "
            f"({offline_frames} frames); live 720p30 {live30_clip}; load average {load_before}")

    figures = {"machine": machine, "source": source, "clip": base, "offline_clip": offline_clip,
               "live30_clip": live30_clip, "offline_frames": offline_frames, "live_frames": live_frames,
               "live_fps": live_fps, "quick": args.quick, "load_average_before": load_before,
               "started": time.strftime("%Y-%m-%d %H:%M:%S")}
    kit.say("the limit: backdrop-bench speed, ffmpeg decode ...")
    figures["limit"] = measure_limit(offline_clip, offline_frames, 60 if args.quick else 200)
    for effect in EFFECTS:
        runs = figures[effect] = {}
        for mode, clip in (("offline", offline_clip), ("live", base)):
            live = mode == "live"
            kit.say(f"[{LABEL[effect]}] Backdrop {mode} ...")
            runs[f"backdrop_{mode}"] = measure_backdrop(clip, effect, live)
            for key, (name, script) in REFERENCES.items():
                kit.say(f"[{LABEL[effect]}] {name} reference {mode} ...")
                runs[f"{key}_{mode}"] = measure_reference(script, clip, effect, live)
        if with_category_row:
            kit.say(f"[{LABEL[effect]}] Backdrop offline with --category-mask ...")
            runs["backdrop_category_offline"] = measure_backdrop(offline_clip, effect, live=False,
                                                                 extra=["--category-mask"])
    kit.say("live 720p30: Backdrop --realtime --effect blur --max-fps 30 ...")
    figures["live30"] = measure_backdrop(live30_clip, "blur", live=True, extra=["--max-fps", "30"])

    if with_allocations:
        # The counted window needs 300 + 900 frames and a few more.
        alloc_clip = kit.clip(math.ceil(1250 / live_frames), source=source, frames=clip_frames)
        for effect in EFFECTS:
            kit.say(f"[{LABEL[effect]}] allocation count ...")
            figures[effect]["allocations"] = allocations(alloc_clip, effect)
    figures["load_average_after"] = load_average()

    print(f"Machine: {machine['nproc']} cores, {machine['cpu']}, {machine['ram_gib']} GiB RAM; {machine['os']}, "
          f"kernel {machine['kernel']}; load average (1, 5, 15 min) {load_before} before, "
          f"{figures['load_average_after']} after")
    print(f"Versions: {machine['swift']}; {machine['ffmpeg']}; Python {machine['python']}, "
          f"mediapipe {machine['mediapipe']}, opencv {machine['opencv']}, numpy {machine['numpy']}")
    print(f"Clip: {os.path.relpath(source, kit.ROOT)} scaled to 1280x720"
          + (" (--quick)" if args.quick else ""))
    print("Backdrop: `backdrop run --no-output` (release), confidence mask (its default) + face landmarks on every "
          "frame, temporal smoothing, edge refinement and feathering on, blur strength 16.")
    print("Best-practice reference: bench/reference_best.py, ImageSegmenter confidence mask and FaceLandmarker "
          "(VIDEO mode) at the same time on 2 threads, decode thread, GaussianBlur 33x33 + float32 composite.")
    print("Seed-style reference: bench/reference_app.py, ImageSegmenter category mask then FaceLandmarker (VIDEO "
          "mode), decode thread, GaussianBlur 33x33 composited by the mask.")
    for effect in EFFECTS:
        print(effect_table(figures[effect], effect, offline_frames, live_frames, live_fps))
    print(limit_table(figures["limit"], figures["none"]["backdrop_offline"]["fps"]))
    print(live30_table(figures["live30"]))
    if with_allocations:
        print("\n**Swift heap allocations per frame** (`backdrop-bench allocations`, steady state: 900 frames after "
              "300 frames and the first telemetry line, all threads)\n")
        print("| effect | all Swift allocations / frame | per-frame path | telemetry reporter (lines in window) | "
              "malloc calls / frame, whole process (mostly MediaPipe) | target |")
        print("|---|---:|---:|---:|---:|---|")
        for effect in EFFECTS:
            a = figures[effect]["allocations"]
            per_frame = a["per_frame_path"] / a["frames"]
            print(f"| {LABEL[effect]} | {a['swift_allocations_per_frame']:.3f} | {a['per_frame_path']} in {a['frames']} "
                  f"frames ({per_frame:.4f}) | {a['telemetry_reporter']} ({a['telemetry_lines']}) | "
                  f"{a['malloc_calls_per_frame']:.0f} | {'met' if a['per_frame_path'] == 0 else '**missed**'} (0) |")
        for effect in EFFECTS:
            print(f"\n{LABEL[effect]}, `backdrop-bench allocations` said:\n")
            for line in figures[effect]["allocations"]["report"]:
                print("    " + line)
    sys.stdout.flush()

    if args.profile:
        import heap_profile
        print("\n**Memory profile** (heap snapshot 4 s into an offline blur run; bench/heap_profile.py)\n")
        figures["heap"] = {"backdrop": heap_profile.profile(backdrop_command(offline_clip, "blur", live=False), 4.0,
                                                            256 * 1024, title="Backdrop, offline, blur on")}
        for key, (name, script) in REFERENCES.items():
            figures["heap"][key] = heap_profile.profile(reference_command(script, offline_clip, "blur", live=False),
                                                        4.0, 256 * 1024, title=f"{name} reference, offline, blur on")
        print("\n**CPU profile** (perf record, whole run, offline)\n")
        figures["perf"] = {}
        for effect in EFFECTS:
            figures["perf"][f"backdrop_{effect}"] = perf_profile(backdrop_command(base, effect, live=False),
                                                                 f"Backdrop, {LABEL[effect]}")
            for key, (name, script) in REFERENCES.items():
                figures["perf"][f"{key}_{effect}"] = perf_profile(reference_command(script, base, effect, live=False),
                                                                  f"{name} reference, {LABEL[effect]}")

    os.makedirs(kit.RESULTS, exist_ok=True)
    path = os.path.join(kit.RESULTS, f"proof-{'quick-' if args.quick else ''}{time.strftime('%Y%m%d-%H%M%S')}.json")
    with open(path, "w") as out:
        json.dump(figures, out, indent=1)
    print(f"\nfigures: {os.path.relpath(path, kit.ROOT)}")


if __name__ == "__main__":
    main()
