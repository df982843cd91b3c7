#!/usr/bin/env python3
"""Backdrop against the Python + MediaPipe reference (bench/reference_app.py), same clip, same
resolution, same machine, one run. Run through scripts/proof-bench.sh.

Both apps process a 1280x720 clip (the shared portrait clip scaled up; 270 frames, 25 FPS) with
person segmentation and face landmarks on every frame and write nothing (Backdrop: --no-output;
the reference has no display), with effects off and with background blur on.

  throughput   offline, every frame, no FPS cap, the clip --passes times in a row (one file):
               frames per second over each app's own processing window (Backdrop: its telemetry
               summary, frames out / run time; reference: first capture to last result),
               CPU seconds per frame (all threads, processing only: process CPU at exit minus
               CPU when the app said it was ready, from wait4 rusage and /proc/PID/stat), and
               peak RSS (wait4 ru_maxrss, whole life, both apps alike).
  latency      a second run of each, paced at the clip's own 25 FPS like a camera (Backdrop
               --realtime, live mode; the reference's live mode with its capture thread and frame
               skipping): p50/p99 capture-to-result per frame. Offline latency would count the
               frames queued in Backdrop's hand-offs, which the reference's loop does not have.
  allocations  `backdrop-bench allocations` on the same clip (repeated 4x): Swift heap allocations
               per frame in steady state, all threads.

Prints markdown tables (BENCHMARKS.md takes them as they are) and writes the figures as JSON under
bench/results/. --profile adds where the time and memory go: a heap snapshot of each app
(bench/heap_profile.py) and, where `perf` works, a CPU profile of each.
"""
import argparse
import json
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


def backdrop_command(clip, effect, live, extra=()):
    command = [kit.BACKDROP, "run", "--input", clip, "--no-output", "--effect", effect, "--log-format", "plain"]
    command += ["--realtime", "--mode", "live"] if live else ["--mode", "offline", "--max-fps", "0"]
    return command + list(extra)


def reference_command(clip, effect, live):
    return [kit.PYTHON, kit.REFERENCE, "--input", clip, "--effect", effect] + ([] if live else ["--offline"])


def process_figures(result, frames):
    """What is measured from outside the same way for both apps: CPU, memory, wall time."""
    return {"cpu_s_per_frame": result.processing_cpu / max(1, frames), "cpu_total_s": result.cpu,
            "startup_cpu_s": result.cpu_at_ready, "peak_rss_mb": result.peak_rss_mb,
            "rss_at_ready_mb": result.rss_at_ready,
            "peak_above_ready_mb": result.peak_rss_mb - (result.rss_at_ready or 0), "wall_s": result.wall}


def measure_backdrop(clip, effect, live, extra=()):
    result = kit.run(backdrop_command(clip, effect, live, extra), kit.BACKDROP_READY)
    summary = kit.backdrop_summary(result)
    frames = int(summary["framesOutput"])
    return {"fps": summary["outFPS"], "frames": frames, "seconds": summary["seconds"],
            "frames_read": int(summary["framesRead"]), "dropped": int(summary["framesDropped"]),
            "processed_fps": summary["processedFPS"],
            "p50_ms": summary["p50"], "p99_ms": summary["p99"],
            **process_figures(result, frames)}


def measure_reference(clip, effect, live):
    result = kit.run(reference_command(clip, effect, live), kit.REFERENCE_READY)
    summary = kit.reference_summary(result)
    frames = summary["frames_processed"]
    return {"fps": summary["fps"], "frames": frames, "seconds": summary["seconds"],
            "frames_read": summary["frames_read"], "dropped": summary["frames_skipped"],
            "processed_fps": summary["fps"], "faces_found": summary["faces_found"],
            "p50_ms": summary["latency_p50_ms"], "p99_ms": summary["latency_p99_ms"],
            "self_reported_peak_rss_mb": summary["peak_rss_mb"], **process_figures(result, frames)}


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
    if target is None:
        return ""
    met = value >= target if higher_is_better else value <= target
    return ("met" if met else "**missed**") + f" ({'≥' if higher_is_better else '≤'} {target:g})"


def table(figures, offline_frames, live_frames):
    rows = [
        ("throughput, FPS (offline, every frame)", "fps", "{:.1f}", 3.0, True),
        ("CPU seconds per frame (offline)", "cpu_s_per_frame", "{:.4f}", None, False),
        ("peak RSS, MB (offline run)", "peak_rss_mb", "{:.1f}", 0.5, False),
        ("RSS when ready (models loaded, no frame yet), MB", "rss_at_ready_mb", "{:.1f}", None, False),
        ("peak RSS above that: what processing adds, MB", "peak_above_ready_mb", "{:.1f}", None, False),
        ("latency p50, ms (live, 25 FPS)", "p50_ms", "{:.1f}", None, False),
        ("latency p99, ms (live, 25 FPS)", "p99_ms", "{:.1f}", None, False),
        ("frames processed / read (live)", None, None, None, None),
        ("peak RSS, MB (live run)", "peak_rss_mb_live", "{:.1f}", None, False),
    ]
    lines = []
    for effect in EFFECTS:
        b_off, r_off = figures[effect]["backdrop_offline"], figures[effect]["reference_offline"]
        b_live, r_live = figures[effect]["backdrop_live"], figures[effect]["reference_live"]
        lines.append(f"\n**{LABEL[effect]}** (720p; offline: {offline_frames} frames; live: {live_frames} frames at 25 FPS)\n")
        lines.append("| metric | Backdrop | reference | Backdrop / reference | target |")
        lines.append("|---|---:|---:|---:|---|")
        for label, key, form, target, higher in rows:
            if key is None:
                lines.append(f"| {label} | {b_live['frames']} / {b_live['frames_read']} | "
                             f"{r_live['frames']} / {r_live['frames_read']} | | |")
                continue
            if key.endswith("_live"):
                b, r = b_live[key[:-5]], r_live[key[:-5]]
            elif key in ("p50_ms", "p99_ms"):
                b, r = b_live[key], r_live[key]
            else:
                b, r = b_off[key], r_off[key]
            value = ratio(b, r)
            lines.append(f"| {label} | {form.format(b)} | {form.format(r)} | {value:.2f} | "
                         f"{verdict(value, target, higher)} |")
        extra = figures[effect].get("backdrop_category_offline")
        if extra:
            lines.append(f"| throughput, FPS, Backdrop with `--category-mask` too | {extra['fps']:.1f} | "
                         f"{r_off['fps']:.1f} | {ratio(extra['fps'], r_off['fps']):.2f} | (for comparison) |")
    return "\n".join(lines)


