import ArgumentParser
import BackdropCore
import BackdropMediaPipe
import Foundation
import Synchronization

/// Which frame sizes MediaPipe handles, each size tried in its own child process (a call that
/// corrupts the heap corrupts the process that made it).
struct SizeSweep: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "size-sweep",
        abstract: "Which frame sizes each MediaPipe task handles, one child process per size, task and mode.",
        discussion: """
        The parent runs `size-sweep --one WxH --task T --mode M` once per size, task and mode, with glibc's
        malloc checks on (libc_malloc_debug preloaded, MALLOC_CHECK_=3, MALLOC_PERTURB_), or under
        valgrind with --valgrind, and classifies each child: ok (a result of the image's size), MediaPipe
        error (its message), crash (the signal), hang (no answer within --timeout seconds) or a memory error
        valgrind reported. Images are RGB, as the pipeline passes them; a result counts as ok only when
        every confidence mask has the image's size.
        """,
        shouldDisplay: false)

    @Option(help: "Widths of the grid, e.g. 1-16 or 1,2,4.")
    var widths = "1-16"
    @Option(help: "Heights of the grid, e.g. 1-16.")
    var heights = "1-16"
    @Option(help: "More sizes beyond the grid, comma-separated WxH (default: thin strips up to 64 and a few odd shapes; \"none\" for none).")
    var extra = "default"
    @Option(help: "Tasks: segmenter, face-landmarker (comma-separated).")
    var tasks = "segmenter,face-landmarker"
    @Option(help: "Modes: image, video, live (comma-separated).")
    var modes = "image,video,live"
    @Option(help: "Calls per child (consecutive frames in video and live mode).")
    var frames = 3
    @Option(help: "Seconds before a child counts as hung (killed); default 60, 600 under --valgrind.")
    var timeout: Double?
    @Option(help: "Children run at once.")
    var jobs = 1
    @Flag(help: "Run each child under valgrind (memcheck) instead of glibc's malloc checks; slow, for borderline sizes.")
    var valgrind = false
    @Flag(help: "Print one line per child, not only the grids and the failures.")
    var verbose = false

    // Child mode.
    @Option(help: ArgumentHelp("Child: try one size (WxH) and print one RESULT line.", visibility: .hidden))
    var one: String?
    @Option(help: ArgumentHelp("Child: the task.", visibility: .hidden))
    var task = "segmenter"
    @Option(help: ArgumentHelp("Child: the mode.", visibility: .hidden))
    var mode = "video"

    func run() throws {
        if let one {
            guard let size = Self.parseSize(one) else { throw ValidationError("--one takes WxH; got \(one)") }
            Foundation.exit(SweepChild(width: size.width, height: size.height, task: task, mode: mode, frames: frames).run())
        }
        try runParent()
    }

    static func parseSize(_ text: String) -> (width: Int, height: Int)? {
        let parts = text.lowercased().split(separator: "x").compactMap { Int($0) }
        guard parts.count == 2, parts[0] >= 0, parts[1] >= 0 else { return nil }
        return (parts[0], parts[1])
    }

    static func parseRange(_ text: String) throws -> [Int] {
        var values: [Int] = []
        for part in text.split(separator: ",") {
            let bounds = part.split(separator: "-").compactMap { Int($0) }
            switch bounds.count {
            case 1: values.append(bounds[0])
            case 2 where bounds[0] <= bounds[1]: values += Array(bounds[0]...bounds[1])
            default: throw ValidationError("a range is N, N-M or a comma-separated list of them; got \(text)")
            }
        }
        return values
    }

    static let defaultExtra: [(Int, Int)] = {
        var sizes: [(Int, Int)] = []
        for n in [17, 20, 24, 32, 48, 64] { sizes += [(1, n), (n, 1), (2, n), (n, 2)] }
        sizes += [(17, 3), (3, 17), (17, 4), (4, 17), (64, 3), (3, 64), (31, 5), (5, 31), (17, 17), (32, 32), (33, 7)]
        return sizes
    }()

    // MARK: Parent

    struct Job {
        let width: Int, height: Int, task: String, mode: String
        var key: String { "\(task) \(mode) \(width)x\(height)" }
    }

    enum Outcome: Equatable {
        case ok(String)
        case mediapipeError(String)
        case crash(signal: Int32, detail: String)
        case hang
        case memoryError(String)
        case other(status: Int32, detail: String)

        var symbol: Character {
            switch self {
            case .ok: "."
            case .mediapipeError: "E"
            case .crash: "C"
            case .hang: "H"
            case .memoryError: "V"
            case .other: "X"
            }
        }
        var isOK: Bool { if case .ok = self { true } else { false } }
        var text: String {
            switch self {
            case let .ok(detail): "ok (\(detail))"
            case let .mediapipeError(message): "MediaPipe error: \(message)"
            case let .crash(signal, detail): "crash: signal \(signal) (\(signalName(signal)))\(detail.isEmpty ? "" : ": \(detail)")"
            case .hang: "hang (killed after the timeout)"
            case let .memoryError(detail): "memory error (valgrind): \(detail)"
            case let .other(status, detail): "exit \(status)\(detail.isEmpty ? "" : ": \(detail)")"
            }
        }
    }

    struct Row { let job: Job; let outcome: Outcome }

    private func runParent() throws {
        let widthList = try Self.parseRange(widths), heightList = try Self.parseRange(heights)
        var sizes: [(Int, Int)] = []
        for h in heightList { for w in widthList { sizes.append((w, h)) } }
        let grid = Set(sizes.map { "\($0.0)x\($0.1)" })
        let extras: [(Int, Int)] = switch extra {
        case "default": Self.defaultExtra
        case "none", "": []
        default: try extra.split(separator: ",").map { text in
            guard let size = Self.parseSize(String(text)) else { throw ValidationError("--extra takes WxH,WxH...; got \(text)") }
            return size
        }
        }
        sizes += extras.filter { !grid.contains("\($0.0)x\($0.1)") }
        let taskList = tasks.split(separator: ",").map(String.init)
        let modeList = modes.split(separator: ",").map(String.init)
        for task in taskList where !["segmenter", "face-landmarker"].contains(task) { throw ValidationError("unknown task \(task)") }
        for mode in modeList where !["image", "video", "live"].contains(mode) { throw ValidationError("unknown mode \(mode)") }
        let jobList = taskList.flatMap { task in modeList.flatMap { mode in sizes.map { Job(width: $0.0, height: $0.1, task: task, mode: mode) } } }

        let built = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath().path
        let executable = valgrind ? try Self.copyWithoutDebugInfo(built) : built
        defer { if valgrind { try? FileManager.default.removeItem(atPath: executable) } }
        let limit = timeout ?? (valgrind ? 600 : 60)
        print("size-sweep: \(jobList.count) children (\(taskList.joined(separator: ", ")) x \(modeList.joined(separator: ", ")) x \(sizes.count) sizes), "
              + "\(frames) calls each, \(valgrind ? "under valgrind" : "glibc malloc checks on"), timeout \(Int(limit)) s, \(jobs) at once")
        fflush(nil)
        let started = ContinuousClock.now
        let rows = Mutex<[String: Row]>([:])
        let queue = Mutex(jobList.makeIterator())
        let group = DispatchGroup()
        for _ in 0..<max(1, jobs) {
            group.enter()
            Thread {
                while let job = queue.withLock({ $0.next() }) {
                    let row = runChild(job, executable: executable, timeout: limit)
                    rows.withLock { $0[job.key] = row }
                    if verbose {
                        print("\(job.key.padding(toLength: 30, withPad: " ", startingAt: 0)) \(row.outcome.text)")
                        fflush(nil)
                    }
                }
                group.leave()
            }.start()
        }
        group.wait()
        let elapsed = ContinuousClock.now - started
        let table = rows.withLock { $0 }
        report(table, jobs: jobList, widths: widthList, heights: heightList, extras: sizes.filter { !grid.contains("\($0.0)x\($0.1)") },
               tasks: taskList, modes: modeList)
        print("size-sweep took \(elapsed.components.seconds) s")
    }

    private func report(_ table: [String: Row], jobs: [Job], widths: [Int], heights: [Int], extras: [(Int, Int)],
                        tasks: [String], modes: [String]) {
        print("\nLegend: . ok (a result of the image's size)  E MediaPipe error  C crash (signal)  H hang  "
              + "V valgrind memory error  X other exit")
        for task in tasks {
            for mode in modes {
                print("\n\(task), \(mode.uppercased()) mode: rows are heights, columns widths")
                print("      " + widths.map { String(format: "%3d", $0) }.joined())
                for h in heights {
                    var line = String(format: "%4d  ", h)
                    for w in widths {
                        guard let row = table[Job(width: w, height: h, task: task, mode: mode).key] else { line += "  ?"; continue }
                        line += "  \(row.outcome.symbol)"
                    }
                    print(line)
                }
                if !extras.isEmpty {
                    let cells = extras.map { size -> String in
                        guard let row = table[Job(width: size.0, height: size.1, task: task, mode: mode).key] else { return "\(size.0)x\(size.1) ?" }
                        return "\(size.0)x\(size.1) \(row.outcome.symbol)"
                    }
                    print("  more: " + cells.joined(separator: "  "))
                }
            }
        }
        let failures = jobs.compactMap { table[$0.key] }.filter { !$0.outcome.isOK }
        print("\nEvery size that failed (\(failures.count)):")
        for row in failures {
            print("  \(row.job.key.padding(toLength: 30, withPad: " ", startingAt: 0)) \(row.outcome.text)")
        }
    }

    private func runChild(_ job: Job, executable: String, timeout: Double) -> Row {
        var arguments = ["size-sweep", "--one", "\(job.width)x\(job.height)", "--task", job.task, "--mode", job.mode,
                         "--frames", "\(frames)"]
        var environment = ProcessInfo.processInfo.environment
        environment["SWIFT_BACKTRACE"] = "enable=no"
        let process = Process()
        if valgrind {
            process.executableURL = URL(fileURLWithPath: "/usr/bin/valgrind")
            // Addressability errors only (invalid reads, writes and frees): the Swift runtime and
            // MediaPipe's protobuf code raise uninitialised-value reports that are not bugs here.
            arguments = ["--quiet", "--error-exitcode=99", "--undef-value-errors=no", "--num-callers=12", executable] + arguments
        } else {
            process.executableURL = URL(fileURLWithPath: executable)
            let debugMalloc = "/usr/lib/x86_64-linux-gnu/libc_malloc_debug.so.0"
            if FileManager.default.fileExists(atPath: debugMalloc) { environment["LD_PRELOAD"] = debugMalloc }
            environment["MALLOC_CHECK_"] = "3"
            environment["MALLOC_PERTURB_"] = "165"
            environment["GLIBC_TUNABLES"] = "glibc.malloc.check=3:glibc.malloc.perturb=165"
        }
        process.arguments = arguments
        process.environment = environment
        let directory = FileManager.default.temporaryDirectory
        let outURL = directory.appendingPathComponent("size-sweep-\(getpid())-\(UUID().uuidString).out")
        let errURL = directory.appendingPathComponent("size-sweep-\(getpid())-\(UUID().uuidString).err")
        _ = FileManager.default.createFile(atPath: outURL.path, contents: nil)
        _ = FileManager.default.createFile(atPath: errURL.path, contents: nil)
        defer {
            try? FileManager.default.removeItem(at: outURL)
            try? FileManager.default.removeItem(at: errURL)
        }
        let done = DispatchSemaphore(value: 0)
        process.terminationHandler = { _ in done.signal() }
        do {
            process.standardOutput = try FileHandle(forWritingTo: outURL)
            process.standardError = try FileHandle(forWritingTo: errURL)
            process.standardInput = FileHandle.nullDevice
            try process.run()
        } catch {
            return Row(job: job, outcome: .other(status: -1, detail: "could not start the child: \(error)"))
        }
        if done.wait(timeout: .now() + timeout) == .timedOut {
            kill(process.processIdentifier, SIGKILL)
            done.wait()
            return Row(job: job, outcome: .hang)
        }
        let out = (try? String(contentsOf: outURL, encoding: .utf8)) ?? ""
        let err = (try? String(contentsOf: errURL, encoding: .utf8)) ?? ""
        let result = out.split(separator: "\n").last { $0.hasPrefix("RESULT ") }.map { String($0.dropFirst(7)) } ?? ""
        let status = process.terminationStatus
        if process.terminationReason == .uncaughtSignal {
            return Row(job: job, outcome: .crash(signal: status, detail: Self.diagnostic(err)))
        }
        if valgrind, status == 99 { return Row(job: job, outcome: .memoryError(Self.valgrindSummary(err))) }
        // A child killed by a signal under valgrind exits with it re-raised; other codes are the child's own.
        switch status {
        case 0: return Row(job: job, outcome: .ok(result))
        case 3: return Row(job: job, outcome: .mediapipeError(result.hasPrefix("error ") ? String(result.dropFirst(6)) : result))
        default: return Row(job: job, outcome: .other(status: status, detail: result.isEmpty ? Self.diagnostic(err) : result))
        }
    }

    /// Valgrind 3.19 cannot read the DWARF 5 that Swift emits ("Possibly corrupted debuginfo file"
    /// and it gives up), so children under valgrind run from a copy without debug info.
    static func copyWithoutDebugInfo(_ executable: String) throws -> String {
        let copy = FileManager.default.temporaryDirectory.appendingPathComponent("size-sweep-\(getpid())-nodebug").path
        let strip = Process()
        strip.executableURL = URL(fileURLWithPath: "/usr/bin/objcopy")
        strip.arguments = ["--strip-debug", executable, copy]
        try strip.run()
        strip.waitUntilExit()
        guard strip.terminationStatus == 0 else { throw ValidationError("objcopy --strip-debug \(executable) failed") }
        return copy
    }

    /// The last stderr line that is not one of MediaPipe's absl log lines (glibc's "free(): invalid pointer").
    static func diagnostic(_ stderr: String) -> String {
        let lines = stderr.split(separator: "\n").map(String.init).filter {
            !($0.hasPrefix("W0000") || $0.hasPrefix("I0000") || $0.hasPrefix("E0000") || $0.hasPrefix("INFO:") || $0.hasPrefix("WARNING:"))
                && !$0.trimmingCharacters(in: .whitespaces).isEmpty
        }
        return lines.last.map { String($0.prefix(160)) } ?? ""
    }

    /// Valgrind's first error ("Invalid write of size 4") and the first frame inside libmediapipe.
    static func valgrindSummary(_ stderr: String) -> String {
        let lines = stderr.split(separator: "\n").map { String($0) }
        guard let first = lines.firstIndex(where: { $0.hasPrefix("==") && ($0.contains("Invalid") || $0.contains("uninitialised") || $0.contains("Mismatched")) })
        else { return diagnostic(stderr) }
        let headline = lines[first].drop { $0 != " " }.trimmingCharacters(in: .whitespaces)
        let frame = lines[(first + 1)...].prefix(8).first { $0.contains("libmediapipe") || $0.contains("mediapipe::") }
            .map { $0.drop { $0 != ":" }.dropFirst().trimmingCharacters(in: .whitespaces) } ?? ""
        let count = lines.last { $0.contains("ERROR SUMMARY") }.map { $0.drop { $0 != " " }.trimmingCharacters(in: .whitespaces) } ?? ""
        return "\(headline)\(frame.isEmpty ? "" : " at \(frame.prefix(100))")\(count.isEmpty ? "" : "; \(count)")"
    }
}

