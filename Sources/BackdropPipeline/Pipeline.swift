import BackdropCore
import BackdropEffects
import BackdropMediaPipe
import Foundation
import Logging
import Metrics
import ServiceLifecycle
import Synchronization

/// Backdrop's live pipeline: source -> inference -> effect -> sinks, each stage on its own thread.
///
/// - A fixed set of frame slots circulates through the stages (no per-frame allocation); a slot
///   has one owner at a time.
/// - Between stages, hand-offs of fixed capacity: offline mode waits when one is full (every frame
///   is processed), live mode keeps only the newest frame and counts each one it drops.
/// - ``run()`` (async, a swift-service-lifecycle `Service`) or ``runBlocking()`` runs until the
///   source ends, ``stop()`` is called, the task is cancelled or a graceful shutdown comes; the
///   frames in flight are finished and every sink is finished (files finalized).
/// - ``update(_:fromFrame:)`` changes the ``PipelineSettings`` while it runs, between two frames.
/// - A pipeline runs once. One that is built and never run releases its threads and MediaPipe
///   tasks when it is released.
public final class Pipeline: Service, @unchecked Sendable {
    public let configuration: PipelineConfiguration
    public let telemetry: TelemetryRecorder

    private let source: any VideoSource
    private let sinks: [any VideoSink]
    private let maskSink: (any MaskSink)?
    private let inference: InferenceStage
    private let effects = EffectStage()
    private let logger: Logger?

    private let free: Handoff<FrameSlot>
    private let toInference: Handoff<FrameSlot>
    private let toEffect: Handoff<FrameSlot>
    private let toSink: Handoff<FrameSlot>
    private let audio: Handoff<any MediaPacket>
    private let slotCount: Int

    private let settingsChannel: SettingsChannel
    /// What the source stamps on frames until an update is due.
    private let initialSettings: AppliedSettings
    /// The last settings generation handed out; held while an update builds its effect, so updates are serial.
    private let updateLock = Mutex<Int>(0)
    private let lifecycle = Atomic<Int>(Lifecycle.built.rawValue)
    private let stopRequested = Atomic<Bool>(false)
    private let outputCount = Atomic<Int>(0)
    private let failure = Mutex<PipelineError?>(nil)
    private let keptAfterFailure = Mutex<[String]>([])
    private let finalSummary = Mutex<TelemetrySnapshot?>(nil)
    private let subscribers = ResultSubscribers()
    private let metricsFactory: (any MetricsFactory)?
    /// Receives each periodic telemetry snapshot (the figures of the log line), for a Swift caller.
    private let onSnapshot: (@Sendable (TelemetrySnapshot) -> Void)?

    private enum Lifecycle: Int { case built, running, finished }

