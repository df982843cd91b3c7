import BackdropPipeline
import Synchronization

/// The last `capacity` one-second telemetry samples (ten minutes by default), for the page's charts,
/// and the run's health as the samples show it.
final class TelemetryHistory: Sendable {
    private struct State {
        var samples: [TelemetrySample] = []
        /// Monotonic seconds when the output count last grew (or the history started).
        var lastProgressSeconds: Double
        var lastFramesOutput = 0
    }

    let capacity: Int
    private let state: Mutex<State>

    init(capacity: Int, now: Double = TelemetryClock.now()) {
        self.capacity = max(1, capacity)
        state = Mutex(State(lastProgressSeconds: now))
    }

    func append(_ sample: TelemetrySample, now: Double = TelemetryClock.now()) {
        state.withLock { state in
            if state.samples.count == capacity { state.samples.removeFirst() }
            state.samples.append(sample)
            if sample.framesOutputTotal > state.lastFramesOutput {
                state.lastFramesOutput = sample.framesOutputTotal
                state.lastProgressSeconds = now
            }
        }
    }

    var samples: [TelemetrySample] { state.withLock { $0.samples } }
    var latest: TelemetrySample? { state.withLock { $0.samples.last } }

    /// Seconds since a frame was last output (as of the latest sample), and how many were output.
    func secondsSinceProgress(now: Double = TelemetryClock.now()) -> (seconds: Double, framesOutput: Int) {
        state.withLock { (now - $0.lastProgressSeconds, $0.lastFramesOutput) }
    }
}
