import BackdropCore
import Dispatch
import Foundation
import Logging
import Metrics
import Synchronization

/// Keeps Backdrop's promise to report its own numbers: a background thread that samples resident
/// memory every `rssSampleInterval`, and every `interval` takes a snapshot, publishes it to
/// swift-metrics, logs its `line()` at `.info` (with the figures as metadata) and hands it to `onSnapshot`.
///
/// Metrics, made once from `metricsFactory` and published each interval and at stop:
///
/// | metric | kind | dimensions | value |
/// |---|---|---|---|
/// | `backdrop_frames_total` | counter | `stage`: `source` (read), `effect` (processed), `sink` (output) | frames through that stage |
/// | `backdrop_frames_dropped_total` | counter | `stage`, `reason` (`rate-cap`, `replaced-by-newer`, `pool-exhausted`, `run-failed`) | frames dropped |
/// | `backdrop_frames_failed_total` | counter | none | frames lost to a stage's error (read = output + dropped + failed) |
/// | `backdrop_instance_swaps_total` | counter | `task` (`segmenter`, `face-landmarker`, `other`) | task instances the memory guard replaced |
/// | `backdrop_rss_bytes` | gauge | | resident memory at the latest sample |
/// | `backdrop_pool_slots_in_use`, `backdrop_pool_slots_peak_in_use`, `backdrop_pool_slots_capacity` | gauge | | frame pool use at the report, its peak over the interval, its size |
/// | `backdrop_frame_latency_seconds` | gauge | `quantile`: `0.5`, `0.95`, `0.99` | capture-to-output latency percentile over the interval |
/// | `backdrop_frame_latency_max_seconds` | gauge | | longest latency in the interval |
///
/// Counters are advanced by the run totals' growth since the previous publish, so after `stop()` a
/// backend holds the run's exact counts (counters from several runs or pipelines in one process add up).
///
/// Latency is published as percentile gauges rather than through a swift-metrics `Timer`: a Timer
/// would have to be fed every frame, from the frame path, into backend code whose cost and
/// allocations are not ours to promise. The percentiles come from the recorder's HdrHistogram
/// (3 significant digits). They are per interval and cannot be averaged across processes; the
/// counters can be summed. An interval that outputs no frame leaves the latency gauges as they were.
///
/// The library never makes a `Logger` or bootstraps a logging or metrics system: the caller passes
/// the logger (or none) and the metrics factory (the bootstrapped `MetricsSystem.factory` by default).
///
/// A `Thread` rather than a Task: one explicit, named thread whose lifetime `start()`/`stop()`
/// bound, which keeps reporting even when the cooperative pool is saturated. It sleeps on a
/// semaphore with a timeout, so `stop()` wakes it at once instead of waiting out a sleep.
public final class TelemetryReporter: Sendable {
    private enum Phase {
        case idle
        case running
        case stopped(TelemetrySnapshot)
    }

    public let recorder: TelemetryRecorder
    /// Time between snapshots.
    public let interval: Duration
    /// Time between resident-memory samples.
    public let rssSampleInterval: Duration
    private let logger: Logger?
    private let logsSummary: Bool
    private let metrics: TelemetryMetrics?
    private let onSnapshot: (@Sendable (TelemetrySnapshot) -> Void)?
    private let wake = DispatchSemaphore(value: 0)
    private let finished = DispatchSemaphore(value: 0)
    private let phase = Mutex<Phase>(.idle)

