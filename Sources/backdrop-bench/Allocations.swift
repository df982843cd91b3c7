import ArgumentParser
import BackdropCLI
import BackdropCore
import BackdropEffects
import BackdropMedia
import BackdropPipeline
import BackdropTestSupport
import Foundation
import Logging
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

struct Allocations: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Heap allocations per frame of Backdrop's pipeline in steady state, all threads.",
        discussion: """
        Runs the real Pipeline (FFmpegVideoSource on --input, offline, segmenter + face landmarker on
        every frame, --effect, sinks: none or --output) and counts, over --frames frames written
        after a warm-up (--warmup frames, and the first periodic telemetry line), every Swift heap
        allocation made by any thread of the process.

        How: a small C library preloaded into the process (bench/alloc_count.c; this command
        re-executes itself with LD_PRELOAD when needed) interposes the malloc family and, while the
        window is open, attributes each call to the module its caller is in. Swift heap allocations
        are the calls from libswiftCore.so: swift_allocObject (class instances, array/string/
        dictionary buffers, boxes, closure contexts) and UnsafeMutablePointer.allocate both end in
        swift_slowAlloc there. (The runtime's own `_swift_allocObject` hook is not used: on the
        Swift 6.3 Linux runtime, replacing it makes retains fault; see that file.) Each Swift
        allocation also records its thread name and a backtrace (the first --record of them, into
        buffers made before the window), symbolized afterwards with llvm-symbolizer and swift-demangle.
        The other modules' counts (FFmpeg, MediaPipe's C++, Foundation's C parts, libc) are shown
        for context: they are not Swift heap allocations.

        The window is opened and closed by a watcher thread that polls `pipeline.framesOutput` (an
        atomic load) and sleeps with usleep: it allocates nothing itself, and were it to, it would
        be counted and shown. The last line of stdout is one JSON object.
        """)

    @Option(help: "The video file to read (720p clip).")
    var input: String
    @Option(help: "Frames written before counting starts.")
    var warmup = 60
    @Option(help: "Frames in the counted window (the clip must hold --warmup + --frames + a few).")
    var frames = 150
    @Option(help: "none or blur.")
    var effect = "blur"
    @Flag(inversion: .prefixedNo, help: "Face landmarks on every frame.")
    var faces = true
    @Option(help: "Also write frames to this video file (H.264) — the sink's per-frame path too.")
    var output: String?
    @Option(help: "Seconds between telemetry lines (the reporter thread runs inside the window).")
    var statsInterval: Double = 5
    @Option(help: "Backtraces recorded at most.")
    var record = 4096
    @Option(help: "Distinct call stacks shown.")
    var top = 12

    @Option(help: "The counting library (bench/alloc_count.c, built by scripts/proof-bench.sh); preloaded by re-executing this command.")
    var counterLibrary: String?

    func run() throws {
        // The counters live in a small C library that must be preloaded (it interposes malloc);
        // when it is not, this command runs itself again with LD_PRELOAD set.
        guard let counters = AllocationCounters.loaded() else {
            let library = counterLibrary ?? (Checkout.root() ?? URL(fileURLWithPath: "."))
                .appendingPathComponent(".cache/libbackdrop_alloc_count.so").path
            guard FileManager.default.fileExists(atPath: library) else {
                throw ValidationError("""
                    no counting library at \(library): build it with
                      cc -O2 -shared -fPIC -o .cache/libbackdrop_alloc_count.so bench/alloc_count.c
                    (scripts/proof-bench.sh does), or pass --counter-library
                    """)
            }
            guard ProcessInfo.processInfo.environment["BACKDROP_ALLOC_REEXEC"] == nil else {
                throw ValidationError("LD_PRELOAD=\(library) did not load the counters")
            }
            setenv("LD_PRELOAD", library, 1)
            setenv("BACKDROP_ALLOC_REEXEC", "1", 1)
            let arguments = CommandLine.arguments.map { strdup($0) } + [nil]
            let executable = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? "/proc/self/exe"
            execv(executable, arguments)
            throw ValidationError("could not re-execute with LD_PRELOAD: \(String(cString: strerror(errno)))")
        }

        BackdropLogging.bootstrap(format: .plain)
        let chosen: Effect
        switch effect {
        case "none": chosen = .none
        case "blur": chosen = .default
        default: throw ValidationError("--effect takes none or blur")
        }
        let source = try FFmpegVideoSource(url: input)
        let sinks: [VideoSink] = try output.map { path throws(MediaError) in
            [try VideoFileSink(path: path, width: source.width, height: source.height, frameRate: source.frameRate ?? 30)]
        } ?? []
        let configuration = PipelineConfiguration(mode: .offline, settings: PipelineSettings(effect: chosen, faces: faces),
                                                  statsInterval: .seconds(statsInterval))
        let lines = Atomic<Int>(0)  // telemetry lines logged while counting
        let snapshots = Atomic<Int>(0)  // all of them
        let pipeline = try Pipeline(source: source, sinks: sinks, configuration: configuration, logger: Logger(label: "backdrop"), onSnapshot: { _ in
            snapshots.add(1, ordering: .relaxed)
            if counters.isCounting() != 0 { lines.add(1, ordering: .relaxed) }
        })

        guard counters.install(Int32(record)) == 0 else {
            throw ValidationError("libswiftCore.so is not loaded as a shared library; cannot tell Swift's allocations apart")
        }
        let window = Window()
        let (warmup, frames) = (self.warmup, self.frames)
        let watcher = Thread {
            // Nothing in this loop allocates: atomic loads, C calls, usleep.
            // Steady state: after --warmup frames and after the first periodic telemetry line (its
            // first formatting instantiates generic metadata once; later lines do not).
            while (pipeline.framesOutput < warmup || snapshots.load(ordering: .relaxed) == 0) && !pipeline.isFinished {
                usleep(200)
            }
            window.startFrames = pipeline.framesOutput
            window.startMalloc = counters.mallocCalls()
            counters.setCounting(1)
            while pipeline.framesOutput < window.startFrames + frames && !pipeline.isFinished { usleep(200) }
            counters.setCounting(0)
            window.endMalloc = counters.mallocCalls()
            window.endFrames = pipeline.framesOutput
            window.done.store(true, ordering: .sequentiallyConsistent)
            pipeline.stop()
        }
        watcher.start()
        try pipeline.runBlocking()
        while !window.done.load(ordering: .sequentiallyConsistent) { usleep(1000) }

        let counted = window.endFrames - window.startFrames
        guard counted > 0, window.startFrames >= warmup else {
            throw ValidationError("the clip ended before the window: it needs more than --warmup + --frames frames "
                                  + "(and the window starts after the first telemetry line, --stats-interval seconds in)")
        }
        let swift = Int(counters.swiftAllocations())
        let mallocs = Int(window.endMalloc - window.startMalloc)
        var byModule: [(String, Int)] = []
        for index in 0...counters.moduleCount() {
            var path: UnsafePointer<CChar>? = nil
            let calls = Int(counters.module(index, &path))
            if calls > 0, let path { byModule.append(((String(cString: path) as NSString).lastPathComponent, calls)) }
        }
        byModule.sort { $0.1 > $1.1 }
        print("window: frames \(window.startFrames + 1)-\(window.endFrames) written (\(counted) frames), effect \(effect), "
              + "faces \(faces ? "on" : "off"), sinks \(output == nil ? "none" : "video file"), telemetry line every \(statsInterval) s")
        print(String(format: "Swift heap allocations: %d in the window, %.3f per frame (all threads)", swift,
                     Double(swift) / Double(counted)))
        print(String(format: "malloc-family calls, whole process (Swift + FFmpeg + MediaPipe C++): %d, %.1f per frame", mallocs,
                     Double(mallocs) / Double(counted)))
        for (module, calls) in byModule {
            print("    " + module.padding(toLength: 36, withPad: " ", startingAt: 0)
                  + String(format: " %8d  %8.2f per frame", calls, Double(calls) / Double(counted)))
        }
        let telemetryLines = lines.load(ordering: .relaxed)
        var attribution = Attribution()
        if swift > 0 {
            attribution = Self.report(counters, allocations: swift, top: top)
            print(String(format: "per-frame path: %d (%.3f per frame); telemetry reporter: %d over %d periodic line(s)",
                         attribution.perFrame, Double(attribution.perFrame) / Double(counted), attribution.reporter, telemetryLines)
                  + (attribution.recorded < swift ? " (of the \(attribution.recorded) recorded)" : ""))
        } else {
            print("per-frame path: 0; telemetry reporter: 0 over \(telemetryLines) periodic line(s)")
        }
        print("{\"frames\": \(counted), \"swift_allocations\": \(swift), \"recorded\": \(attribution.recorded), "
              + "\"per_frame_path\": \(attribution.perFrame), \"telemetry_reporter\": \(attribution.reporter), "
              + "\"telemetry_lines\": \(telemetryLines), \"stats_interval\": \(statsInterval), "
              + "\"swift_allocations_per_frame\": \(Double(swift) / Double(counted)), "
              + "\"malloc_calls\": \(mallocs), \"malloc_calls_per_frame\": \(Double(mallocs) / Double(counted)), "
              + "\"by_module\": {" + byModule.map { "\"\($0.0)\": \($0.1)" }.joined(separator: ", ") + "}, "
              + "\"effect\": \"\(effect)\", \"faces\": \(faces)}")
    }

    /// What the recorded backtraces say: how many came from the telemetry reporter's periodic line
    /// (any frame in TelemetryReporter.run) and how many from the per-frame path, and the most
    /// frequent call stacks, symbolized.
    struct Attribution {
        var recorded = 0
        var reporter = 0
        var perFrame = 0
    }

    static func report(_ counters: AllocationCounters, allocations: Int, top: Int) -> Attribution {
        var attribution = Attribution()
        attribution.recorded = min(Int(counters.capacity()), allocations)
        guard attribution.recorded > 0 else {
            print("no backtraces recorded (--record 0)")
            return attribution
        }
        var groups: [[UInt]: Int] = [:]
        for index in 0..<attribution.recorded {
            var frames: UnsafeMutablePointer<UnsafeMutableRawPointer?>? = nil
            var thread: UnsafePointer<CChar>? = nil
            let size = Int(counters.record(Int32(index), &frames, &thread))
            guard let frames else { continue }
            // The first frames are the counting library's own.
            let addresses = (0..<size).map { UInt(bitPattern: frames[$0]) }
                .drop { Symbolizer.module(of: $0)?.contains("libbackdrop_alloc_count") ?? false }.map { $0 }
            groups[addresses, default: 0] += 1
        }
        let symbols = Symbolizer.symbolize(Set(groups.keys.flatMap { $0 }))
        func isReporter(_ stack: [UInt]) -> Bool { stack.contains { symbols[$0]?.contains("TelemetryReporter.run") ?? false } }
        for (stack, count) in groups {
            if isReporter(stack) { attribution.reporter += count } else { attribution.perFrame += count }
        }
        let sorted = groups.sorted { ($0.value, $1.key.count) > ($1.value, $0.key.count) }
        print("where they come from (\(attribution.recorded) backtraces recorded, \(groups.count) distinct stacks; top \(min(top, groups.count))):")
        for (stack, count) in sorted.prefix(top) {
            print(String(format: "  %5d allocations (%.1f%%)", count, 100 * Double(count) / Double(attribution.recorded))
                  + (isReporter(stack) ? ", telemetry reporter:" : ", per-frame path:"))
            // Runtime internals (allocation, metadata caches) say little about who allocated; the
            // first 12 frames above them do.
            var shown = 0, skipped = 0
            for address in stack {
                let name = symbols[address] ?? String(format: "0x%lx", address)
                let runtime = name.hasPrefix("swift_") || name.hasPrefix("_swift_") || name.hasPrefix("__swift_")
                    || name.contains("swift::") || name.hasPrefix("std::") || name.hasPrefix("void swift::")
                if runtime && shown == 0 {
                    skipped += 1
                    continue
                }
                if skipped > 0 && shown == 0 { print("      (\(skipped) Swift runtime frames: allocation, metadata instantiation)") }
                print("      " + (name.count > 160 ? String(name.prefix(157)) + "..." : name))
                shown += 1
                if shown == 12 { break }
            }
            if shown == 0 {
                // Nothing but runtime frames (the unwinder stopped inside the runtime): show them.
                print("      (only Swift runtime frames; the unwinder stopped there)")
                for address in stack.suffix(4) {
                    let name = symbols[address] ?? String(format: "0x%lx", address)
                    print("      " + (name.count > 160 ? String(name.prefix(157)) + "..." : name))
                }
            }
        }
        return attribution
    }
}