func signalName(_ signal: Int32) -> String {
    switch signal {
    case SIGSEGV: "SIGSEGV"
    case SIGABRT: "SIGABRT"
    case SIGBUS: "SIGBUS"
    case SIGILL: "SIGILL"
    case SIGFPE: "SIGFPE"
    case SIGKILL: "SIGKILL"
    case SIGTRAP: "SIGTRAP"
    default: "signal \(signal)"
    }
}

// MARK: Child

/// One size, one task, one mode: `frames` calls, then one RESULT line and
/// exit 0 (ok), 3 (MediaPipe error), 4 (a result of the wrong size), 5 (live mode: no result).
struct SweepChild {
    let width: Int, height: Int, task: String, mode: String, frames: Int

    func run() -> Int32 {
        var image = PixelImage(width: width, height: height, format: .rgb)
        image.pixels.withUnsafeMutableBufferPointer { pixels in
            for index in pixels.indices { pixels[index] = UInt8(truncatingIfNeeded: index &* 37 &+ 11) }
        }
        let runningMode: RunningMode = switch mode { case "image": .image; case "live": .liveStream; default: .video }
        let models = ModelDirectory()
        do {
            let detail = task == "segmenter"
                ? try segment(image, mode: runningMode, models: models)
                : try detectFaces(image, mode: runningMode, models: models)
            return finish(detail.code, detail.text)
        } catch let error as MediaPipeError {
            return finish(3, "error \(error.description.replacingOccurrences(of: "\n", with: " "))")
        } catch {
            return finish(3, "error \(error)")
        }
    }