    /// - Parameters:
    ///   - recorder: what the stages record into; its times must come from `TelemetryClock`.
    ///   - logger: where lines go (nil: no log lines).
    ///   - logsSummary: whether `stop()` logs the final `summary()` (off when the caller logs it).
    ///   - metricsFactory: what makes the metrics, once, here (nil: publish none). The default is the
    ///     process's bootstrapped factory (a no-op one until the app bootstraps a backend); a test
    ///     passes its own (`MetricsTestKit.TestMetrics`) without touching the global system.
    ///   - onSnapshot: called on the reporter's thread with each periodic snapshot (not the final
    ///     one, which `stop()` returns). Must not call `stop()`.
    public init(recorder: TelemetryRecorder, interval: Duration = .seconds(5), rssSampleInterval: Duration = .seconds(1),
                logger: Logger? = nil, logsSummary: Bool = true,
                metricsFactory: (any MetricsFactory)? = MetricsSystem.factory,
                onSnapshot: (@Sendable (TelemetrySnapshot) -> Void)? = nil) {
        precondition(interval > .zero && rssSampleInterval > .zero, "telemetry intervals must be positive")
        self.recorder = recorder
        self.interval = interval
        self.rssSampleInterval = rssSampleInterval
        self.logger = logger
        self.logsSummary = logsSummary
        metrics = metricsFactory.map(TelemetryMetrics.init(factory:))
        self.onSnapshot = onSnapshot
    }

    /// Starts the reporting thread. Only the first call does anything.
    public func start() {
        let starts = phase.withLock { phase -> Bool in
            guard case .idle = phase else { return false }
            phase = .running
            return true
        }
        guard starts else { return }
        startNamedThread("backdrop-telemetry") { [self] in run() }
    }

    /// Stops the thread (promptly: it is woken, not waited out), then takes, publishes, logs and
    /// returns the final snapshot: its interval is the time since the last periodic one, and its `run`
    /// figures and `summary()` cover the whole run (so do the published counters). Later calls
    /// return the same snapshot.
    @discardableResult
    public func stop() -> TelemetrySnapshot {
        phase.withLock { phase -> TelemetrySnapshot in
            switch phase {
            case .stopped(let last):
                return last
            case .running:
                wake.signal()
                finished.wait()  // the thread never takes `phase`, so waiting under it cannot deadlock
            case .idle:
                break
            }
            let now = TelemetryClock.now()
            let residentBytes = ProcessMemory.residentBytes()
            recorder.sampleRSS(bytes: residentBytes, now: now)
            let last = recorder.snapshot(now: now)
            metrics?.publish(last, residentBytes: residentBytes)
            if logsSummary { logger?.info("telemetry summary: \(last.summary())", metadata: last.logMetadata()) }
            phase = .stopped(last)
            return last
        }
    }

    private func run() {
        let start = TelemetryClock.now()
        var residentBytes = ProcessMemory.residentBytes()
        recorder.sampleRSS(bytes: residentBytes, now: start)
        // The clock counts seconds as a Double (TelemetryClock), so the steps do too.
        let sampleStep = rssSampleInterval.seconds, reportStep = interval.seconds
        var nextSample = start + sampleStep
        var nextReport = start + reportStep
        while true {
            let wait = max(0, min(nextSample, nextReport) - TelemetryClock.now())
            if wake.wait(timeout: .now() + wait) == .success { break }
            let now = TelemetryClock.now()
            let reportDue = now >= nextReport
            if now >= nextSample || reportDue {
                residentBytes = ProcessMemory.residentBytes()
                recorder.sampleRSS(bytes: residentBytes, now: now)
                nextSample = Self.next(after: nextSample, step: sampleStep, now: now)
            }
            if reportDue {
                let snapshot = recorder.snapshot(now: now)
                metrics?.publish(snapshot, residentBytes: residentBytes)
                logger?.info("\(snapshot.line())", metadata: snapshot.logMetadata())
                onSnapshot?(snapshot)
                nextReport = Self.next(after: nextReport, step: reportStep, now: now)
            }
        }
        finished.signal()
    }

    /// The next deadline on the grid `deadline + k * step` after `now`, skipping (not bunching up)
    /// the ones missed while the process was stalled.
    private static func next(after deadline: Double, step: Double, now: Double) -> Double {
        let next = deadline + step
        return next > now ? next : now + step
    }
}