/// Set by the watcher thread, read after it has finished.
private final class Window: @unchecked Sendable {
    var startFrames = 0
    var endFrames = 0
    var startMalloc: UInt64 = 0
    var endMalloc: UInt64 = 0
    let done = Atomic<Bool>(false)
}

/// Return addresses to "function (file:line)" with llvm-symbolizer and swift-demangle (found on PATH
/// or in /opt/swift/usr/bin); raw module+offset when they are missing.
enum Symbolizer {
    /// glibc's Dl_info and dladdr (GNU extensions the Glibc module leaves out).
    struct DlInfo {
        var dli_fname: UnsafePointer<CChar>? = nil
        var dli_fbase: UnsafeMutableRawPointer? = nil
        var dli_sname: UnsafePointer<CChar>? = nil
        var dli_saddr: UnsafeMutableRawPointer? = nil
    }
    typealias DlAddr = @convention(c) (UnsafeRawPointer?, UnsafeMutableRawPointer) -> Int32
    static var dladdr: DlAddr? {
        dlsym(dlopen(nil, RTLD_NOW), "dladdr").map { unsafeBitCast($0, to: DlAddr.self) }
    }

    /// The path of the module holding `address`.
    static func module(of address: UInt) -> String? {
        var info = DlInfo()
        guard let dladdr, withUnsafeMutableBytes(of: &info, { dladdr(UnsafeRawPointer(bitPattern: address), $0.baseAddress!) }) != 0,
              let file = info.dli_fname else { return nil }
        return String(cString: file)
    }

