import Metrics
import Synchronization

/// The telemetry as swift-metrics, so the app that embeds the pipeline chooses the backend
/// (Prometheus, StatsD, OpenTelemetry, a test double) by the factory it passes or bootstraps.
///
/// Every metric object is made once, in `init`, from the given factory (drop and swap counters for
/// every stage, reason and task, so a series exists at 0 before its first event). `publish` runs
/// once per interval on the reporter's thread, never on the frame path: the frame path records into
/// `TelemetryRecorder` alone.
///
/// The metrics, and why latency is percentile gauges, are listed in `TelemetryReporter`'s documentation.
/// Counters are advanced by the run totals' growth since the previous publish, so a backend's total
/// equals the recorder's run total after each publish.
final class TelemetryMetrics: Sendable {
    static let frames = "backdrop_frames_total"
    static let drops = "backdrop_frames_dropped_total"
    static let failed = "backdrop_frames_failed_total"
    static let swaps = "backdrop_instance_swaps_total"
    static let residentBytes = "backdrop_rss_bytes"
    static let poolInUse = "backdrop_pool_slots_in_use"
    static let poolPeakInUse = "backdrop_pool_slots_peak_in_use"
    static let poolCapacity = "backdrop_pool_slots_capacity"
    static let latency = "backdrop_frame_latency_seconds"
    static let latencyMax = "backdrop_frame_latency_max_seconds"
    /// The percentiles published, as the `quantile` dimension spells them.
    static let quantiles = ["0.5", "0.95", "0.99"]

    /// What the previous publish counted, to advance the counters by the difference.
    private struct Published {
        var read = 0
        var processed = 0
        var output = 0
        var failed = 0
        var drops: [Int]
        var swaps: [Int]
    }

    private let framesRead: Counter
    private let framesProcessed: Counter
    private let framesOutput: Counter
    private let framesFailed: Counter
    /// Indexed by stage * reasons + reason.
    private let dropCounters: [Counter]
    /// Indexed by task.
    private let swapCounters: [Counter]
    private let rss: Gauge
    private let slotsInUse: Gauge
    private let slotsPeakInUse: Gauge
    private let slotsCapacity: Gauge
    /// p50, p95, p99, as `quantiles`.
    private let latencyQuantiles: [Gauge]
    private let latencyMaximum: Gauge
    private let published: Mutex<Published>

    init(factory: any MetricsFactory) {
        func frames(_ stage: PipelineStage) -> Counter {
            Counter(label: Self.frames, dimensions: [("stage", stage.description)], factory: factory)
        }
        framesRead = frames(.source)
        framesProcessed = frames(.effect)
        framesOutput = frames(.sink)
        framesFailed = Counter(label: Self.failed, factory: factory)
        dropCounters = PipelineStage.allCases.flatMap { stage in
            DropReason.allCases.map { reason in
                Counter(label: Self.drops, dimensions: [("stage", stage.description), ("reason", reason.description)], factory: factory)
            }
        }
        swapCounters = SwappedTask.allCases.map { task in
            Counter(label: Self.swaps, dimensions: [("task", task.description)], factory: factory)
        }
        rss = Gauge(label: Self.residentBytes, factory: factory)
        slotsInUse = Gauge(label: Self.poolInUse, factory: factory)
        slotsPeakInUse = Gauge(label: Self.poolPeakInUse, factory: factory)
        slotsCapacity = Gauge(label: Self.poolCapacity, factory: factory)
        latencyQuantiles = Self.quantiles.map { Gauge(label: Self.latency, dimensions: [("quantile", $0)], factory: factory) }
        latencyMaximum = Gauge(label: Self.latencyMax, factory: factory)
        published = Mutex(Published(drops: [Int](repeating: 0, count: dropCounters.count),
                                    swaps: [Int](repeating: 0, count: swapCounters.count)))
    }

    /// Publishes `snapshot` (its run totals for the counters, its interval for the latency) and the
    /// latest resident-memory sample.
    func publish(_ snapshot: TelemetrySnapshot, residentBytes: Int) {
        let run = snapshot.run
        published.withLock { last in
            Self.advance(framesRead, from: &last.read, to: run.framesRead)
            Self.advance(framesProcessed, from: &last.processed, to: run.framesProcessed)
            Self.advance(framesOutput, from: &last.output, to: run.framesOutput)
            Self.advance(framesFailed, from: &last.failed, to: run.framesFailed)
            for drop in run.drops {
                let slot = drop.stage.rawValue * DropReason.allCases.count + drop.reason.rawValue
                Self.advance(dropCounters[slot], from: &last.drops[slot], to: drop.count)
            }
            for swap in run.swapsByTask {
                Self.advance(swapCounters[swap.task.rawValue], from: &last.swaps[swap.task.rawValue], to: swap.count)
            }
        }
        rss.record(residentBytes)
        slotsInUse.record(snapshot.poolInUse)
        slotsPeakInUse.record(snapshot.poolPeakInUse)
        slotsCapacity.record(snapshot.poolCapacity)
        let interval = snapshot.interval
        guard interval.framesOutput > 0 else { return }
        let percentiles = [interval.latencyP50Milliseconds, interval.latencyP95Milliseconds, interval.latencyP99Milliseconds]
        for (gauge, milliseconds) in zip(latencyQuantiles, percentiles) { gauge.record(milliseconds / 1_000) }
        latencyMaximum.record(interval.latencyMaxMilliseconds / 1_000)
    }

    /// Adds what `total` grew by since `last` to `counter` (run totals never shrink).
    private static func advance(_ counter: Counter, from last: inout Int, to total: Int) {
        if total > last { counter.increment(by: total - last) }
        last = max(last, total)
    }
}