    /// - Parameters:
    ///   - maskSink: when given, receives every output frame's person mask (a mask video for editors).
    ///   - logger: where the pipeline logs (telemetry lines, warnings, the error that stopped it);
    ///     nil logs nothing. The app chooses the handler (swift-log's `LoggingSystem`).
    ///   - metricsFactory: where the telemetry is published each interval (frames, drops, swaps,
    ///     RSS, pool use, latency; see `TelemetryReporter`): by default the app's bootstrapped
    ///     swift-metrics backend; nil publishes nothing.
    ///   - onSnapshot: receives each periodic telemetry snapshot.
    public init(source: any VideoSource, sinks: [any VideoSink], maskSink: (any MaskSink)? = nil,
                configuration: PipelineConfiguration, logger: Logger? = nil,
                metricsFactory: (any MetricsFactory)? = MetricsSystem.factory,
                onSnapshot: (@Sendable (TelemetrySnapshot) -> Void)? = nil) throws(PipelineError) {
        self.metricsFactory = metricsFactory
        if let problem = configuration.settings.problem(landmarkerLoaded: configuration.landmarkerLoaded) {
            throw .invalidSettings(problem)
        }
        self.onSnapshot = onSnapshot
        self.source = source
        self.sinks = sinks
        self.maskSink = maskSink
        self.configuration = configuration
        self.logger = logger
        let telemetry = TelemetryRecorder()
        self.telemetry = telemetry
        do {
            inference = try InferenceStage(configuration: configuration) { task in
                telemetry.instanceSwapped(task: task)
                logger?.info("memory guard: replaced the \(task) instance with a fresh one")
            }
        } catch {
            throw .setUpFailed(underlying: error)
        }
        let initial = AppliedSettings(configuration.settings, frameEffect: Self.makeEffect(configuration.settings, source: source),
                                      generation: 0)
        settingsChannel = SettingsChannel(initial: initial)
        initialSettings = initial

        let live = configuration.mode == .live
        let capacity = live ? 1 : max(1, configuration.handoffCapacity)
        let policy: Handoff<FrameSlot>.FullPolicy = live ? .replaceOldest : .wait
        toInference = Handoff(capacity: capacity, policy: policy)
        toEffect = Handoff(capacity: capacity, policy: policy)
        toSink = Handoff(capacity: capacity, policy: policy)
        // Every slot can be in a hand-off or a stage at once, plus one spare for the source.
        slotCount = 3 * capacity + 4
        free = Handoff(capacity: slotCount, policy: .wait)
        for _ in 0..<slotCount { _ = free.put(FrameSlot(settings: initial)) }
        // Audio waits for the sink thread (a muxer is not shared between threads); offline mode
        // keeps every packet, live mode the newest.
        audio = Handoff(capacity: 4096, policy: live ? .replaceOldest : .wait)
    }

    /// Frames written to the sinks so far (for progress displays).
    public var framesOutput: Int { outputCount.load(ordering: .relaxed) }

    /// True once a run has ended (returned or thrown).
    public var isFinished: Bool { lifecycle.load(ordering: .sequentiallyConsistent) == Lifecycle.finished.rawValue }

    /// The whole run's telemetry, once it has ended (nil before).
    public var summary: TelemetrySnapshot? { finalSummary.withLock { $0 } }

    /// Asks the pipeline to stop: the source stops reading, frames in flight are finished, sinks
    /// finalized. Safe from any thread, any number of times; before the run starts, the run ends at once.
    public func stop() { stopRequested.store(true, ordering: .sequentiallyConsistent) }

    // MARK: Settings

    /// The settings most recently asked for (by the configuration or `update`), applied or pending.
    public var settings: PipelineSettings { settingsChannel.latestSettings.settings }

    /// Changes what the pipeline does to frames, from frame `fromFrame` on (the source's frame
    /// index; nil: the next frame the source reads). Every frame is processed with one settings
    /// value, the old or the new: none is dropped, reordered or half-changed. The new effect's
    /// object is built and its buffers sized here, on the caller's thread, so the frame path
    /// allocates nothing for it (an unchanged effect keeps its object). A later update replaces one
    /// whose start frame has not come yet. A `.custom` effect must be an object no stage is drawing
    /// with yet (or the current one, unchanged): its `prepare` runs here, on the caller's thread.
    /// Throws ``PipelineError/invalidSettings(_:)`` (nothing changes) for settings that can't run.
    public func update(_ settings: PipelineSettings, fromFrame: Int? = nil) throws(PipelineError) {
        if let problem = settings.problem(landmarkerLoaded: configuration.landmarkerLoaded) {
            throw .invalidSettings(problem)
        }
        updateLock.withLock { generation in
            generation += 1
            // The same effect as the latest settings (only faces, smoothing, feather or the cap
            // changed): its object is kept, buffers and all. It may be drawing on the effect thread
            // right now, so it must not be prepared again here.
            let latest = settingsChannel.latestSettings
            let effect = settings.effect == latest.settings.effect ? latest.frameEffect : Self.makeEffect(settings, source: source)
            settingsChannel.publish(AppliedSettings(settings, frameEffect: effect, generation: generation), startFrame: fromFrame ?? 0)
        }
    }

    /// ``update(_:fromFrame:)`` on a change to the current settings:
    /// `try pipeline.update { $0.effect = .blur(strength: 30) }`.
    public func update(fromFrame: Int? = nil, _ change: (inout PipelineSettings) -> Void) throws(PipelineError) {
        var settings = self.settings
        change(&settings)
        try update(settings, fromFrame: fromFrame)
    }