    private func finish(_ code: Int32, _ text: String) -> Int32 {
        print("RESULT \(text)")
        fflush(nil)
        return code
    }

    private func maskCheck(_ result: SegmentationResult) -> (code: Int32, text: String) {
        guard let mask = result.confidenceMasks.first else { return (4, "no confidence mask") }
        if result.confidenceMasks.contains(where: { $0.width != width || $0.height != height }) {
            return (4, "mask is \(mask.width)x\(mask.height), image \(width)x\(height)")
        }
        return (0, "mask \(mask.width)x\(mask.height)")
    }

    private func segment(_ image: PixelImage, mode: RunningMode, models: ModelDirectory) throws -> (code: Int32, text: String) {
        let options = ImageSegmenterOptions(modelPath: models.segmenterPath, runningMode: mode)
        var last: (code: Int32, text: String) = (0, "")
        switch mode {
        case .image, .video:
            let segmenter = try ImageSegmenter(options: options)
            var result = SegmentationResult()
            for frame in 0..<frames {
                if mode == .image { try segmenter.segment(image, into: &result) }
                else { try segmenter.segment(videoFrame: image, timestampMs: Int64(frame + 1) * 33, into: &result) }
                last = maskCheck(result)
                if last.code != 0 { break }
            }
            try segmenter.close()
        case .liveStream:
            let box = LiveBox<SegmentationResult>()
            let segmenter = try ImageSegmenter(options: options) { box.put($0.result) }
            for frame in 0..<frames {
                try segmenter.segmentAsync(image, timestampMs: Int64(frame + 1) * 33)
                guard let result = box.take() else { last = (5, "no live-stream result within 30 s"); break }
                switch result {
                case let .success(value): last = maskCheck(value)
                case let .failure(error): last = (3, "error \(error.description)")
                }
                if last.code != 0 { break }
            }
            try segmenter.close()
        }
        return last
    }

