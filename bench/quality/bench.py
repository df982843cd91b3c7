"""Issue 14's quality benchmark: masks and the blur effect against exact ground truth, raw MediaPipe and
each Backdrop configuration measured in one run. See bench/quality/README.md and
`scripts/quality-bench.sh --help`."""
import argparse
import datetime
import glob
import json
import os
import shutil
import sys
import time

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))           # bench/, for proofkit.machine()

import backdrop_runs
import clip as clips
import edge_picture
import raw_mediapipe
import report
from kit_check import KitCheck
from scores import HaloScores, MaskScores
from video import frame_at, frames

ROOT = backdrop_runs.ROOT
SHARED_QUALITY = os.path.join(os.environ.get("BACKDROP_SHARED", os.path.join(os.path.dirname(ROOT), "shared")),
                              "quality")
RAW_HALO_NOTE = "‡"
COST_NOTE = "†"

HELP = """\
Quality benchmark (issue 14): exact-truth clips (a person cut-out over a panning photo), raw MediaPipe
and Backdrop configurations scored in one run. For each clip: raw MediaPipe from Python (VIDEO mode,
confidence mask at full size) and, for each --config, `backdrop run --input clip.mkv --mode offline
--effect blur --lossless --output out.mkv --mask-output mask.mkv ARGS` and the same on plate.mkv.
Figures: IoU, boundary F, MAE x1000, temporal x1000, still flicker x1000 (masks); halo ring and person
(grey levels, the blur against its exact ideal); cost: CPU ms per 720p frame of the effect path from
`backdrop-bench effects-speed --only "per frame" ARGS` (beside the config's backdrop; when it refuses
ARGS, measured without them and marked). Raw MediaPipe's halo is a plain Python composite: a Gaussian
of the reach of Backdrop's default blur weighted by the raw confidence.

Targets, per clip, for the last config against raw MediaPipe in the same run: boundary F >= raw + 0.02,
IoU >= raw, MAE <= raw, temporal <= 0.6 x raw, still flicker <= 0.25 x raw, halo ring <= --halo-target
(when given for that clip), person within 1 grey level of the first config's (with two configs or
more). Each is printed PASS or MISS with its numbers.

Writes bench/results/quality-YYYYMMDD-HHMMSS.md (what is printed) and .json (every figure, the step
times, the machine). Clips are cached under WORK/clips/ by the inputs' content, so reruns skip building.
Environment: BACKDROP_SHARED (the shared folder, default ../shared beside the checkout); a backdrop
outside the tree gets BACKDROP_MEDIAPIPE_LIB and BACKDROP_MODELS_DIR from this checkout's .venv and
models/ unless they are set."""

EXAMPLES = """\
examples:
  scripts/quality-bench.sh --config 'default='
  scripts/quality-bench.sh --config 'today@/work/baseline/backdrop=' --config 'main=' --picture /tmp/quality-edge.png
  scripts/quality-bench.sh --config 'default=' --config 'no-smoothing=--no-smoothing' --halo-target a=2.3
  scripts/quality-bench.sh --person me.png --background office.jpg --background beach.jpg --config 'x=--feather 0'"""