    /// The effect object for `settings`, its buffers sized for the source's frames.
    private static func makeEffect(_ settings: PipelineSettings, source: any VideoSource) -> any FrameEffect {
        let effect = settings.effect.makeFrameEffect()
        effect.prepare(width: source.width, height: source.height)
        return effect
    }

    // MARK: Results

    /// Results for each output frame, for a Swift caller; call it at any time, as often as you like
    /// (each stream gets every result from then on, and ends when the run does; after the run, a
    /// stream ends at once). Each stream keeps its newest `bufferingNewest` results when its reader
    /// falls behind; what is pushed out is counted in ``resultsDropped``.
    ///
    /// Storage: a result's mask (and frame, with `includeFrames`) shares storage with the
    /// pipeline's frame slot, copy-on-write. Holding a result costs nothing until that slot is
    /// reused (a few frames later); then the pipeline copies the buffer for itself (one allocation
    /// per result still held). Read results promptly, or copy what you keep, and steady state
    /// stays allocation-free. With no reader, results cost nothing.
    public func results(bufferingNewest: Int = 8, includeFrames: Bool = false) -> AsyncStream<PipelineResult> {
        subscribers.subscribe(bufferingNewest: bufferingNewest, includeFrames: includeFrames)
    }

    /// Results that readers of ``results(bufferingNewest:includeFrames:)`` fell too far behind to get.
    public var resultsDropped: Int { subscribers.dropped }

    // MARK: Running

    /// Runs until the source ends, ``stop()``, cancellation of the calling task, or a graceful
    /// shutdown of the service group it runs in; the outputs are finalized in every case but a
    /// failure. The stages run on the pipeline's own threads; this only waits for them. The run's
    /// telemetry is in ``summary`` afterwards.
    ///
    /// Throws ``PipelineError/alreadyStarted`` on a second or concurrent call, and
    /// ``PipelineError/stageFailed(_:underlying:)`` naming the stage when one failed.
    public func run() async throws(PipelineError) {
        let outcome = await withGracefulShutdownHandler {
            await withTaskCancellationHandler {
                await withCheckedContinuation { (done: CheckedContinuation<Result<TelemetrySnapshot, PipelineError>, Never>) in
                    startNamedThread("backdrop.run") { [self] in
                        done.resume(returning: Result { () throws(PipelineError) in try runBlocking() })
                    }
                }
            } onCancel: { [self] in stop() }
        } onGracefulShutdown: { [self] in stop() }
        _ = try outcome.get()
    }

    /// ``run()`` on the calling thread, blocking it; returns the whole run's telemetry.
    @discardableResult
    public func runBlocking() throws(PipelineError) -> TelemetrySnapshot {
        guard lifecycle.compareExchange(expected: Lifecycle.built.rawValue, desired: Lifecycle.running.rawValue,
                                        ordering: .sequentiallyConsistent).exchanged
        else { throw .alreadyStarted }
        defer { lifecycle.store(Lifecycle.finished.rawValue, ordering: .sequentiallyConsistent) }
        let reporter = TelemetryReporter(recorder: telemetry, interval: configuration.statsInterval.seconds, logger: logger,
                                         metricsFactory: metricsFactory,
                                         onSnapshot: onSnapshot)
        telemetry.poolUse(inUse: 0, capacity: slotCount)
        reporter.start()
        if source.audioTrack != nil {
            source.audioHandler = { [audio] packet in _ = audio.put(packet) }
        }
        let stages = DispatchGroup()
        spawn("backdrop.source", in: stages, runSource)
        spawn("backdrop.inference", in: stages, runInference)
        spawn("backdrop.effect", in: stages, runEffect)
        spawn("backdrop.sink", in: stages, runSink)
        stages.wait()

        source.close()
        inference.shutDown()
        subscribers.finishAll()
        let summary = reporter.stop()
        finalSummary.withLock { $0 = summary }
        if let error = failure.withLock({ $0 }) { throw error }
        return summary
    }

