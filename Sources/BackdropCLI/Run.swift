import ArgumentParser
import BackdropCore
import BackdropEffects
import BackdropMedia
import BackdropMediaPipe
import BackdropPipeline
import BackdropStudio
import Foundation
import Logging
import Metrics
import Prometheus
import ServiceLifecycle

struct Run: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "The main job: segment every frame of a video, apply an effect, write the result.",
        discussion: """
        With no --input, runs on a synthetic scene (a person sliding over a moving background) and
        writes out/demo.mp4, so it works on any machine. Files are processed offline (every frame,
        as fast as possible); cameras (/dev/videoN) and network streams live (never waiting on the
        source: a stage that falls behind drops the older frame and counts it).

        Every --stats-interval seconds a line reports input, processed and output FPS, p50/p95/p99
        capture-to-output latency, drops by reason, RSS and its slope, pool use. Ctrl-C stops
        cleanly: frames in flight are finished and every output is finalized, and the exit status
        is 130 (143 for SIGTERM); a second Ctrl-C quits at once, deleting unfinished files.

        Files are written to a hidden .NAME.<hex>.partial.EXT beside the target and renamed only
        when complete. A run that fails keeps the frames it wrote as NAME.incomplete.EXT (never over
        an earlier NAME.EXT) and exits 1; a bad option is refused before anything is opened (exit 64).

        Examples:
          backdrop run
          backdrop run --input talk.mp4 --output talk-blurred.mp4 --effect blur --blur-strength 20
          backdrop run --input /dev/video0 --output /dev/video10 --effect replace --background beach.jpg
          backdrop run --input talk.mp4 --output talk-beach.mp4 --effect replace --background waves.mp4
          backdrop run --input talk.mp4 --output keyed.mkv --effect green-screen --mask-output mask.mkv
          backdrop run --input rtsp://camera/stream --output udp://127.0.0.1:5000 --log-format json
          backdrop run --input /dev/video0 --output /dev/video10 --serve 8080    (then open http://127.0.0.1:8080/)
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
    var blurStrength = Effect.defaultBlurStrength
    @Option(help: "Background for --effect replace, scaled to fill: an image (PNG, JPEG) or a video (.mp4, .mkv, .mov, .webm; looped, one of its frames per frame).")
    var background: String?
    @Option(help: ArgumentHelp("Background colour for --effect color.", valueName: "RRGGBB"))
    var color = RGBColor(red: 0x1E, green: 0x90, blue: 0xFF)
    @Option(help: "Also write the person mask as a video (gray .mkv/.mp4; with --mask-alpha, the frame with the mask as alpha).")
    var maskOutput: String?
    @Flag(help: "Write --mask-output as RGBA (frame + mask as alpha, FFV1 in .mkv).")
    var maskAlpha = false
    @Option(help: ArgumentHelp("Also write each output frame's faces as a JSON line {\"t\": seconds, \"frame\": index, \"faces\": [{\"box\": [x, y, w, h], \"landmarks\": [[x, y, z] x 478]}]} (coordinates 0...1 of the frame; the whole frame's, also with --framing): a FILE.jsonl (renamed into place when the run completes), - (stdout) or udp://127.0.0.1:PORT (a datagram a line). Turns faces on.", valueName: "FILE.jsonl|-|udp://HOST:PORT"))
    var landmarksOutput: LandmarksDestination?
    @Flag(help: "Add each face's 52 blendshape scores to --landmarks-output (costs landmarker time on every frame).")
    var landmarksBlendshapes = false
    @Flag(help: "Let --landmarks-output send to a UDP address off this machine (default: loopback only, so faces do not leave it by a typo).")
    var landmarksRemote = false
    @Option(help: "offline (every frame), live (newest frame only) or auto (live for cameras and streams).")
    var mode: ModeName = .auto
    @Option(help: "Process at most this many frames per second (default: \(Int(PipelineSettings.defaultLiveMaxFPS)) live; offline, as fast as the machine allows).")
    var maxFPS: Double?
    @Option(help: ArgumentHelp("The size inference runs at; the mask comes back to full size smoothly (or, with --refine-edges, snapped to the frame's edges). Default: a frame with a short side of 512 or more is halved by exact 2x2 averages for the face landmarker (720p at 640x360, 1080p at 480x270), and the segmenter's image is halved again from a short side of 360 (720p at 320x180): faster inference, a mask nearer the true outline, and the effects reuse the halved frame. 'full': the frame's own size, the finest raw mask at the most inference time. WxH (e.g. 256x144): any size, area-averaged; smaller is faster and coarser.", valueName: "WIDTHxHEIGHT"))
    var processSize: ProcessSizeChoice?
    @Flag(inversion: .prefixedNo, help: "Find face landmarks.")
    var faces = true
    @Option(help: "Hide faces after the effect: off, blur or pixelate (up to \(FaceHiding.faceLimit) faces; the face landmarker then looks for that many, about three times its CPU time at 720p).")
    var hideFaces: HideFacesChoice = .off
    @Flag(help: "With --hide-faces: leave the main face (the largest; of equal ones, the most central) as it is.")
    var keepMain = false
    @Option(help: "With --hide-faces: frames a face stays hidden where it was last seen after the landmarker stops finding it. More covers longer misses; fewer leaves a box behind for less time when a face leaves.")
    var hideHold = FaceHiding.defaultHoldFrames
    @Flag(help: "Also compute MediaPipe's category mask (~4x the cost at 720p).")
    var categoryMask = false
    @Flag(inversion: .prefixedNo, help: "Smooth the mask over time (stops edge flicker).")
    var smoothing = true
    @Option(help: "Feather the mask edge by this many pixels.")
    var feather = PipelineSettings.defaultFeatherRadius
    @Option(help: ArgumentHelp("Move the mask's soft edge into the person (positive, up to 0.5) or out into the background (negative): the feather's direction. Inward leaves less of the old background around hair and shoulders; outward keeps more fine hair and more background with it. 0: centred on the segmenter's edge.", valueName: "BIAS"))
    var edgeBias = PipelineSettings.defaultEdgeBias
    @Flag(inversion: .prefixedNo, help: "Snap the mask's edge to edges in the frame (a guided filter) instead of enlarging it smoothly. Crisper against a plain wall; around soft hair it adds error (off by default: see BENCHMARKS.md, quality).")
    var refineEdges = false
    @Flag(help: "Read a file at its own frame rate, like a camera.")
    var realtime = false
    @Option(help: "Play a file input this many times in a row, timestamps continuing (0: forever; for soak runs).")
    var loop = 1
    @Flag(help: "Process every frame but write nothing (no --output; for benchmarks).")
    var noOutput = false
    @Option(help: "Frames of the synthetic scene when there is no --input.")
    var syntheticFrames = 150
    @Option(help: "Seconds a network --input (udp://, rtsp://, http://, ...) may send nothing, while opening and between packets, before the run fails; a live stream that has sent frames reconnects instead.")
    var inputTimeout: Double = SourceOptions().networkTimeout
    @Option(help: ArgumentHelp("Camera capture size WxH, for /dev/videoN inputs.", valueName: "WIDTHxHEIGHT"))
    var cameraSize: PixelSize?
    @Option(help: ArgumentHelp("Camera frame rate, for /dev/videoN inputs (one the camera offers at that size: `backdrop devices` lists them).", valueName: "FPS"))
    var cameraFps: Double?
    @Option(help: ArgumentHelp("Camera pixel format, for /dev/videoN inputs: FFmpeg's name (yuyv422, mjpeg, nv12, ...) or the V4L2 code `backdrop devices` shows (YUYV, MJPG, ...).", valueName: "FORMAT"))
    var cameraFormat: String?
    @Flag(help: "Lossless (FFV1) video files instead of H.264.")
    var lossless = false
    @Option(help: "Replace a MediaPipe task instance after this much RSS growth, in MB (0: never).")
    var memoryBudget = (MemoryGuardPolicy().growthBudgetBytes ?? 0) / 1_048_576
    @Option(help: "Replace a MediaPipe task instance after this many frames (0: never).")
    var swapEvery = 0
    @Option(help: "Offline mode: frames each hand-off between stages may hold (live mode: 1). More smooths uneven stages; each frame in flight costs ~6 MB at 720p.")
    var queueDepth = PipelineConfiguration.defaultHandoffCapacity
    @Option(help: "Seconds between telemetry lines.")
    var statsInterval = PipelineConfiguration.defaultStatsInterval.seconds
    @Option(help: "plain or json log lines (stderr).")
    var logFormat: LogFormat = .plain
    @OptionGroup var modelOptions: ModelOptions
    @OptionGroup var configFile: ConfigFileOptions
    @OptionGroup(title: "Auto-framing") var framingOptions: FramingOptions
    @OptionGroup(title: "Backdrop Studio") var studio: ServeOptions

    /// Limits of the numeric options (what each means is in its --help).
    enum Limits {
        static let blurStrength = PipelineSettings.blurStrengthRange
        static let feather = PipelineSettings.featherRange
        static let edgeBias = PipelineSettings.edgeBiasRange
        static let hideHold = FaceHiding.holdFramesRange
        static let maxFPS = PipelineSettings.maxFPSRange
        static let statsInterval = 0.1...86_400.0
        static let inputTimeout = 0.1...86_400.0
        static let processSide = 16...4096
        static let cameraSide = 16...8192
        static let cameraFPS = 0.1...1000.0
        static let memoryBudget = 0...1_048_576
        static let swapEvery = 0...100_000_000
        static let queueDepth = 1...64
        static let loop = 0...1_000_000
        static let syntheticFrames = 1...10_000_000
    }

    /// Parse-time checks: every option in range and every output a file of its own. Runs before
    /// anything is opened, so a bad option leaves nothing behind.
    func validate() throws {
        // First: writing over an input destroys the user's data, whatever else is wrong.
        if let clash = files.clash() { throw ValidationError(clash) }
        try OptionRules.require(blurStrength, in: Limits.blurStrength, "--blur-strength", "blur reach in pixels")
        try OptionRules.require(feather, in: Limits.feather, "--feather", "pixels of edge feathering; 0 for none")
        try OptionRules.require(edgeBias, in: Limits.edgeBias, "--edge-bias", "positive moves the mask's edge inward, negative outward")
        try OptionRules.require(hideHold, in: Limits.hideHold, "--hide-hold", "frames a missed face stays hidden")
        if hideFaces == .off && keepMain { throw ValidationError("--keep-main shapes --hide-faces: add --hide-faces blur or pixelate") }
        if hideFaces != .off && !faces { throw ValidationError("--hide-faces needs the face landmarker: drop --no-faces") }
        if let maxFPS { try OptionRules.require(maxFPS, in: Limits.maxFPS, "--max-fps", "frames processed per second at most") }
        try OptionRules.require(statsInterval, in: Limits.statsInterval, "--stats-interval", "seconds between telemetry lines")
        try OptionRules.require(inputTimeout, in: Limits.inputTimeout, "--input-timeout", "seconds a network input may send nothing")
        try OptionRules.require(memoryBudget, in: Limits.memoryBudget, "--memory-budget", "MB of growth; 0 for never")
        try OptionRules.require(swapEvery, in: Limits.swapEvery, "--swap-every", "frames per task instance; 0 for never")
        try OptionRules.require(queueDepth, in: Limits.queueDepth, "--queue-depth", "frames each hand-off holds")
        try OptionRules.require(loop, in: Limits.loop, "--loop", "plays of the input; 0 for forever")
        try OptionRules.require(syntheticFrames, in: Limits.syntheticFrames, "--synthetic-frames", "frames of the synthetic scene")
        if case .size(let size) = processSize { try OptionRules.require(size, "--process-size", sides: Limits.processSide) }
        if let cameraSize { try OptionRules.require(cameraSize, "--camera-size", sides: Limits.cameraSide) }
        if let cameraFps { try OptionRules.require(cameraFps, in: Limits.cameraFPS, "--camera-fps", "frames per second") }
        if let cameraFormat, CameraDevices.inputFormat(named: cameraFormat) == nil {
            throw ValidationError("--camera-format \(cameraFormat) is not a camera format Backdrop knows; use one of "
                + CameraDevices.knownFormatNames.joined(separator: ", "))
        }
        if effect == .replace && background == nil { throw ValidationError("--effect replace needs --background IMAGE") }
        if noOutput && (!output.isEmpty || maskOutput != nil) {
            throw ValidationError("--no-output writes nothing: drop --output and --mask-output, or --no-output")
        }
        if loop != 1, input == nil || Self.isStreamOrDevice(input!) {
            throw ValidationError("--loop needs a file --input (not a camera, a stream or the synthetic scene)")
        }
        for path in outputs where Self.isFile(path) { try OptionRules.videoFile(path, "--output", lossless: lossless) }
        if let maskOutput {
            try OptionRules.videoFile(maskOutput, "--mask-output", lossless: false)
            if maskAlpha && !maskOutput.lowercased().hasSuffix(".mkv") {
                throw ValidationError("--mask-alpha writes RGBA (FFV1), which needs Matroska: end --mask-output in .mkv")
            }
        } else if maskAlpha {
            throw ValidationError("--mask-alpha shapes --mask-output: add --mask-output FILE.mkv")
        }
        if let landmarksOutput {
            if !landmarksOutput.isLoopback && !landmarksRemote {
                throw ValidationError("--landmarks-output \(landmarksOutput) is off this machine: add --landmarks-remote to send faces there, or use udp://127.0.0.1:PORT")
            }
            if landmarksOutput == .standardOutput && outputs.contains("-") {
                throw ValidationError("--landmarks-output - and --output - would both write to stdout: send one of them elsewhere")
            }
        } else if landmarksBlendshapes || landmarksRemote {
            throw ValidationError("--landmarks-blendshapes and --landmarks-remote shape --landmarks-output: add --landmarks-output FILE.jsonl")
        }
    }

    /// Where frames go: the --output list, or a default file beside the current folder's out/.
    var outputs: [String] {
        if noOutput { return [] }
        if !output.isEmpty { return output }
        return [input == nil ? "out/demo.mp4" : "out/\(Self.stem(of: input!))-backdrop.mp4"]
    }

    /// The files the run reads and writes, for the same-file check.
    private var files: RunFiles {
        var files = RunFiles()
        if let input, !Self.isStreamOrDevice(input), !input.contains("%") { files.reads(input, as: "--input") }
        if let background { files.reads(background, as: "--background") }
        for path in outputs where Self.isFile(path) || path.hasPrefix("/dev/") { files.writes(path, as: "--output") }
        if let maskOutput { files.writes(maskOutput, as: "--mask-output") }
        if case .file(let path) = landmarksOutput { files.writes(path, as: "--landmarks-output") }
        return files
    }

    func run() async throws {
        BackdropLogging.bootstrap(format: logFormat == .json ? .json : .plain)
        let logger = Logger(label: "backdrop")
        let processSize: PipelineConfiguration.ProcessSize = switch processSize {
        case nil: .automatic
        case .full: .full
        case .size(let size): .fixed(.init(width: size.width, height: size.height))
        }
        let camera = CameraRequest(width: cameraSize?.width, height: cameraSize?.height, frameRate: cameraFps,
                                   pixelFormat: cameraFormat.flatMap(CameraDevices.inputFormat(named:)))
        let effect = try chosenEffect()  // reads --background before any output is opened
        if let address = studio.configuration(run: RunDescription())?.address, address.port != 0 {
            try ServeOptions.checkCanListen(on: address)
        }
        let inputName = input ?? "the input"
        let sourceStatus = SourceStatus { event in logger.log(level: event.logLevel, "\(event.message(input: inputName))") }
        // Signals stop the run from here on, also while a network input is still opening.
        let signals = await SignalHandling.start()
        let configReload = ConfigReload(configFile, signals: signals, logger: logger)

        // The input's options, also for each time a gated camera is opened again.
        let inputOptions = Inputs.sourceOptions(realTime: realtime, camera: camera, timeout: inputTimeout, stop: signals.stop,
                                                status: sourceStatus)
        var opened: Inputs.Opened
        do {
            opened = try Inputs.open(input, realTime: realtime, synthetic: syntheticFrames, size: nil, options: inputOptions)
        } catch {
            guard case .interrupted = error else { throw error }
            let signal = signals.signalNumber
            logger.notice("stopped by signal \(signal) while opening \(input ?? "the input"); nothing was written")
            throw ExitCode(128 + (signal > 0 ? signal : SIGINT))
        }
        if loop != 1, let input {
            guard let file = opened.source as? FFmpegVideoSource, !file.isLive else {
                throw ValidationError("--loop needs a file --input (not a camera or a stream)")
            }
            opened.source.close()
            var options = SourceOptions()
            options.pacing = realtime ? .realTime : .asFastAsPossible
            options.stopRequest = signals.stop
            let looping = try LoopingSource(url: input, options: options, passes: loop)
            opened = Inputs.Opened(source: looping, live: opened.live, estimatedFrames: looping.estimatedFrameCount)
        }
        let outputs = self.outputs
        opened = Inputs.gateCamera(opened, input: input, outputs: outputs, options: inputOptions, warn: { logger.warning("\($0)") })
        let source = opened.source
        let live = mode == .auto ? opened.live : mode == .live
        for path in outputs + [maskOutput].compactMap({ $0 }) where Self.isFile(path) {
            let folder = (path as NSString).deletingLastPathComponent
            try? FileManager.default.createDirectory(atPath: folder.isEmpty ? "." : folder, withIntermediateDirectories: true)
            for stale in VideoFileSink.staleTemporaryFiles(for: path) {
                logger.warning("""
                    an earlier run writing \(path) was killed before it finished: the frames it wrote are in \
                    \(stale) (rename it to keep them, or delete it)
                    """)
            }
        }

        // From the first output opened until the run starts, a failure deletes what was opened.
        var sinks: [VideoSink] = []
        var maskSink: MaskVideoSink? = nil
        let pipeline: Pipeline
        var studioService: Studio? = nil
        var landmarks: (writer: LandmarksWriter, results: AsyncStream<PipelineResult>)? = nil
        // Serving: the pipeline's metrics go to a Prometheus registry that /metrics reads.
        let registry = studio.serve == nil ? nil : PrometheusCollectorRegistry()
        do {
            let frameRate = source.frameRate ?? 30
            for path in outputs {
                sinks.append(try Outputs.open(path, width: source.width, height: source.height, frameRate: frameRate,
                                              audio: source.audioTrack, lossless: lossless))
            }
            maskSink = try maskOutput.map { path throws(MediaError) in
                // Matroska keeps the mask exact (FFV1); MP4 and MOV carry it as full-range gray H.264.
                try MaskVideoSink(path: path, width: source.width, height: source.height, frameRate: frameRate,
                                  layout: maskAlpha ? .frameWithAlpha : .gray,
                                  codec: path.lowercased().hasSuffix(".mkv") ? .lossless : .h264(crf: 18, preset: "veryfast"))
            }
            let framing = framingOptions.requested
            let settings = PipelineSettings(effect: effect, smoothing: smoothing, featherRadius: feather,
                                            faces: faces || effect.usesFaces || framing != nil || landmarksOutput != nil,
                                            maxFPS: maxFPS, edgeBias: edgeBias, refinesEdges: refineEdges,
                                            hiding: hideFaces.style.map { FaceHiding(style: $0, keepMain: keepMain, holdFrames: hideHold) },
                                            framing: framing)
            let configuration = PipelineConfiguration(
                mode: live ? .live : .offline, settings: settings, processSize: processSize, models: modelOptions.directory,
                // Serving: faces can be turned on from the page even when the run starts without them.
                loadsFaceLandmarker: studio.serve != nil ? true : nil,
                // Hiding and framing raise the face count themselves (`landmarkerFaces`).
                faceBlendshapes: landmarksBlendshapes, categoryMask: categoryMask,
                memoryGuard: MemoryGuardPolicy(growthBudgetBytes: memoryBudget > 0 ? memoryBudget * 1_048_576 : nil,
                                               maxFramesPerInstance: swapEvery > 0 ? swapEvery : nil),
                statsInterval: .seconds(statsInterval), handoffCapacity: queueDepth)
            pipeline = try Pipeline(source: source, sinks: sinks, maskSink: maskSink, configuration: configuration, logger: logger,
                                    metricsFactory: registry.map { PrometheusMetricsFactory(registry: $0) } ?? MetricsSystem.factory)
            studioService = try makeStudio(pipeline: pipeline, registry: registry, effect: effect, source: source, live: live,
                                           status: sourceStatus, logger: logger)
            // Subscribed before the run starts, so the first frame has its line.
            if let landmarksOutput {
                landmarks = (try LandmarksWriter(landmarksOutput, blendshapes: landmarksBlendshapes),
                             pipeline.results(bufferingNewest: LandmarksWriter.bufferedLines, includeMask: false))
            }
        } catch {
            for sink in sinks { _ = sink.finishAfterFailure() }
            _ = maskSink?.finishAfterFailure()
            source.close()
            throw error
        }
        configReload.attach(pipeline)
        // A second Ctrl-C quits at once: take the unfinished files with it.
        let temporaryFiles = sinks.compactMap { ($0 as? VideoFileSink)?.temporaryPath } + [maskSink?.temporaryPath].compactMap { $0 }
        signals.beforeForcedExit { for path in temporaryFiles { unlink(path) } }

        let progress = Progress(total: opened.estimatedFrames, enabled: !live)
        // A group shuts its services down last first: the pipeline is last so that it is shut down
        // first. (Listed first, the group would be shutting the display down when a signal's stop
        // request ends the pipeline by itself, and would call that an unexpected finish.)
        var services: [ServiceGroupConfiguration.ServiceConfiguration] = [.init(service: ProgressDisplay(progress: progress, pipeline: pipeline))]
        // The studio before the pipeline: it answers until the pipeline has finished its outputs.
        if let studioService { services.append(.init(service: studioService, failureTerminationBehavior: .gracefullyShutdownGroup)) }
        // --keep-serving: the group (and the studio) outlive the pipeline until a signal.
        services.append(.init(service: pipeline, successTerminationBehavior: studio.keepServing ? .ignore : .gracefullyShutdownGroup,
                              failureTerminationBehavior: .gracefullyShutdownGroup))
        let group = ServiceGroup(configuration: ServiceGroupConfiguration(services: services, logger: logger))
        // The first signal finalizes: the group shuts down gracefully, so the pipeline finishes its outputs.
        let endedBeforeSignal = CompletionWitness()
        signals.onStop {
            endedBeforeSignal.record(pipeline.isFinished)
            Task { await group.triggerGracefulShutdown() }
        }
        let landmarksWriting = landmarks.map { landmarks in
            Task { () async throws -> Void in try await landmarks.writer.write(landmarks.results) }
        }
        let rate = source.frameRate.map { String(format: ", %g fps", $0) } ?? ""
        logger.info("running \(live ? "live" : "offline"): \(input ?? "synthetic scene") (\(source.width)x\(source.height)\(rate)) -> \(noOutput ? "nothing (--no-output)" : outputs.joined(separator: ", "))")
        do {
            try await group.run()  // the reporter has logged the summary ("telemetry summary: ...")
        } catch {
            progress.finish(frames: pipeline.framesOutput)
            // The pipeline logged its own error once; anything else (the group's) is said here.
            if !(error is PipelineError) { logger.error("\(error)") }
            landmarks?.writer.abandon()
            throw ExitCode.failure
        }
        if let landmarks, let landmarksWriting {
            do {
                try await landmarksWriting.value  // the results stream ended with the run
                try landmarks.writer.finish()
            } catch {
                landmarks.writer.abandon()
                logger.error("--landmarks-output: \(error)")
                throw ExitCode.failure
            }
            if pipeline.resultsDropped > 0 {
                logger.warning("--landmarks-output fell behind: \(pipeline.resultsDropped) frames have no line")
            }
        }
        progress.finish(frames: pipeline.framesOutput)
        if let gaps = source.statistics.gapSummary { logger.notice("\(inputName) \(gaps)") }
        for path in outputs { print("wrote \(path)") }
        if let maskOutput { print("wrote \(maskOutput)") }
        if case .file(let path) = landmarksOutput { print("wrote \(path)") }
        let signal = signals.signalNumber
        // --keep-serving: a signal after the run completed only closes the studio (exit 0).
        if signal > 0 && !(studio.keepServing && endedBeforeSignal.value) {
            logger.notice("stopped by signal \(signal); outputs finalized")
            // 128 + the signal, as a shell reports a command a signal ended: scripts can tell it from a complete run.
            throw ExitCode(128 + signal)
        }
    }

    /// The studio, when --serve asks for one; the run's --background image is its first background.
    private func makeStudio(pipeline: Pipeline, registry: PrometheusCollectorRegistry?, effect: Effect, source: VideoSource,
                            live: Bool, status: SourceStatus, logger: Logger) throws -> Studio? {
        let description = RunDescription(input: input ?? "synthetic scene", outputs: outputs, live: live,
                                         width: source.width, height: source.height)
        guard let configuration = studio.configuration(run: description) else { return nil }
        let backgrounds = BackgroundStore()
        var backgroundID: String? = nil
        if case .replace(let image) = effect, let background {
            backgroundID = backgrounds.register(file: background, image: image).id
        }
        do {
            return try Studio(pipeline: pipeline, configuration: configuration, backgrounds: backgrounds, backgroundID: backgroundID,
                              registry: registry, sourceStatus: status, logger: logger) { url in
                // Also on stderr whatever the log format, so a script (or a person) finds the page.
                FileHandle.standardError.write(Data("studio listening on \(url)\n".utf8))
            }
        } catch {
            throw ValidationError("--serve: \(error)")
        }
    }

    func chosenEffect() throws -> Effect {
        switch effect {
        case .none: return .none
        case .blur: return .blur(strength: blurStrength)
        case .replace:
            let path = background!  // validate() requires it with --effect replace
            guard Self.isVideo(path) else { return .replace(try ImageFile.read(path)) }
            var options = SourceOptions()
            options.keepAudio = false
            return .custom(BackgroundVideo(source: try LoopingSource(url: path, options: options, passes: 0)))
        case .color: return .color(red: color.red, green: color.green, blue: color.blue)
        case .greenScreen: return .greenScreen
        case .mask: return .maskOverlay
        case .landmarks: return .landmarks(.points)
        case .mesh: return .landmarks(.mesh)
        }
    }

    /// A --background that is a video (by its extension), played in a loop behind the person.
    static func isVideo(_ path: String) -> Bool {
        ["mp4", "m4v", "mkv", "mov", "webm", "avi"].contains((path as NSString).pathExtension.lowercased())
    }

    /// A camera, a network stream or an output device, as opposed to a file.
    static func isStreamOrDevice(_ path: String) -> Bool { path.contains("://") || path.hasPrefix("/dev/") }

    /// An --output that is a video file (not `-`, a stream, a device or a snapshot pattern).
    static func isFile(_ path: String) -> Bool {
        path != "-" && !isStreamOrDevice(path) && !(path.contains("%") && [".png", ".jpg", ".jpeg"].contains { path.lowercased().hasSuffix($0) })
    }

    static func stem(of path: String) -> String {
        URL(fileURLWithPath: path).deletingPathExtension().lastPathComponent
    }
}
