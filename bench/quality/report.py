"""The benchmark's table and the issue's targets, as markdown."""
import math

RAW = "raw MediaPipe"
COLUMNS = [("iou", "IoU", 4), ("boundary_f", "boundary F", 4), ("mae", "MAE x1000", 2),
           ("temporal", "temporal x1000", 3), ("still_flicker", "still flicker x1000", 3),
           ("halo_ring", "halo ring", 2), ("person", "person", 2), ("cost_ms", "cost ms", 2)]


def number(value, decimals):
    return "" if value is None or (isinstance(value, float) and math.isnan(value)) else f"{value:.{decimals}f}"


def table(rows, notes):
    """rows: dicts with clip, source, the figures and an optional 'marks' per figure (footnote signs)."""
    lines = ["| clip | source | " + " | ".join(title for _, title, _ in COLUMNS) + " |",
             "|---|---|" + "---:|" * len(COLUMNS)]
    for row in rows:
        cells = [number(row.get(key), decimals) + row.get("marks", {}).get(key, "") for key, _, decimals in COLUMNS]
        lines.append(f"| {row['clip']} | {row['source']} | " + " | ".join(cells) + " |")
    lines += [""] + [f"{sign} {text}" for sign, text in notes]
    return "\n".join(lines)


def targets(clip, raw, last, first, halo_target):
    """The issue's targets for `last` (the last config's row) against `raw`, same run, one clip."""
    checks = [
        ("boundary F >= raw + 0.02", last["boundary_f"], ">=", raw["boundary_f"] + 0.02,
         f"raw {raw['boundary_f']:.4f} + 0.02", 4),
        ("IoU >= raw", last["iou"], ">=", raw["iou"], "raw", 4),
        ("MAE <= raw", last["mae"], "<=", raw["mae"], "raw", 2),
        ("temporal <= 0.6 x raw", last["temporal"], "<=", 0.6 * raw["temporal"], f"0.6 x {raw['temporal']:.3f}", 3),
        ("still flicker <= 0.25 x raw", last["still_flicker"], "<=", 0.25 * raw["still_flicker"],
         f"0.25 x {raw['still_flicker']:.3f}", 3),
    ]
    if halo_target is not None:
        checks.append(("halo ring <= target", last["halo_ring"], "<=", halo_target, "--halo-target", 2))
    results = []
    for name, value, relation, bound, why, decimals in checks:
        passed = value >= bound if relation == ">=" else value <= bound
        results.append({"clip": clip, "target": name, "value": value, "bound": bound, "passed": passed,
                        "text": f"{value:.{decimals}f}, needs {relation} {bound:.{decimals}f} ({why})"})
    if first is not None:
        difference = last["person"] - first["person"]
        results.append({"clip": clip, "target": f"person within 1 grey level of {first['source']}",
                        "value": last["person"], "bound": first["person"], "passed": abs(difference) <= 1,
                        "text": f"{last['person']:.2f} vs {first['person']:.2f} (difference {difference:+.2f})"})
    return results


def target_lines(checks, last_label):
    lines = [f"Targets, `{last_label}` against {RAW} in this run:", ""]
    for check in checks:
        lines.append(f"- clip {check['clip']}: {'PASS' if check['passed'] else 'MISS'} {check['target']}: {check['text']}")
    passed = sum(1 for check in checks if check["passed"])
    lines += ["", f"{passed} of {len(checks)} targets met."]
    return "\n".join(lines)