    private func spawn(_ name: String, in group: DispatchGroup, _ body: @escaping @Sendable () -> Void) {
        group.enter()
        startNamedThread(name) {
            body()
            group.leave()
        }
    }

    /// Records the run's first failure and stops; later failures (often the same cause, seen by
    /// another stage or sink) are logged at debug level only, so the cause is reported once.
    private func fail(_ error: PipelineError) {
        let first = failure.withLock { stored in
            defer { if stored == nil { stored = error } }
            return stored == nil
        }
        stop()
        if first { logger?.error("stopping: \(error)") } else { logger?.debug("also failed: \(error)") }
    }

    private func fail(at stage: PipelineStage, _ error: any Error) { fail(.stageFailed(stage, underlying: error)) }

    private var failed: Bool { failure.withLock { $0 != nil } }

    private static func now() -> UInt64 { DispatchTime.now().uptimeNanoseconds }

    // MARK: Stages

    private func runSource() {
        let live = configuration.mode == .live
        var settings = initialSettings
        var minimumInterval = Self.minimumInterval(settings.settings, mode: configuration.mode)
        var lastAccepted: UInt64? = nil
        var discard = FrameSlot(settings: settings)  // live mode reads into this when every slot is busy: a camera must be drained
        defer { toInference.close() }
        do {
            while !stopRequested.load(ordering: .relaxed) {
                guard var slot = live ? free.poll() : free.take() else {
                    guard try source.read(into: &discard.video) else { return sourceEnded() }
                    telemetry.frameRead()
                    telemetry.dropped(at: .source, because: .poolExhausted)
                    continue
                }
                guard try source.read(into: &slot.video) else {
                    _ = free.put(slot)
                    return sourceEnded()
                }
                slot.capturedAt = Self.now()
                telemetry.frameRead()
                if let newer = settingsChannel.take(forFrame: slot.video.index) {
                    settings = newer
                    minimumInterval = Self.minimumInterval(newer.settings, mode: configuration.mode)
                }
                slot.stamp(with: settings)
                if let last = lastAccepted {
                    let elapsed = slot.capturedAt - last
                    // Live: 20% slack, so a source at exactly the cap, jittering around it, loses nothing.
                    if live, elapsed < minimumInterval * 4 / 5 {
                        telemetry.dropped(at: .source, because: .rateCap)
                        _ = free.put(slot)
                        continue
                    }
                    // Offline: hold the pace instead of dropping.
                    if !live, elapsed < minimumInterval {
                        Thread.sleep(forTimeInterval: Double(minimumInterval - elapsed) / 1e9)
                        slot.capturedAt = Self.now()
                    }
                }
                lastAccepted = slot.capturedAt
                if let displaced = toInference.put(consume slot) {
                    telemetry.dropped(at: .inference, because: .replacedByNewer)
                    _ = free.put(displaced)
                }
            }
        } catch {
            fail(at: .source, error)
        }
    }

    /// Nanoseconds between two frames at the settings' rate cap (0: no cap).
    private static func minimumInterval(_ settings: PipelineSettings, mode: PipelineConfiguration.Mode) -> UInt64 {
        guard let cap = settings.rateCap(in: mode), cap > 0 else { return 0 }
        return UInt64(1e9 / cap)
    }

    /// The source has no more frames. A file that ended well short of the frames it declares is
    /// warned about and goes into the summary; the run still succeeds (what came before the cut is
    /// good), unless not one frame came before the cut: then there is nothing good, and it fails.
    private func sourceEnded() {
        let statistics = source.statistics
        guard statistics.endedEarly, let declared = statistics.framesDeclared else { return }
        telemetry.inputEndedEarly(framesDecoded: statistics.framesDelivered, framesDeclared: declared)
        if statistics.framesDelivered == 0 {
            return fail(.inputTruncated(source: source.name, framesDeclared: declared))
        }
        let message = "\(source.name) ended early: decoded \(statistics.framesDelivered) of the \(declared) frames it declares, "
            + "so the file looks truncated (a copy, download or recording that did not finish). The output holds "
            + "the frames before the cut; get a complete copy of the input for the rest."
        logger?.warning("\(message)")
    }