def perf_profile(command, seconds_hint, title):
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


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--passes", type=int, default=3, help="offline runs read the clip this many times in a row")
    parser.add_argument("--no-allocations", action="store_true", help="skip the allocation count")
    parser.add_argument("--no-category-row", action="store_true",
                        help="skip the extra Backdrop run with --category-mask (the reference's mask kind)")
    parser.add_argument("--profile", action="store_true", help="also profile memory (heap) and CPU (perf) of each app")
    args = parser.parse_args()

    for path in (kit.BACKDROP, kit.BACKDROP_BENCH, kit.PYTHON):
        if not os.path.exists(path):
            sys.exit(f"missing {path}: run scripts/proof-bench.sh (it builds and sets up)")
    base = kit.clip()
    offline_clip = kit.clip(args.passes)
    offline_frames, live_frames = kit.frame_count(offline_clip), kit.frame_count(base)
    machine = kit.machine()
    kit.say(f"clip {base} ({live_frames} frames); offline {offline_clip} ({offline_frames} frames)")

    figures = {"machine": machine, "clip": base, "offline_clip": offline_clip, "offline_frames": offline_frames,
               "live_frames": live_frames, "started": time.strftime("%Y-%m-%d %H:%M:%S")}
    for effect in EFFECTS:
        kit.say(f"[{LABEL[effect]}] Backdrop offline ...")
        b_off = measure_backdrop(offline_clip, effect, live=False)
        kit.say(f"[{LABEL[effect]}] reference offline ...")
        r_off = measure_reference(offline_clip, effect, live=False)
        kit.say(f"[{LABEL[effect]}] Backdrop live ...")
        b_live = measure_backdrop(base, effect, live=True)
        kit.say(f"[{LABEL[effect]}] reference live ...")
        r_live = measure_reference(base, effect, live=True)
        figures[effect] = {"backdrop_offline": b_off, "reference_offline": r_off,
                           "backdrop_live": b_live, "reference_live": r_live}
        if not args.no_category_row:
            kit.say(f"[{LABEL[effect]}] Backdrop offline with --category-mask ...")
            figures[effect]["backdrop_category_offline"] = measure_backdrop(offline_clip, effect, live=False,
                                                                            extra=["--category-mask"])

    if not args.no_allocations:
        alloc_clip = kit.clip(6)
        for effect in EFFECTS:
            kit.say(f"[{LABEL[effect]}] allocation count ...")
            figures[effect]["allocations"] = allocations(alloc_clip, effect)

    print(f"Machine: {machine['nproc']} cores, {machine['cpu']}, {machine['ram_gib']} GiB RAM; {machine['os']}, "
          f"kernel {machine['kernel']}")
    print(f"Versions: {machine['swift']}; {machine['ffmpeg']}; Python {machine['python']}, "
          f"mediapipe {machine['mediapipe']}, opencv {machine['opencv']}, numpy {machine['numpy']}")
    print("Backdrop: `backdrop run --no-output` (release), confidence mask (its default) + face landmarks on every "
          "frame, temporal smoothing, edge refinement and feathering on, blur strength 16.")
    print("Reference: bench/reference_app.py, ImageSegmenter category mask + FaceLandmarker (VIDEO mode) on every "
          "frame, GaussianBlur 33x33 composited by the mask.")
    print(table(figures, offline_frames, live_frames))
    if not args.no_allocations:
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
        figures["heap"] = {
            "backdrop": heap_profile.profile(backdrop_command(offline_clip, "blur", live=False), 4.0, 256 * 1024,
                                             title="Backdrop, offline, blur on"),
            "reference": heap_profile.profile(reference_command(offline_clip, "blur", live=False), 4.0, 256 * 1024,
                                              title="reference, offline, blur on"),
        }
        print("\n**CPU profile** (perf record, whole run, offline)\n")
        figures["perf"] = {}
        for effect in EFFECTS:
            figures["perf"][f"backdrop_{effect}"] = perf_profile(backdrop_command(base, effect, live=False), 5,
                                                                 f"Backdrop, {LABEL[effect]}")
            figures["perf"][f"reference_{effect}"] = perf_profile(reference_command(base, effect, live=False), 10,
                                                                  f"reference, {LABEL[effect]}")

    os.makedirs(kit.RESULTS, exist_ok=True)
    path = os.path.join(kit.RESULTS, f"proof-{time.strftime('%Y%m%d-%H%M%S')}.json")
    with open(path, "w") as out:
        json.dump(figures, out, indent=1)
    print(f"\nfigures: {os.path.relpath(path, kit.ROOT)}")


if __name__ == "__main__":
    main()
