import BackdropCore
import BackdropEffects
import BackdropMediaPipe
import Foundation
import Logging
import Synchronization

/// Backdrop's live pipeline: source -> inference -> effect -> sinks, each stage on its own thread.
///
/// - A fixed set of frame slots circulates through the stages (no per-frame allocation); a slot
///   has one owner at a time.
/// - Between stages, hand-offs of fixed capacity: offline mode waits when one is full (every frame
///   is processed), live mode keeps only the newest frame and counts each one it drops.
/// - `run()` blocks until the source ends or `stop()` is called, drains the frames in flight,
///   finishes every sink (files are finalized) and returns the run's telemetry summary.
public final class Pipeline: @unchecked Sendable {
    public let configuration: PipelineConfiguration
    public let telemetry: TelemetryRecorder

    private let source: VideoSource
    private let sinks: [VideoSink]
    private let maskSink: (any MaskSink)?
    private let inference: InferenceStage
    private let effects: EffectStage
    private let logger: Logger

    private let free: Handoff<FrameSlot>
    private let toInference: Handoff<FrameSlot>
    private let toEffect: Handoff<FrameSlot>
    private let toSink: Handoff<FrameSlot>
    private let audio: Handoff<any MediaPacket>
    private let slotCount: Int

    private let stopRequested = Atomic<Bool>(false)
    private let finished = Atomic<Bool>(false)
    private let outputCount = Atomic<Int>(0)
    private let failure = Mutex<Error?>(nil)
    private let keptAfterFailure = Mutex<[String]>([])
    private let results = Mutex<AsyncStream<PipelineResult>.Continuation?>(nil)
    private let includeFrames = Atomic<Bool>(false)
    /// Receives each periodic telemetry snapshot (the figures of the log line), for a Swift caller.
    private let onSnapshot: (@Sendable (TelemetrySnapshot) -> Void)?

    /// `maskSink`, when given, receives every output frame's person mask (a mask video for editors).
    public init(source: VideoSource, sinks: [VideoSink], maskSink: (any MaskSink)? = nil,
                configuration: PipelineConfiguration, logger: Logger = Logger(label: "backdrop.pipeline"),
                onSnapshot: (@Sendable (TelemetrySnapshot) -> Void)? = nil) throws(MediaPipeError) {
        self.onSnapshot = onSnapshot
        self.source = source
        self.sinks = sinks
        self.maskSink = maskSink
        self.configuration = configuration
        self.logger = logger
        let telemetry = TelemetryRecorder()
        self.telemetry = telemetry
        inference = try InferenceStage(configuration: configuration) { task in
            telemetry.instanceSwapped(task: task)
            logger.info("memory guard: replaced the \(task) instance with a fresh one")
        }
        effects = EffectStage(configuration: configuration)

        let live = configuration.mode == .live
        let capacity = live ? 1 : max(1, configuration.handoffCapacity)
        let policy: Handoff<FrameSlot>.FullPolicy = live ? .replaceOldest : .wait
        toInference = Handoff(capacity: capacity, policy: policy)
        toEffect = Handoff(capacity: capacity, policy: policy)
        toSink = Handoff(capacity: capacity, policy: policy)
        // Every slot can be in a hand-off or a stage at once, plus one spare for the source.
        slotCount = 3 * capacity + 4
        free = Handoff(capacity: slotCount, policy: .wait)
        for _ in 0..<slotCount { _ = free.put(FrameSlot()) }
        // Audio waits for the sink thread (a muxer is not shared between threads); offline mode
        // keeps every packet, live mode the newest.
        audio = Handoff(capacity: 4096, policy: live ? .replaceOldest : .wait)
    }

    /// Frames written to the sinks so far (for progress displays).
    public var framesOutput: Int { outputCount.load(ordering: .relaxed) }

    /// True once `run()` has returned (or thrown).
    public var isFinished: Bool { finished.load(ordering: .sequentiallyConsistent) }

    /// Asks the pipeline to stop: the source stops reading, frames in flight are finished, sinks finalized.
    public func stop() { stopRequested.store(true, ordering: .sequentiallyConsistent) }

    /// Results for each output frame, for a Swift caller. The stream keeps the newest
    /// `bufferingNewest` results when the caller falls behind. Call before `run()`.
    public func results(bufferingNewest: Int = 8, includeFrames: Bool = false) -> AsyncStream<PipelineResult> {
        let (stream, continuation) = AsyncStream<PipelineResult>.makeStream(bufferingPolicy: .bufferingNewest(max(1, bufferingNewest)))
        self.includeFrames.store(includeFrames, ordering: .relaxed)
        results.withLock { $0 = continuation }
        return stream
    }