def arguments():
    parser = argparse.ArgumentParser(prog="scripts/quality-bench.sh", description=HELP, epilog=EXAMPLES,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--person", action="append", metavar="PNG",
                        help="an RGBA person cut-out; repeatable (default: every person-*.png in %(kit)s)"
                        % {"kit": SHARED_QUALITY})
    parser.add_argument("--background", action="append", metavar="IMG",
                        help="a background photo; repeatable (default: every background-*.jpg there). "
                        "One clip per (person, background): a, b, c, ... in that order")
    parser.add_argument("--config", action="append", metavar="LABEL[@BINARY]=ARGS",
                        help="a Backdrop configuration: ARGS are extra `backdrop run` arguments (may be empty); "
                        "@BINARY runs that backdrop (its backdrop-bench beside it) instead of --backdrop. "
                        "Repeatable; the targets judge the last. Default: 'backdrop='")
    parser.add_argument("--backdrop", metavar="PATH", help="the backdrop binary for configs without @BINARY "
                        "(default: .build/release/backdrop, built when missing or older than Sources/)")
    parser.add_argument("--halo-target", action="append", metavar="CLIP=GREY", default=[],
                        help="a halo ring target for clip CLIP (e.g. a=2.3); repeatable")
    parser.add_argument("--picture", metavar="PNG", help="write the edge picture: the same 200x200 crop "
                        "(where the true alpha is softest, still middle frame) of each source's blurred "
                        "output, 2x, a row per clip")
    parser.add_argument("--check-against-kit", action="store_true",
                        help="also run the kit's make_clip.py, score_masks.py and score_halo.py on the same "
                        "clips and outputs and compare their figures with this benchmark's")
    parser.add_argument("--kit", metavar="DIR", default=SHARED_QUALITY, help="the kit's folder (default: %(default)s)")
    parser.add_argument("--work", metavar="DIR", default=os.path.join(ROOT, ".cache", "quality"),
                        help="clip cache and run outputs (default: %(default)s)")
    parser.add_argument("--results", metavar="DIR", default=os.path.join(ROOT, "bench", "results"),
                        help="where the .md and .json go (default: %(default)s)")
    parser.add_argument("--keep-outputs", action="store_true", help="keep each run's out/mask/plate videos "
                        "under WORK/runs/ (deleted by default: about 1 GB a clip)")
    return parser.parse_args()


def say(*parts):
    print("[quality]", *parts, file=sys.stderr, flush=True)


def inputs(given, pattern, what):
    paths = given or sorted(glob.glob(os.path.join(SHARED_QUALITY, pattern)))
    if not paths:
        sys.exit(f"quality-bench: no {what}: none given (--{what}) and no {pattern} in {SHARED_QUALITY} "
                 "(set BACKDROP_SHARED or pass --person/--background)")
    for path in paths:
        if not os.path.isfile(path):
            sys.exit(f"quality-bench: --{what} {path}: no such file")
    return [os.path.abspath(path) for path in paths]


def halo_targets(specs, names):
    targets = {}
    for spec in specs:
        name, _, value = spec.partition("=")
        if name not in names:
            sys.exit(f"quality-bench: --halo-target {spec}: no clip {name!r} (clips: {', '.join(names)})")
        try:
            targets[name] = float(value)
        except ValueError:
            sys.exit(f"quality-bench: --halo-target {spec}: expected CLIP=GREY, e.g. a=2.3")
    return targets


def score_raw(clip, truth, corner, models):
    """Raw MediaPipe's mask figures, and the halo of a plain Gaussian composite with its mask."""
    masks = MaskScores(clip.height, clip.width, clips.STILL_FRAMES)
    halo = HaloScores()
    sigma = raw_mediapipe.gaussian_sigma()
    segmenter = raw_mediapipe.Segmenter(models)
    panels = {}
    count = 0
    for index, (frame, plate) in enumerate(zip(frames(clip.source, clip.width, clip.height),
                                               frames(clip.plate, clip.width, clip.height))):
        mask = segmenter.mask(frame, index)
        alpha = truth[index].astype(np.float32) / 255
        masks.add(mask, alpha)
        output = raw_mediapipe.composite(frame, raw_mediapipe.blurred(frame, sigma), mask)
        plate_output = raw_mediapipe.blurred(plate, sigma)
        halo.add(output, plate_output, frame, truth[index])
        if index == clips.MIDDLE_STILL_FRAME:
            panels[report.RAW] = edge_picture.crop(output, corner)
            panels["ideal (exact alpha)"] = edge_picture.crop(raw_mediapipe.composite(frame, plate_output, alpha), corner)
        count += 1
    segmenter.close()
    if count != clip.frames:
        raise RuntimeError(f"{clip.source}: {count} frames, expected {clip.frames}")
    return {**masks.result(), **halo.result()}, panels


