import BackdropCore
import Foundation

/// The stages' loops, each on its own thread (started by `Pipeline.runBlocking()`): source ->
/// inference (-> faces) -> effect -> sink, frame slots passed through the hand-offs and back to `free`.
extension Pipeline {
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

    /// When the frame was captured: the device's own time when the source knows it (a V4L2
    /// camera's buffer timestamp, so latency includes the driver's queue), else now.
    private static func captureTime(of frame: VideoFrame) -> UInt64 {
        let now = now()
        let captured = frame.captureUptimeNanoseconds
        return captured > 0 && captured <= now ? captured : now
    }

    // MARK: Stages

    func runSource() {
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
                slot.capturedAt = Self.captureTime(of: slot.video)
                telemetry.frameRead()
                if let newer = settingsChannel.take(forFrame: slot.video.index) {
                    settings = newer
                    minimumInterval = Self.minimumInterval(newer.settings, mode: configuration.mode)
                }
                slot.stamp(with: settings)
                if let last = lastAccepted {
                    // Capture times come from the device and may step back after a reconnect.
                    let elapsed = slot.capturedAt > last ? slot.capturedAt - last : 0
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

    func runInference() {
        runInferenceStep(from: toInference, to: toFaces ?? toEffect, finishesInference: toFaces == nil) { slot in
            try inference.process(&slot)
        }
    }

    /// The face landmarker's own stage (offline with concurrent inference): a frame behind the segmenter.
    func runFaces() {
        guard let toFaces, let faces = inference.faces else { return }
        runInferenceStep(from: toFaces, to: toEffect, finishesInference: true) { slot in try faces.process(&slot) }
    }

    /// One stage of inference: each frame from `input` through `work` to `output`, until `input`
    /// is closed and drained; then `output` is closed. A frame that fails is counted and its slot
    /// freed; `finishesInference`: this is inference's last stage, which counts a frame processed.
    private func runInferenceStep(from input: Handoff<FrameSlot>, to output: Handoff<FrameSlot>, finishesInference: Bool,
                                  _ work: (inout FrameSlot) throws -> Void) {
        defer { output.close() }
        while var slot = input.take() {
            if failed {
                telemetry.dropped(at: .inference, because: .runFailed)
                _ = free.put(slot)
                continue
            }
            do {
                try work(&slot)
            } catch {
                fail(at: .inference, error)
                telemetry.frameFailed()
                _ = free.put(slot)
                continue
            }
            if finishesInference { telemetry.frameProcessed() }
            if let displaced = output.put(consume slot) {
                telemetry.dropped(at: .effect, because: .replacedByNewer)
                _ = free.put(displaced)
            }
        }
    }

    func runEffect() {
        defer { toSink.close() }
        while var slot = toEffect.take() {
            if !failed {
                // Unwatched, the preview costs three atomic loads per frame here.
                let previewed = preview.isWatched
                let now = previewed ? Self.now() : 0
                if previewed { preview.offer(input: slot.video.image, now: now) }
                let maskWanted = maskSink != nil || subscribers.wantsMask || preview.wantsMask
                effects.process(&slot, maskWanted: maskWanted)
                if previewed { preview.offer(output: slot.video.image, mask: slot.mask, maskIsFresh: maskWanted, now: now) }
            }
            if let displaced = toSink.put(consume slot) {
                telemetry.dropped(at: .sink, because: .replacedByNewer)
                _ = free.put(displaced)
            }
        }
    }

    func runSink() {
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

    private func writeAudio() throws {
        while let packet = audio.poll() {
            for sink in sinks { try sink.writeAudio(packet) }
        }
    }

    private func publish(_ slot: FrameSlot, latency: UInt64) {
        guard !subscribers.isEmpty else { return }
        subscribers.publish { includeFrame, includeMask in
            PipelineResult(index: slot.video.index, timestampMicroseconds: slot.video.timestampMicroseconds,
                           frame: includeFrame ? slot.video.image : nil, mask: includeMask ? slot.mask : ConfidenceMask(),
                           faces: slot.faces,
                           latencyMilliseconds: Double(latency) / 1e6)
        }
    }}