    /// Runs until the source ends or `stop()`; returns the whole run's telemetry.
    @discardableResult
    public func run() throws -> TelemetrySnapshot {
        defer { finished.store(true, ordering: .sequentiallyConsistent) }
        let reporter = TelemetryReporter(recorder: telemetry, interval: configuration.statsInterval, logger: logger,
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
        results.withLock { $0?.finish() }
        let summary = reporter.stop()
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
    private func fail(_ error: Error) {
        let first = failure.withLock { stored in
            defer { if stored == nil { stored = error } }
            return stored == nil
        }
        stop()
        if first { logger.error("stopping: \(error)") } else { logger.debug("also failed: \(error)") }
    }

    private var failed: Bool { failure.withLock { $0 != nil } }

    private static func now() -> UInt64 { DispatchTime.now().uptimeNanoseconds }

    // MARK: Stages

    private func runSource() {
        let live = configuration.mode == .live
        let minimumInterval = configuration.maxFPS > 0 ? UInt64(1e9 / configuration.maxFPS) : 0
        var lastAccepted: UInt64? = nil
        var discard = FrameSlot()  // live mode reads into this when every slot is busy: a camera must be drained
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
            fail(error)
        }
    }

    /// The source has no more frames. A file that ended well short of the frames it declares is
    /// warned about and goes into the summary; the run still succeeds (what came before the cut is
    /// good), unless not one frame came before the cut: then there is nothing good, and it fails.
    private func sourceEnded() {
        let statistics = source.statistics
        guard statistics.endedEarly, let declared = statistics.framesDeclared else { return }
        telemetry.inputEndedEarly(framesDecoded: statistics.framesDelivered, framesDeclared: declared)
        if statistics.framesDelivered == 0 {
            return fail(InputTruncated(source: source.name, framesDeclared: declared))
        }
        let message = "\(source.name) ended early: decoded \(statistics.framesDelivered) of the \(declared) frames it declares, "
            + "so the file looks truncated (a copy, download or recording that did not finish). The output holds "
            + "the frames before the cut; get a complete copy of the input for the rest."
        logger.warning("\(message)")
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
                fail(error)
                telemetry.dropped(at: .inference, because: .runFailed)
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
                let maskWanted = maskSink != nil || results.withLock { $0 != nil }
                effects.process(&slot, maskWanted: maskWanted)
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
                do { try writeAudio() } catch { fail(error) }
            }
        }
        while let slot = toSink.take(idlingEvery: 0.02, serveAudio) {
            var written = !failed
            if written {
                do {
                    try writeAudio()
                    for sink in sinks { try sink.write(slot.video) }
                    try maskSink?.write(slot.video, mask: slot.mask)
                } catch {
                    fail(error)
                    written = false
                }
            }
            if written {
                let latency = Self.now() - slot.capturedAt
                telemetry.frameOutput(latencyNanoseconds: latency)
                outputCount.add(1, ordering: .relaxed)
                publish(slot, latency: latency)
            } else {
                telemetry.dropped(at: .sink, because: .runFailed)
            }
            telemetry.poolUse(inUse: slotCount - free.waiting, capacity: slotCount)
            _ = free.put(consume slot)
        }
        if !failed {
            do { try writeAudio() } catch { fail(error) }
        }
        audio.close()
        guard failed else {
            for sink in sinks {
                do { try sink.finish() } catch { fail(error) }
            }
            do { try maskSink?.finish() } catch { fail(error) }
            return
        }
        // After a failure nothing replaces a good output: what was written is kept, playable, under its own name.
        let kept = (sinks.map { $0.finishAfterFailure() } + [maskSink?.finishAfterFailure()]).compactMap { $0 }
        keptAfterFailure.withLock { $0 = kept }
        for path in kept { logger.warning("the frames written before the failure are kept in \(path)") }
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
        results.withLock { continuation in
            guard let continuation else { return }
            continuation.yield(PipelineResult(
                index: slot.video.index, timestampMicroseconds: slot.video.timestampMicroseconds,
                frame: includeFrames.load(ordering: .relaxed) ? slot.video.image : nil,
                mask: slot.mask, faces: slot.faces, latencyMilliseconds: Double(latency) / 1e6))
        }
    }
}
