import BackdropCore
import BackdropEffects
import BackdropMediaPipe
import Foundation
import Logging
import Metrics
import ServiceLifecycle
import Synchronization

/// Backdrop's live pipeline: source -> inference -> effect -> sinks, each stage on its own thread
/// (offline with concurrent inference, the face landmarker is a stage of its own after inference).
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

    // Internal rather than private: the stages (PipelineStages.swift) use them.

    let source: any VideoSource
    let sinks: [any VideoSink]
    let maskSink: (any MaskSink)?
    let inference: InferenceStage
    let effects = EffectStage()
    let logger: Logger?

    let free: Handoff<FrameSlot>
    let toInference: Handoff<FrameSlot>
    /// From the segmenter to the face landmarker's own stage (nil: the landmarker has none).
    let toFaces: Handoff<FrameSlot>?
    let toEffect: Handoff<FrameSlot>
    let toSink: Handoff<FrameSlot>
    let audio: Handoff<any MediaPacket>
    let slotCount: Int

    let settingsChannel: SettingsChannel
    /// What the source stamps on frames until an update is due.
    let initialSettings: AppliedSettings
    /// The last settings generation handed out; held while an update builds its effect, so updates are serial.
    let updateLock = Mutex<Int>(0)
    let lifecycle = Atomic<Int>(Lifecycle.built.rawValue)
    let stopRequested = Atomic<Bool>(false)
    let outputCount = Atomic<Int>(0)
    let failure = Mutex<PipelineError?>(nil)
    let keptAfterFailure = Mutex<[String]>([])
    let finalSummary = Mutex<TelemetrySnapshot?>(nil)
    let subscribers = ResultSubscribers()
    /// The newest input, output and mask frames for a preview, copied only while someone watches
    /// (`PreviewTap.watch(_:)`); the studio encodes its page's preview from it.
    public let preview = PreviewTap()
    let metricsFactory: (any MetricsFactory)?
    /// Receives each periodic telemetry snapshot (the figures of the log line), for a Swift caller.
    let onSnapshot: (@Sendable (TelemetrySnapshot) -> Void)?

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
        let facesHaveOwnStage = if case .ownStage = inference.facePlacement { true } else { false }
        toFaces = facesHaveOwnStage ? Handoff(capacity: capacity, policy: policy) : nil
        toEffect = Handoff(capacity: capacity, policy: policy)
        toSink = Handoff(capacity: capacity, policy: policy)
        // A slot for every place a frame can be at once: in each hand-off, in each stage (the
        // source, the sink and one more stage than there are hand-offs).
        let handoffs = facesHaveOwnStage ? 4 : 3
        slotCount = handoffs * capacity + handoffs + 1
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
    /// stays allocation-free. With no reader, results cost nothing. `includeMask: false` (say, a
    /// reader of landmarks only) gets an empty mask, and spares the effect stage writing the
    /// frame-size mask (a few ms at 720p) when nothing else reads it.
    public func results(bufferingNewest: Int = 8, includeFrames: Bool = false, includeMask: Bool = true) -> AsyncStream<PipelineResult> {
        subscribers.subscribe(bufferingNewest: bufferingNewest, includeFrames: includeFrames, includeMask: includeMask)
    }

    /// Results that readers of ``results(bufferingNewest:includeFrames:includeMask:)`` fell too far behind to get.
    public var resultsDropped: Int { subscribers.dropped }

    /// After `run()` threw: the files that hold the frames written before the failure (each
    /// finalized under a name of its own, so no earlier output was replaced). Empty otherwise.
    public var incompleteOutputs: [String] { keptAfterFailure.withLock { $0 } }

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
        let reporter = TelemetryReporter(recorder: telemetry, interval: configuration.statsInterval, logger: logger,
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
        if toFaces != nil { spawn("backdrop.faces", in: stages, runFaces) }
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
}
