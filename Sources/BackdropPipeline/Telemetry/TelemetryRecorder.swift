import Synchronization

/// The counters every pipeline stage bumps per frame, and the snapshots made from them.
///
/// One `Mutex` around plain counters and fixed arrays: a handful of frames per second per stage
/// makes contention negligible, and no recording call allocates (no strings, no dictionaries; the
/// arrays are created once and only mutated in place, and never copied out of the lock).
///
/// A frame's latency goes into one histogram, the interval's. A snapshot swaps it for an empty one
/// under the frame lock (a constant-time exchange of storage), then, outside that lock, folds it
/// into the run's histogram, reads both histograms' percentiles and empties it for the next swap:
/// walking HdrHistogram's ~24,600 counters takes a millisecond or two, which no stage should wait for.
///
/// Time is never read on the per-frame path. Rates come from counts divided by the time between
/// snapshots, and every time-taking method accepts `now` (monotonic seconds, `TelemetryClock.now()`
/// by default) so tests can use made-up times.
public final class TelemetryRecorder: Sendable {
    private static let reasonCount = DropReason.allCases.count
    private static let dropSlots = PipelineStage.allCases.count * DropReason.allCases.count
    private static let taskCount = SwappedTask.allCases.count

    /// Counts over one span; `drops` is indexed by stage * reasons + reason, `swaps` by task.
    private struct Counters {
        var read = 0
        var processed = 0
        var output = 0
        var dropped = 0
        var failed = 0
        var drops = [Int](repeating: 0, count: TelemetryRecorder.dropSlots)
        var swaps = [Int](repeating: 0, count: TelemetryRecorder.taskCount)

        mutating func zero() {
            read = 0
            processed = 0
            output = 0
            dropped = 0
            failed = 0
            for slot in drops.indices { drops[slot] = 0 }
            for slot in swaps.indices { swaps[slot] = 0 }
        }
    }

    private struct State {
        var startSeconds: Double
        var intervalStartSeconds: Double
        var interval = Counters()
        var run = Counters()
        /// What the frame path records latencies into: the current interval's.
        var intervalLatency = LatencyHistogram()
        var poolInUse = 0
        var poolCapacity = 0
        var poolPeakInUse = 0
        var rss = RSSTrend()
        var inputEndedEarly: InputEndedEarly?
        /// The sample window (`sample()`), off until the first sample so that nobody pays for it unasked.
        var sampling = false
        var sampleLatency = LatencyHistogram()
        var sampleStartSeconds: Double
        /// The run's counts at the previous sample, so a sample's counts are differences.
        var sampleBase = SampleBase()
    }

    /// Run totals at a sample (plain integers: copying them never touches the frame path's arrays).
    private struct SampleBase {
        var read = 0
        var processed = 0
        var output = 0
        var dropped = 0
    }

    /// The latency histograms only snapshots touch (taken before `state`, never by the frame path).
    private struct Readings {
        /// Empty between snapshots; during one, the interval just ended (swapped out of `State`).
        var spareLatency = LatencyHistogram()
        /// Every interval before the current one.
        var runLatency = LatencyHistogram()
        /// Empty between samples; during one, the sample window just ended.
        var spareSampleLatency = LatencyHistogram()
    }

    private let state: Mutex<State>
    private let readings = Mutex(Readings())
    /// Seconds after the first RSS sample that the slope ignores (model loading, pool filling).
    public let rssWarmupSeconds: Double
    /// The RSS slope is reported only once its samples span this long: a line through a few
    /// seconds extrapolated to an hour says nothing (it reads "n/a" until then).
    public let rssMinimumSpanSeconds: Double

    /// - Parameters:
    ///   - now: when the run (and the first interval) starts.
    ///   - rssWarmupSeconds: start-up time left out of the RSS slope.
    ///   - rssMinimumSpanSeconds: how long the slope's samples must span before it is reported.
    public init(now: Double = TelemetryClock.now(), rssWarmupSeconds: Double = 10, rssMinimumSpanSeconds: Double = 60) {
        state = Mutex(State(startSeconds: now, intervalStartSeconds: now, sampleStartSeconds: now))
        self.rssWarmupSeconds = rssWarmupSeconds
        self.rssMinimumSpanSeconds = rssMinimumSpanSeconds
    }

    // MARK: Per frame (allocation-free)

    /// The source read a frame.
    public func frameRead() {
        state.withLock { $0.interval.read += 1; $0.run.read += 1 }
    }

    /// The effect stage finished a frame.
    public func frameProcessed() {
        state.withLock { $0.interval.processed += 1; $0.run.processed += 1 }
    }

    /// A frame left the pipeline (once per frame, after its sinks), `latencyNanoseconds` after capture.
    public func frameOutput(latencyNanoseconds: UInt64) {
        state.withLock {
            $0.interval.output += 1
            $0.run.output += 1
            $0.intervalLatency.record(nanoseconds: latencyNanoseconds)
            if $0.sampling { $0.sampleLatency.record(nanoseconds: latencyNanoseconds) }
        }
    }