def score_outputs(clip, truth, mask_video, output, plate_output):
    masks = MaskScores(clip.height, clip.width, clips.STILL_FRAMES)
    count = 0
    for index, mask in enumerate(frames(mask_video, clip.width, clip.height, "gray", limit=clip.frames)):
        masks.add(mask.astype(np.float32) / 255, truth[index].astype(np.float32) / 255)
        count += 1
    if count != clip.frames:
        raise RuntimeError(f"{mask_video} has {count} frames, need {clip.frames}")
    halo = HaloScores()
    videos = [frames(path, clip.width, clip.height, limit=clip.frames) for path in (output, plate_output, clip.source)]
    for index, (out, plate_out, source) in enumerate(zip(*videos)):
        halo.add(out, plate_out, source, truth[index])
    return {**masks.result(), **halo.result()}


def main():
    options = arguments()
    started = time.monotonic()
    persons = inputs(options.person, "person-*.png", "person")
    backgrounds = inputs(options.background, "background-*.jpg", "background")
    default_binary = os.path.abspath(options.backdrop) if options.backdrop else backdrop_runs.RELEASE_BACKDROP
    try:
        configs = [backdrop_runs.parse_config(spec, default_binary) for spec in (options.config or ["backdrop="])]
    except ValueError as error:
        sys.exit(f"quality-bench: {error}")
    labels = [config.label for config in configs]
    if len(set(labels)) != len(labels) or report.RAW in labels:
        sys.exit(f"quality-bench: config labels must be distinct and not {report.RAW!r}: {labels}")
    if any(config.binary == backdrop_runs.RELEASE_BACKDROP for config in configs):
        backdrop_runs.ensure_release_build(say)
    for config in configs:
        if not os.access(config.binary, os.X_OK):
            sys.exit(f"quality-bench: config {config.label}: no backdrop binary at {config.binary}")
    models = backdrop_runs.environment()["BACKDROP_MODELS_DIR"]
    os.makedirs(options.work, exist_ok=True)
    pairs = [(person, background) for person in persons for background in backgrounds]
    try:
        built = [clips.build(name, person, background, options.work, say)
                 for name, (person, background) in zip(clips.clip_names(len(pairs)), pairs)]
    except clips.ClipError as error:
        sys.exit(f"quality-bench: {error}")
    targets_by_clip = halo_targets(options.halo_target, [clip.name for clip in built])
    kit = KitCheck(options.kit, models, say) if options.check_against_kit else None

    stamp = datetime.datetime.now(datetime.timezone.utc).strftime("%Y%m%d-%H%M%S")
    for config in configs:
        say(f"cost: backdrop-bench effects-speed for {config.label}")
        backdrop_runs.measure_cost(config)

    rows, picture_rows, checks, timings = [], [], [], {}
    run_folder = os.path.join(options.work, "runs", stamp)
    for clip in built:
        truth = clip.truth()
        if kit:
            kit.construction(clip, options.work)
        corner = edge_picture.softest_window(np.asarray(truth[clips.MIDDLE_STILL_FRAME]))
        say(f"clip {clip.describe()}: {report.RAW}")
        step = time.monotonic()
        raw, raw_panels = score_raw(clip, truth, corner, models)
        timings[f"{clip.name}/{report.RAW}"] = time.monotonic() - step
        rows.append({"clip": clip.name, "source": report.RAW, **raw, "marks": {"halo_ring": RAW_HALO_NOTE,
                                                                                "person": RAW_HALO_NOTE}})
        if kit:
            kit.masks(clip, report.RAW, raw)
        panels = [(report.RAW, raw_panels[report.RAW])]
        clip_rows = []
        for config in configs:
            say(f"clip {clip.name}: {config.label} ({config.binary} {' '.join(config.arguments)})")
            folder = os.path.join(run_folder, clip.name, config.label)
            os.makedirs(folder, exist_ok=True)
            output, mask, plate_output = (os.path.join(folder, name) for name in ("out.mkv", "mask.mkv", "plate-out.mkv"))
            step = time.monotonic()
            run_seconds = backdrop_runs.run_effect(config, clip.source, output, mask)
            backdrop_runs.run_effect(config, clip.plate, plate_output)
            figures = score_outputs(clip, truth, mask, output, plate_output)
            timings[f"{clip.name}/{config.label}"] = time.monotonic() - step
            row = {"clip": clip.name, "source": config.label, **figures, "cost_ms": config.cost_ms,
                   "run_seconds": run_seconds, "marks": {"cost_ms": COST_NOTE} if config.cost_note else {}}
            rows.append(row)
            clip_rows.append(row)
            panels.append((config.label, edge_picture.crop(frame_at(output, clip.width, clip.height,
                                                                   clips.MIDDLE_STILL_FRAME), corner)))
            if kit:
                kit.masks(clip, config.label, figures, mask)
                kit.halo(clip, config.label, figures, output, plate_output)
        panels.append(("ideal (exact alpha)", raw_panels["ideal (exact alpha)"]))
        picture_rows.append((clip.name, panels))
        checks += report.targets(clip.name, raw, clip_rows[-1], clip_rows[0] if len(clip_rows) > 1 else None,
                                 targets_by_clip.get(clip.name))
        if not options.keep_outputs:
            shutil.rmtree(os.path.join(run_folder, clip.name), ignore_errors=True)
    if not options.keep_outputs:
        shutil.rmtree(run_folder, ignore_errors=True)

    notes = [(RAW_HALO_NOTE, f"{report.RAW}'s halo: a Python composite (Gaussian sigma "
              f"{raw_mediapipe.gaussian_sigma():.2f} px, the reach of Backdrop's default blur, weighted by the raw "
              "confidence) against the same Gaussian on the plate.")]
    for config in configs:
        if config.cost_note:
            notes.append((COST_NOTE, f"{config.label}: {config.cost_note}."))
    wall = time.monotonic() - started
    clip_lines = "\n".join(f"- clip {clip.describe()}" for clip in built)
    config_lines = "\n".join(f"- `{config.label}`: `{config.binary}` {' '.join(config.arguments) or '(no extra arguments)'}"
                             for config in configs)
    document = [f"# Quality benchmark {stamp} UTC", "", clip_lines, "", config_lines, "",
                report.table(rows, notes), "", report.target_lines(checks, configs[-1].label)]
    if kit:
        document += ["", "Check against the kit's scripts:", "", kit.table()]
    document += ["", f"Wall time of the whole run: {wall:.0f} s."]
    text = "\n".join(document)
    print(text, flush=True)

    os.makedirs(options.results, exist_ok=True)
    base = os.path.join(options.results, f"quality-{stamp}")
    with open(base + ".md", "w") as file:
        file.write(text + "\n")
    from proofkit import machine
    record = {"when_utc": stamp, "machine": machine(), "wall_seconds": wall, "step_seconds": timings,
              "clips": [{"name": clip.name, "person": clip.person, "background": clip.background,
                         "folder": clip.folder} for clip in built],
              "configs": [{"label": config.label, "binary": config.binary, "arguments": config.arguments,
                           "cost_ms": config.cost_ms, "cost_note": config.cost_note} for config in configs],
              "rows": [{key: value for key, value in row.items() if key != "marks"} for row in rows],
              "targets": checks, "kit_check": kit.as_json() if kit else None}
    with open(base + ".json", "w") as file:
        json.dump(record, file, indent=1)
    say(f"wrote {base}.md and {base}.json")
    if options.picture:
        edge_picture.save(options.picture, edge_picture.picture(picture_rows))
        say(f"wrote {options.picture} ({os.path.getsize(options.picture) // 1024} KB)")


if __name__ == "__main__":
    main()