    private func runInference() {
        defer { toEffect.close() }
        while var slot = toInference.take() {
            if failed {
                telemetry.dropped(at: .inference, because: .runFailed)
                _ = free.put(slot)
                continue
            }
            do {
                try inference.process(&slot)
            } catch {
                fail(at: .inference, error)
                telemetry.frameFailed()
                _ = free.put(slot)
                continue
            }
            telemetry.frameProcessed()
            if let displaced = toEffect.put(consume slot) {
                telemetry.dropped(at: .effect, because: .replacedByNewer)
                _ = free.put(displaced)
            }
        }
    }

    private func runEffect() {
        defer { toSink.close() }
        while var slot = toEffect.take() {
            if !failed {
                effects.process(&slot, maskWanted: maskSink != nil || !subscribers.isEmpty)
            }
            if let displaced = toSink.put(consume slot) {
                telemetry.dropped(at: .sink, because: .replacedByNewer)
                _ = free.put(displaced)
            }
        }
    }

    private func runSink() {
        // Audio is written while the sink waits for a frame too: a stretch of a file with more audio
        // packets than the audio hand-off holds and no video (a long audio tail after the last
        // frame, or before the decoder's first) would otherwise block the source in `audio.put`
        // while this thread waits for a frame that never comes.
        let serveAudio = { [self] in
            if failed {
                while audio.poll() != nil {}
            } else {
                do { try writeAudio() } catch { fail(at: .sink, error) }
            }
        }
        while let slot = toSink.take(idlingEvery: 0.02, serveAudio) {
            if failed {
                telemetry.dropped(at: .sink, because: .runFailed)  // the run failed earlier: discarded
            } else {
                do {
                    try writeAudio()
                    for sink in sinks { try sink.write(slot.video) }
                    try maskSink?.write(slot.video, mask: slot.mask)
                    let latency = Self.now() - slot.capturedAt
                    telemetry.frameOutput(latencyNanoseconds: latency)
                    outputCount.add(1, ordering: .relaxed)
                    publish(slot, latency: latency)
                } catch {
                    fail(at: .sink, error)
                    telemetry.frameFailed()  // this frame is lost to the error
                }
            }
            telemetry.poolUse(inUse: slotCount - free.waiting, capacity: slotCount)
            _ = free.put(consume slot)
        }
        if !failed {
            do { try writeAudio() } catch { fail(at: .sink, error) }
        }
        audio.close()
        guard failed else {
            for sink in sinks {
                do { try sink.finish() } catch { fail(at: .sink, error) }
            }
            do { try maskSink?.finish() } catch { fail(at: .sink, error) }
            return
        }
        // After a failure nothing replaces a good output: what was written is kept, playable, under its own name.
        let kept = (sinks.map { $0.finishAfterFailure() } + [maskSink?.finishAfterFailure()]).compactMap { $0 }
        keptAfterFailure.withLock { $0 = kept }
        for path in kept { logger?.warning("the frames written before the failure are kept in \(path)") }
    }

    /// After `run()` threw: the files that hold the frames written before the failure (each
    /// finalized under a name of its own, so no earlier output was replaced). Empty otherwise.
    public var incompleteOutputs: [String] { keptAfterFailure.withLock { $0 } }

    private func writeAudio() throws {
        while let packet = audio.poll() {
            for sink in sinks { try sink.writeAudio(packet) }
        }
    }

    private func publish(_ slot: FrameSlot, latency: UInt64) {
        guard !subscribers.isEmpty else { return }
        subscribers.publish { includeFrame in
            PipelineResult(index: slot.video.index, timestampMicroseconds: slot.video.timestampMicroseconds,
                           frame: includeFrame ? slot.video.image : nil, mask: slot.mask, faces: slot.faces,
                           latencyMilliseconds: Double(latency) / 1e6)
        }
    }
}

extension Duration {
    /// The duration in seconds, as a Double.
    var seconds: Double {
        let (seconds, attoseconds) = components
        return Double(seconds) + Double(attoseconds) / 1e18
    }
}