    static func symbolize(_ addresses: Set<UInt>) -> [UInt: String] {
        var lines: [(UInt, String, UInt)] = []  // address, module, offset
        for address in addresses {
            var info = DlInfo()
            guard let dladdr, withUnsafeMutableBytes(of: &info, { dladdr(UnsafeRawPointer(bitPattern: address), $0.baseAddress!) }) != 0,
                  let file = info.dli_fname else { continue }
            let base = UInt(bitPattern: info.dli_fbase)
            // A return address points after the call: step back one byte to name the call's line.
            lines.append((address, String(cString: file), address - base - 1))
        }
        var result: [UInt: String] = [:]
        for (address, module, offset) in lines { result[address] = "\((module as NSString).lastPathComponent)+0x\(String(offset, radix: 16))" }
        guard let symbolizer = tool("llvm-symbolizer") else { return result }
        let input = lines.map { "\"\($0.1)\" 0x\(String($0.2, radix: 16))" }.joined(separator: "\n") + "\n"
        guard let output = run(symbolizer, ["--no-inlines", "--functions=linkage"], input: input) else { return result }
        // Output: per input line, "function\nfile:line:column\n\n".
        let blocks = output.components(separatedBy: "\n\n").filter { !$0.isEmpty }
        var names = blocks.map { block -> (String, String) in
            let parts = block.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
            return (parts.first ?? "??", parts.count > 1 ? parts[1] : "")
        }
        if let demangler = tool("swift-demangle"),
           let demangled = run(demangler, ["--simplified"], input: names.map(\.0).joined(separator: "\n") + "\n") {
            let simple = demangled.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
            for index in names.indices where index < simple.count { names[index].0 = simple[index] }
        }
        for (index, line) in lines.enumerated() where index < names.count {
            let (function, place) = names[index]
            let short = place.split(separator: "/").suffix(2).joined(separator: "/")
            result[line.0] = function == "??" ? result[line.0]! : "\(function)  (\(short.isEmpty ? (line.1 as NSString).lastPathComponent : short))"
        }
        return result
    }

    private static func tool(_ name: String) -> String? {
        let path = ProcessInfo.processInfo.environment["PATH", default: ""].split(separator: ":").map(String.init) + ["/opt/swift/usr/bin"]
        return path.map { "\($0)/\(name)" }.first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    private static func run(_ executable: String, _ arguments: [String], input: String) -> String? {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        let stdin = Pipe(), stdout = Pipe()
        process.standardInput = stdin
        process.standardOutput = stdout
        process.standardError = FileHandle.nullDevice
        do { try process.run() } catch { return nil }
        // Write on another thread so a large answer cannot dead-lock against a full input pipe.
        let data = Data(input.utf8)
        Thread.detachNewThread {
            stdin.fileHandleForWriting.write(data)
            try? stdin.fileHandleForWriting.close()
        }
        let output = stdout.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return String(decoding: output, as: UTF8.self)
    }
}
