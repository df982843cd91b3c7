import BackdropCore
import Dispatch
import Foundation
import Logging
import Synchronization

/// Keeps Backdrop's promise to report its own numbers: a background thread that samples resident
/// memory every `rssSampleInterval`, and every `interval` takes a snapshot, logs its `line()` at
/// `.info` (with the figures as metadata) and hands it to `onSnapshot`.
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
    /// Seconds between snapshots.
    public let interval: Double
    /// Seconds between resident-memory samples.
    public let rssSampleInterval: Double
    private let logger: Logger?
    private let logsSummary: Bool
    private let onSnapshot: (@Sendable (TelemetrySnapshot) -> Void)?
    private let wake = DispatchSemaphore(value: 0)
    private let finished = DispatchSemaphore(value: 0)
    private let phase = Mutex<Phase>(.idle)

    /// - Parameters:
    ///   - recorder: what the stages record into; its times must come from `TelemetryClock`.
    ///   - logger: where lines go (nil: no log lines). The library makes no Logger of its own.
    ///   - logsSummary: whether `stop()` logs the final `summary()` (off when the caller logs it).
    ///   - onSnapshot: called on the reporter's thread with each periodic snapshot (not the final
    ///     one, which `stop()` returns). Must not call `stop()`.
    public init(recorder: TelemetryRecorder, interval: Double = 5, rssSampleInterval: Double = 1,
                logger: Logger? = nil, logsSummary: Bool = true,
                onSnapshot: (@Sendable (TelemetrySnapshot) -> Void)? = nil) {
        precondition(interval > 0 && rssSampleInterval > 0, "telemetry intervals must be positive")
        self.recorder = recorder
        self.interval = interval
        self.rssSampleInterval = rssSampleInterval
        self.logger = logger
        self.logsSummary = logsSummary
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

    /// Stops the thread (promptly: it is woken, not waited out), then takes, logs and returns the
    /// final snapshot: its interval is the time since the last periodic one, and its `run` figures
    /// and `summary()` cover the whole run. Later calls return the same snapshot.
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
            recorder.sampleRSS(bytes: ProcessMemory.residentBytes(), now: now)
            let last = recorder.snapshot(now: now)
            if logsSummary { logger?.info("telemetry summary: \(last.summary())", metadata: last.logMetadata()) }
            phase = .stopped(last)
            return last
        }
    }

    private func run() {
        let start = TelemetryClock.now()
        recorder.sampleRSS(bytes: ProcessMemory.residentBytes(), now: start)
        var nextSample = start + rssSampleInterval
        var nextReport = start + interval
        while true {
            let wait = max(0, min(nextSample, nextReport) - TelemetryClock.now())
            if wake.wait(timeout: .now() + wait) == .success { break }
            let now = TelemetryClock.now()
            let reportDue = now >= nextReport
            if now >= nextSample || reportDue {
                recorder.sampleRSS(bytes: ProcessMemory.residentBytes(), now: now)
                nextSample = Self.next(after: nextSample, step: rssSampleInterval, now: now)
            }
            if reportDue {
                let snapshot = recorder.snapshot(now: now)
                logger?.info("\(snapshot.line())", metadata: snapshot.logMetadata())
                onSnapshot?(snapshot)
                nextReport = Self.next(after: nextReport, step: interval, now: now)
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
