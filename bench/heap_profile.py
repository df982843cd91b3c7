#!/usr/bin/env python3
"""Where a process's heap goes: runs a command with bench/alloc_count.c preloaded in heap-profile
mode, takes a snapshot of the heap after --at seconds, and prints the bytes in use, with every
live allocation of at least --big bytes grouped by who made it (symbolized with llvm-symbolizer
and swift-demangle).

  bench/heap_profile.py --at 3 -- .build/release/backdrop run --input clip.mp4 --no-output
  bench/heap_profile.py --at 4 -- .venv/bin/python bench/reference_app.py --input clip.mp4 --offline

The snapshot also reports resident memory (VmRSS, RssAnon, RssFile) read from /proc at the same
moment, so heap and non-heap memory (mapped libraries, thread stacks) can be told apart.
Used by scripts/proof-bench.sh for BENCHMARKS.md's memory profile.
"""
import argparse
import collections
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
LIBRARY = os.path.join(ROOT, ".cache", "libbackdrop_alloc_count.so")
# Frames that say nothing about who wanted the memory.
PLUMBING = ("libbackdrop_alloc_count", "libc.so", "libswiftCore.so", "libstdc++", "libc++")
PLUMBING_NAMES = ("operator new", "swift_slowAlloc", "swift_allocObject", "_allocateUninitialized", "allocate",
                  "malloc", "calloc", "realloc", "posix_memalign", "aligned_alloc")


def build_library():
    source = os.path.join(ROOT, "bench", "alloc_count.c")
    if not os.path.exists(LIBRARY) or os.path.getmtime(LIBRARY) < os.path.getmtime(source):
        os.makedirs(os.path.dirname(LIBRARY), exist_ok=True)
        subprocess.run(["cc", "-O2", "-shared", "-fPIC", "-o", LIBRARY, source, "-ldl", "-lpthread"], check=True)
    return LIBRARY


def tool(name):
    return shutil.which(name) or (f"/opt/swift/usr/bin/{name}" if os.path.exists(f"/opt/swift/usr/bin/{name}") else None)


def symbolize(frames):
    """{"module+0xoffset": "function (file:line)"} for each frame."""
    names = {frame: frame.rsplit("/", 1)[-1] for frame in frames}
    symbolizer = tool("llvm-symbolizer")
    if not symbolizer or not frames:
        return names
    ordered = sorted(frames)
    query = "".join(f'"{f.rsplit("+", 1)[0]}" {f.rsplit("+", 1)[1]}\n' for f in ordered)
    out = subprocess.run([symbolizer, "--no-inlines", "--functions=linkage"], input=query, capture_output=True,
                         text=True).stdout
    blocks = [b for b in out.split("\n\n") if b.strip()]
    functions = [b.splitlines()[0] for b in blocks]
    places = [(b.splitlines()[1] if len(b.splitlines()) > 1 else "") for b in blocks]
    demangler = tool("swift-demangle")
    if demangler:
        demangled = subprocess.run([demangler, "--simplified"], input="\n".join(functions) + "\n", capture_output=True,
                                   text=True).stdout.splitlines()
        if len(demangled) == len(functions):
            functions = demangled
    for frame, function, place in zip(ordered, functions, places):
        if function != "??":
            short = "/".join(place.split(":")[0].split("/")[-2:]) if place and not place.startswith("??") else ""
            module = frame.rsplit("+", 1)[0].rsplit("/", 1)[-1]
            names[frame] = f"{function[:110]}  [{short or module}]"
    return names


def proc_memory(pid):
    figures = {}
    try:
        with open(f"/proc/{pid}/status") as status:
            for line in status:
                key = line.split(":")[0]
                if key in ("VmRSS", "VmHWM", "RssAnon", "RssFile", "Threads"):
                    figures[key] = int(line.split()[1]) / (1 if key == "Threads" else 1024)
    except OSError:
        pass
    return figures


def profile(command, at, big, top=15, title=None):
    library = build_library()
    dump = tempfile.NamedTemporaryFile(prefix="heap-", suffix=".txt", delete=False).name
    env = dict(os.environ, LD_PRELOAD=library, BAC_HEAP_OUT=dump, BAC_HEAP_AT=str(at), BAC_HEAP_BIG=str(big))
    process = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    memory = {}

    def sample():  # /proc figures a moment after the dump (the dump itself takes a few ms)
        time.sleep(at + 0.05)
        memory.update(proc_memory(process.pid))

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    process.wait()
    sampler.join()
    lines = open(dump).read().splitlines() if os.path.exists(dump) else []
    os.unlink(dump)
    totals = {}
    groups = collections.defaultdict(lambda: [0, 0])  # stack -> [bytes, count]
    for line in lines:
        parts = line.split()
        if parts[0] != "big":
            totals[parts[0]] = int(parts[1])
            continue
        groups[tuple(parts[2:])][0] += int(parts[1])
        groups[tuple(parts[2:])][1] += 1
    if not totals:
        print(f"{title or command[0]}: no heap snapshot (did the process live {at} s?)")
        return None
    names = symbolize({frame for stack in groups for frame in stack})

    def owner(stack):
        """The first three frames past the allocator plumbing."""
        picked = []
        for frame in stack:
            name = names.get(frame, frame)
            if not picked and (any(p in frame for p in PLUMBING) or any(name.startswith(p) for p in PLUMBING_NAMES)):
                continue
            picked.append(name)
            if len(picked) == 3:
                break
        return picked or [names.get(stack[0], stack[0]) if stack else "?"]

    by_owner = collections.defaultdict(lambda: [0, 0])
    for stack, (size, count) in groups.items():
        key = tuple(owner(stack))
        by_owner[key][0] += size
        by_owner[key][1] += count
    big_total = sum(size for size, _ in by_owner.values())
    mb = 1024 * 1024
    print(f"{title or ' '.join(command)}")
    print(f"  at {at:.1f} s: VmRSS {memory.get('VmRSS', 0):.1f} MB (anonymous {memory.get('RssAnon', 0):.1f}, "
          f"file-backed {memory.get('RssFile', 0):.1f}), threads {memory.get('Threads', 0):.0f}")
    print(f"  malloc heap in use {totals['in_use'] / mb:.1f} MB (peak {totals['peak'] / mb:.1f} MB): "
          f"{big_total / mb:.1f} MB in {sum(c for _, c in by_owner.values())} allocations of >= {big // 1024} KiB, "
          f"{(totals['in_use'] - big_total) / mb:.1f} MB in smaller ones")
    for key, (size, count) in sorted(by_owner.items(), key=lambda item: -item[1][0])[:top]:
        print(f"  {size / mb:7.1f} MB {count:4d}x  {key[0]}")
        for caller in key[1:]:
            print(f"                    <- {caller}")
    sys.stdout.flush()
    return {"memory": memory, "in_use_mb": totals["in_use"] / mb, "big_mb": big_total / mb,
            "owners": [(size / mb, count, list(key)) for key, (size, count) in by_owner.items()]}


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--at", type=float, default=5.0, help="seconds after start to take the snapshot")
    parser.add_argument("--big", type=int, default=256 * 1024, help="allocations of at least this many bytes are itemized")
    parser.add_argument("--top", type=int, default=15)
    parser.add_argument("command", nargs=argparse.REMAINDER)
    args = parser.parse_args()
    command = args.command[1:] if args.command[:1] == ["--"] else args.command
    if not command:
        parser.error("give the command to profile after --")
    profile(command, args.at, args.big, args.top)


if __name__ == "__main__":
    main()