    /// `frameOutput(latencyNanoseconds:)` for a `Duration` (negative durations count as 0).
    public func frameOutput(latency: Duration) {
        let (seconds, attoseconds) = latency.components
        let nanoseconds = seconds < 0 ? 0 : UInt64(seconds) &* 1_000_000_000 &+ UInt64(max(0, attoseconds) / 1_000_000_000)
        frameOutput(latencyNanoseconds: nanoseconds)
    }

    /// A stage met an error on a frame (inference failed on it, a sink could not write it): the
    /// frame is lost to the failure, not dropped. Frames discarded afterwards because the run had
    /// failed are drops (`.runFailed`). So read = output + dropped + failed.
    public func frameFailed() {
        state.withLock { $0.interval.failed += 1; $0.run.failed += 1 }
    }

    /// `stage` dropped a frame because of `reason`.
    public func dropped(at stage: PipelineStage, because reason: DropReason) {
        let slot = stage.rawValue * Self.reasonCount + reason.rawValue
        state.withLock {
            $0.interval.drops[slot] += 1
            $0.interval.dropped += 1
            $0.run.drops[slot] += 1
            $0.run.dropped += 1
        }
    }

    /// The frame pool's occupancy right now; the interval keeps the peak.
    public func poolUse(inUse: Int, capacity: Int) {
        state.withLock {
            $0.poolInUse = inUse
            $0.poolCapacity = capacity
            $0.poolPeakInUse = max($0.poolPeakInUse, inUse)
        }
    }

    /// The memory guard replaced an instance of `task`.
    public func instanceSwapped(task: SwappedTask) {
        state.withLock { $0.interval.swaps[task.rawValue] += 1; $0.run.swaps[task.rawValue] += 1 }
    }

    /// `instanceSwapped(task:)` by name ("segmenter", "face-landmarker"; anything else is `.other`).
    /// Swaps are rare, so the name lookup is affordable here.
    public func instanceSwapped(task name: String) {
        instanceSwapped(task: SwappedTask(name: name))
    }

    /// Adds a resident-memory sample to the trend (the reporter does this once a second).
    public func sampleRSS(bytes: Int, now: Double = TelemetryClock.now()) {
        state.withLock { $0.rss.record(seconds: now, bytes: bytes) }
    }

    /// The input ended with `framesDecoded` of the `framesDeclared` it says it holds (once, at its end).
    public func inputEndedEarly(framesDecoded: Int, framesDeclared: Int) {
        state.withLock { $0.inputEndedEarly = InputEndedEarly(framesDecoded: framesDecoded, framesDeclared: framesDeclared) }
    }

    // MARK: Reading

    /// The figures for the interval since the previous snapshot (or the start), plus the run's;
    /// then starts a new interval.
    public func snapshot(now: Double = TelemetryClock.now()) -> TelemetrySnapshot {
        readings.withLock { readings in
            var snapshot = state.withLock { state in
                let snapshot = Self.snapshot(of: state, now: now, rssWarmupSeconds: rssWarmupSeconds,
                                             rssMinimumSpanSeconds: rssMinimumSpanSeconds)
                // Zero in place: the storage was only borrowed above, so it is still uniquely owned
                // and the next per-frame call will not copy it.
                state.interval.zero()
                swap(&state.intervalLatency, &readings.spareLatency)
                state.intervalStartSeconds = now
                state.poolPeakInUse = state.poolInUse
                return snapshot
            }
            readings.runLatency.merge(readings.spareLatency)
            snapshot.interval.setLatency(from: readings.spareLatency)
            snapshot.run.setLatency(from: readings.runLatency)
            readings.spareLatency.reset()
            return snapshot
        }
    }

    /// The run's figures so far, without starting a new interval.
    ///
    /// Copies the current interval's latencies under the frame lock (a pass over the histogram's
    /// counters): meant for a final or occasional reading, not for every interval (`snapshot` is).
    public func totals(now: Double = TelemetryClock.now()) -> TelemetryFigures {
        readings.withLock { readings in
            var figures = state.withLock { state in
                readings.spareLatency.merge(state.intervalLatency)
                return Self.figures(state.run, seconds: now - state.startSeconds)
            }
            readings.spareLatency.merge(readings.runLatency)
            figures.setLatency(from: readings.spareLatency)
            readings.spareLatency.reset()
            return figures
        }
    }

