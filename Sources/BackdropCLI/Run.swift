import ArgumentParser
import BackdropCore
import BackdropEffects
import BackdropMedia
import BackdropMediaPipe
import BackdropPipeline
import Foundation
import Logging

struct Run: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "The main job: segment every frame of a video, apply an effect, write the result.",
        discussion: """
        With no --input, runs on a synthetic scene (a person sliding over a moving background) and
        writes out/demo.mp4, so it works on any machine. Files are processed offline (every frame,
        as fast as possible); cameras (/dev/videoN) and network streams live (never waiting on the
        source: a stage that falls behind drops the older frame and counts it).

        Every --stats-interval seconds a line reports input, processed and output FPS, p50/p95/p99
        capture-to-output latency, drops by reason, RSS and its slope, pool use. Ctrl-C stops
        cleanly: frames in flight are finished and every output is finalized (a second Ctrl-C quits at once).

        Examples:
          backdrop run
          backdrop run --input talk.mp4 --output talk-blurred.mp4 --effect blur --blur-strength 20
          backdrop run --input /dev/video0 --output /dev/video10 --effect replace --background beach.jpg
          backdrop run --input talk.mp4 --output keyed.mkv --effect green-screen --mask-output mask.mkv
          backdrop run --input rtsp://camera/stream --output udp://127.0.0.1:5000 --log-format json
        """)

    enum EffectName: String, ExpressibleByArgument, CaseIterable {
        case none, blur, replace, color, greenScreen = "green-screen", mask, landmarks, mesh
    }
    enum ModeName: String, ExpressibleByArgument, CaseIterable { case auto, offline, live }
    enum LogFormat: String, ExpressibleByArgument, CaseIterable { case plain, json }

    @Option(name: .shortAndLong, help: "A video file, image sequence (frames/%04d.png), URL or /dev/videoN (default: the synthetic scene).")
    var input: String?
    @Option(name: .shortAndLong, help: "Where frames go; repeat for several: a file (.mp4, .mkv), udp:// rtp:// srt:// rtmp://, /dev/videoN, - (raw frames to stdout), or snap-%04d.png.")
    var output: [String] = []
    @Option(help: "The effect: \(EffectName.allCases.map(\.rawValue).joined(separator: ", ")).")
    var effect: EffectName = .blur
    @Option(help: "Blur reach in pixels (--effect blur).")
    var blurStrength = 16
    @Option(help: "Background image for --effect replace (PNG or JPEG, scaled to fill).")
    var background: String?
    @Option(help: "Background colour for --effect color, as RRGGBB.")
    var color = "1E90FF"
    @Option(help: "Also write the person mask as a video (gray .mkv/.mp4; with --mask-alpha, the frame with the mask as alpha).")
    var maskOutput: String?
    @Flag(help: "Write --mask-output as RGBA (frame + mask as alpha, FFV1 in .mkv).")
    var maskAlpha = false
    @Option(help: "offline (every frame), live (newest frame only) or auto (live for cameras and streams).")
    var mode: ModeName = .auto
    @Option(help: "Process at most this many frames per second.")
    var maxFPS: Double = 60
    @Option(help: "Run inference at WxH (e.g. 640x360); the mask comes back to full size with edge-aware refinement.")
    var processSize: String?
    @Flag(inversion: .prefixedNo, help: "Find face landmarks.")
    var faces = true
    @Flag(help: "Also compute MediaPipe's category mask (~4x the cost at 720p).")
    var categoryMask = false
    @Flag(inversion: .prefixedNo, help: "Smooth the mask over time (stops edge flicker).")
    var smoothing = true
    @Option(help: "Feather the mask edge by this many pixels.")
    var feather = 2
    @Flag(help: "Read a file at its own frame rate, like a camera.")
    var realtime = false
    @Option(help: "Play a file input this many times in a row, timestamps continuing (0: forever; for soak runs).")
    var loop = 1
    @Flag(help: "Process every frame but write nothing (no --output; for benchmarks).")
    var noOutput = false
    @Option(help: "Frames of the synthetic scene when there is no --input.")
    var syntheticFrames = 150
    @Option(help: "Camera capture size WxH, for /dev/videoN inputs.")
    var cameraSize: String?
    @Flag(help: "Lossless (FFV1) video files instead of H.264.")
    var lossless = false
    @Option(help: "Replace a MediaPipe task instance after this much RSS growth, in MB (0: never).")
    var memoryBudget = 256
    @Option(help: "Replace a MediaPipe task instance after this many frames (0: never).")
    var swapEvery = 0
    @Option(help: "Offline mode: frames each hand-off between stages may hold (live mode: 1). More smooths uneven stages; each frame in flight costs ~6 MB at 720p.")
    var queueDepth = PipelineConfiguration.defaultHandoffCapacity
    @Option(help: "Seconds between telemetry lines.")
    var statsInterval: Double = 5
    @Option(help: "plain or json log lines (stderr).")
    var logFormat: LogFormat = .plain
    @Option(help: "Folder holding the models (default: $BACKDROP_MODELS_DIR, else the checkout's models/).")
    var models: String?

    func run() throws {
        BackdropLogging.bootstrap(format: logFormat == .json ? .json : .plain)
        let logger = Logger(label: "backdrop")
        let processSize = try processSize.map { try Self.size($0, option: "--process-size") }
        let cameraSize = try cameraSize.map { try Self.size($0, option: "--camera-size") }
        let effect = try chosenEffect()  // before any output is opened: a bad option leaves nothing behind

        if noOutput && (!output.isEmpty || maskOutput != nil) {
            throw ValidationError("--no-output writes nothing: drop --output and --mask-output, or --no-output")
        }
        guard queueDepth >= 1 else { throw ValidationError("--queue-depth takes 1 or more; got \(queueDepth)") }
        guard loop >= 0 else { throw ValidationError("--loop takes a count of 0 or more (0: forever); got \(loop)") }
        var opened = try Inputs.open(input, realTime: realtime, synthetic: syntheticFrames, size: nil,
                                     camera: CameraRequest(width: cameraSize?.width, height: cameraSize?.height))
        if loop != 1 {
            guard let input, let file = opened.source as? FFmpegVideoSource, !file.isLive else {
                throw ValidationError("--loop needs a file --input (not a camera, stream or the synthetic scene)")
            }
            opened.source.close()
            var options = SourceOptions()
            options.pacing = realtime ? .realTime : .asFastAsPossible
            let looping = try LoopingSource(url: input, options: options, passes: loop)
            opened = Inputs.Opened(source: looping, live: opened.live, estimatedFrames: looping.estimatedFrameCount)
        }
        let outputs = noOutput ? []
            : output.isEmpty ? [input == nil ? "out/demo.mp4" : "out/\(Self.stem(of: input!))-backdrop.mp4"] : output
        opened = Inputs.gateCamera(opened, input: input, outputs: outputs,
                                   camera: CameraRequest(width: cameraSize?.width, height: cameraSize?.height),
                                   warn: { logger.warning("\($0)") })
        let source = opened.source
        let live = mode == .auto ? opened.live : mode == .live
        for path in outputs where !path.contains("://") && path != "-" && !path.hasPrefix("/dev/") {
            try? FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent.isEmpty ? "."
                                                        : (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        }
        let frameRate = source.frameRate ?? 30
        let sinks = try outputs.map { path throws(MediaError) in
            try Outputs.open(path, width: source.width, height: source.height, frameRate: frameRate,
                             audio: source.audioTrack, lossless: lossless)
        }
        let maskSink = try maskOutput.map { path throws(MediaError) in
            try MaskVideoSink(path: path, width: source.width, height: source.height, frameRate: frameRate,
                              layout: maskAlpha ? .frameWithAlpha : .gray)
        }

        var configuration = PipelineConfiguration(
            mode: live ? .live : .offline, maxFPS: maxFPS, processSize: processSize, models: ModelDirectory(explicit: models),
            faces: faces || self.effect == .landmarks || self.effect == .mesh, categoryMask: categoryMask,
            effect: effect, smoothing: smoothing, featherRadius: feather,
            statsInterval: statsInterval, handoffCapacity: queueDepth)
        configuration.memoryGuard = MemoryGuardPolicy(growthBudgetBytes: memoryBudget > 0 ? memoryBudget * 1_048_576 : nil,
                                                      maxFramesPerInstance: swapEvery > 0 ? swapEvery : nil)
        let pipeline = try Pipeline(source: source, sinks: sinks, maskSink: maskSink, configuration: configuration, logger: logger)

        StopSignal.shared.install()
        let progress = Progress(total: opened.estimatedFrames, enabled: !live)
        let watcher = Thread {
            while !pipeline.isFinished {
                if StopSignal.shared.isRequested { pipeline.stop() }
                progress.show(frames: pipeline.framesOutput)
                Thread.sleep(forTimeInterval: 0.25)
            }
        }
        watcher.start()
        logger.info("running \(live ? "live" : "offline"): \(input ?? "synthetic scene") -> \(noOutput ? "nothing (--no-output)" : outputs.joined(separator: ", "))")
        let summary: TelemetrySnapshot
        do {
            summary = try pipeline.run()
        } catch {
            progress.finish(frames: pipeline.framesOutput)
            throw error
        }
        progress.finish(frames: pipeline.framesOutput)
        _ = summary  // the reporter has logged it ("telemetry summary: ...")
        if StopSignal.shared.isRequested { logger.notice("stopped by signal \(StopSignal.shared.signalNumber); outputs finalized") }
        for path in outputs { print("wrote \(path)") }
        if let maskOutput { print("wrote \(maskOutput)") }
    }

    private func chosenEffect() throws -> Effect {
        switch effect {
        case .none: return .none
        case .blur: return .blur(strength: blurStrength)
        case .replace:
            guard let background else { throw ValidationError("--effect replace needs --background IMAGE") }
            return .replace(try ImageFile.read(background))
        case .color:
            guard color.count == 6, let value = UInt32(color, radix: 16) else {
                throw ValidationError("--color takes RRGGBB in hex, e.g. 1E90FF; got \(color)")
            }
            return .color(red: UInt8(value >> 16 & 0xFF), green: UInt8(value >> 8 & 0xFF), blue: UInt8(value & 0xFF))
        case .greenScreen: return .greenScreen
        case .mask: return .maskOverlay
        case .landmarks: return .landmarks(.points)
        case .mesh: return .landmarks(.mesh)
        }
    }

    static func size(_ text: String, option: String) throws -> PipelineConfiguration.Size {
        let parts = text.lowercased().split(separator: "x").compactMap { Int($0) }
        guard parts.count == 2, parts[0] > 0, parts[1] > 0 else {
            throw ValidationError("\(option) takes WIDTHxHEIGHT, e.g. 640x360; got \(text)")
        }
        return .init(width: parts[0], height: parts[1])
    }

    static func stem(of path: String) -> String {
        URL(fileURLWithPath: path).deletingPathExtension().lastPathComponent
    }
}