    private func detectFaces(_ image: PixelImage, mode: RunningMode, models: ModelDirectory) throws -> (code: Int32, text: String) {
        let options = FaceLandmarkerOptions(modelPath: models.faceLandmarkerPath, runningMode: mode)
        var last: (code: Int32, text: String) = (0, "")
        switch mode {
        case .image, .video:
            let landmarker = try FaceLandmarker(options: options)
            var result = FaceLandmarkerResult()
            for frame in 0..<frames {
                if mode == .image { try landmarker.detect(image, into: &result) }
                else { try landmarker.detect(videoFrame: image, timestampMs: Int64(frame + 1) * 33, into: &result) }
                last = (0, "\(result.faces.count) face(s)")
            }
            try landmarker.close()
        case .liveStream:
            let box = LiveBox<FaceLandmarkerResult>()
            let landmarker = try FaceLandmarker(options: options) { box.put($0.result) }
            for frame in 0..<frames {
                try landmarker.detectAsync(image, timestampMs: Int64(frame + 1) * 33)
                guard let result = box.take() else { last = (5, "no live-stream result within 30 s"); break }
                switch result {
                case let .success(value): last = (0, "\(value.faces.count) face(s)")
                case let .failure(error): last = (3, "error \(error.description)")
                }
                if last.code != 0 { break }
            }
            try landmarker.close()
        }
        return last
    }
}

/// Hands one live-stream result from MediaPipe's thread to the child's.
final class LiveBox<Value: Sendable>: Sendable {
    private let value = Mutex<Result<Value, MediaPipeError>?>(nil)
    private let ready = DispatchSemaphore(value: 0)
    func put(_ result: Result<Value, MediaPipeError>) {
        value.withLock { $0 = result }
        ready.signal()
    }
    func take() -> Result<Value, MediaPipeError>? {
        guard ready.wait(timeout: .now() + 30) == .success else { return nil }
        return value.withLock { $0 }
    }
}