    /// The figures since the previous sample (or since the first call, which starts the sample
    /// window), without disturbing the periodic snapshots: a second, independent window, for a live
    /// chart that wants a point a second while the log line comes every few seconds. One reader per
    /// recorder (the studio); until the first call, frames pay nothing for it.
    public func sample(now: Double = TelemetryClock.now()) -> TelemetrySample {
        readings.withLock { readings in
            var sample = state.withLock { state in
                let span = max(0, now - state.sampleStartSeconds)
                func rate(_ count: Int) -> Double { span > 0 ? Self.rounded(Double(count) / span) : 0 }
                let run = state.run, base = state.sampleBase
                let sample = TelemetrySample(
                    seconds: Self.rounded(now - state.startSeconds),
                    inputFPS: state.sampling ? rate(run.read - base.read) : 0,
                    processedFPS: state.sampling ? rate(run.processed - base.processed) : 0,
                    outputFPS: state.sampling ? rate(run.output - base.output) : 0,
                    latencyP50Milliseconds: 0, latencyP99Milliseconds: 0,
                    rssMegabytes: Self.rounded(Double(state.rss.latestBytes) / RSSTrend.bytesPerMegabyte),
                    rssSlopeMegabytesPerHour: state.rss.slopeMegabytesPerHour(after: rssWarmupSeconds, spanning: rssMinimumSpanSeconds).map(Self.rounded),
                    framesDropped: state.sampling ? run.dropped - base.dropped : 0,
                    framesDroppedTotal: run.dropped, framesOutputTotal: run.output, swapsTotal: run.swaps.reduce(0, +))
                state.sampleBase = SampleBase(read: run.read, processed: run.processed, output: run.output, dropped: run.dropped)
                state.sampleStartSeconds = now
                state.sampling = true
                swap(&state.sampleLatency, &readings.spareSampleLatency)
                return sample
            }
            sample.latencyP50Milliseconds = Self.rounded(readings.spareSampleLatency.percentile(50))
            sample.latencyP99Milliseconds = Self.rounded(readings.spareSampleLatency.percentile(99))
            readings.spareSampleLatency.reset()
            return sample
        }
    }

    /// Everything but the latency percentiles, which are read outside the frame lock.
    private static func snapshot(of state: borrowing State, now: Double, rssWarmupSeconds: Double,
                                 rssMinimumSpanSeconds: Double) -> TelemetrySnapshot {
        TelemetrySnapshot(
            interval: figures(state.interval, seconds: now - state.intervalStartSeconds),
            run: figures(state.run, seconds: now - state.startSeconds),
            rssMegabytes: rounded(Double(state.rss.latestBytes) / RSSTrend.bytesPerMegabyte),
            rssPeakMegabytes: rounded(Double(state.rss.peakBytes) / RSSTrend.bytesPerMegabyte),
            rssSlopeMegabytesPerHour: state.rss.slopeMegabytesPerHour(after: rssWarmupSeconds, spanning: rssMinimumSpanSeconds).map(rounded),
            poolInUse: state.poolInUse,
            poolCapacity: state.poolCapacity,
            poolPeakInUse: state.poolPeakInUse,
            inputEndedEarly: state.inputEndedEarly)
    }

    /// The counts and rates of a span; its latency percentiles are 0 until `setLatency(from:)`.
    private static func figures(_ counters: Counters, seconds: Double) -> TelemetryFigures {
        let span = max(0, seconds)
        func rate(_ count: Int) -> Double { span > 0 ? rounded(Double(count) / span) : 0 }
        var drops: [DropCount] = []
        for stage in PipelineStage.allCases {
            for reason in DropReason.allCases {
                let count = counters.drops[stage.rawValue * reasonCount + reason.rawValue]
                if count > 0 { drops.append(DropCount(stage: stage, reason: reason, count: count)) }
            }
        }
        return TelemetryFigures(
            seconds: rounded(span),
            framesRead: counters.read, framesProcessed: counters.processed,
            framesOutput: counters.output, framesDropped: counters.dropped, framesFailed: counters.failed,
            inputFPS: rate(counters.read), processedFPS: rate(counters.processed), outputFPS: rate(counters.output),
            latencyP50Milliseconds: 0, latencyP95Milliseconds: 0, latencyP99Milliseconds: 0, latencyMaxMilliseconds: 0,
            drops: drops, swaps: counters.swaps.reduce(0, +),
            swapsByTask: SwappedTask.allCases.compactMap { task in
                counters.swaps[task.rawValue] > 0 ? SwapCount(task: task, count: counters.swaps[task.rawValue]) : nil
            })
    }

    fileprivate static func rounded(_ value: Double) -> Double { (value * 1000).rounded() / 1000 }
}

private extension TelemetryFigures {
    mutating func setLatency(from histogram: LatencyHistogram) {
        latencyP50Milliseconds = TelemetryRecorder.rounded(histogram.percentile(50))
        latencyP95Milliseconds = TelemetryRecorder.rounded(histogram.percentile(95))
        latencyP99Milliseconds = TelemetryRecorder.rounded(histogram.percentile(99))
        latencyMaxMilliseconds = TelemetryRecorder.rounded(histogram.maximumMilliseconds)
    }
}
