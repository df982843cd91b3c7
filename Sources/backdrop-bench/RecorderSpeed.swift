import ArgumentParser
import BackdropPipeline
import Foundation

/// What the telemetry recorder costs a frame, and what a snapshot costs the reporter's thread.
struct RecorderSpeed: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "recorder-speed",
        abstract: "Nanoseconds per TelemetryRecorder call on the frame path, and microseconds per snapshot.",
        discussion: """
        Records --frames frame latencies (spread over 20-60 ms, with a slow frame in every 100, as a
        live run has them) through frameOutput(latencyNanoseconds:), then the same number of whole
        frames (read + processed + output), each loop timed as a whole on one thread (no contention).
        Then times --snapshots snapshots of 150 frames each: the reporter's once-an-interval work.
        Each figure is the best of --repeats runs (a shared machine only ever adds time).
        Build with -c release; the figures are for comparing builds on one machine, not absolutes.
        """,
        shouldDisplay: false)

    @Option(help: "Frames per timed loop.")
    var frames = 5_000_000
    @Option(help: "Snapshots to time.")
    var snapshots = 500
    @Option(help: "Runs of each measurement; the fastest is reported.")
    var repeats = 5

    func run() throws {
        let latencies: [UInt64] = (0..<1_000).map { (index: Int) -> UInt64 in
            index % 100 == 99 ? 250_000_000 : 20_000_000 + UInt64(index) * 40_000
        }
        let recorder = TelemetryRecorder(now: 0)
        let outputOnly = best {
            Self.nanosecondsPerIteration(frames) { index in
                recorder.frameOutput(latencyNanoseconds: latencies[index % latencies.count])
            }
        }
        let wholeFrame = best {
            Self.nanosecondsPerIteration(frames) { index in
                recorder.frameRead()
                recorder.frameProcessed()
                recorder.frameOutput(latencyNanoseconds: latencies[index % latencies.count])
            }
        }
        let snapshotRecorder = TelemetryRecorder(now: 0)
        var clock = 0.0
        let snapshot = best {
            var nanoseconds = 0.0
            for _ in 0..<snapshots {
                for index in 0..<150 { snapshotRecorder.frameOutput(latencyNanoseconds: latencies[index]) }
                clock += 5
                let now = clock
                nanoseconds += Self.nanosecondsPerIteration(1) { _ in _ = snapshotRecorder.snapshot(now: now) }
            }
            return nanoseconds / Double(snapshots)
        }
        print("frameOutput(latencyNanoseconds:): \(Self.format(outputOnly)) ns per call (best of \(repeats) x \(frames) calls)")
        print("read + processed + output:        \(Self.format(wholeFrame)) ns per frame")
        print("snapshot (150 frames an interval): \(Self.format(snapshot / 1_000)) µs per snapshot")
    }

    private func best(_ measure: () -> Double) -> Double {
        (0..<max(1, repeats)).map { _ in measure() }.min()!
    }

    private static func nanosecondsPerIteration(_ count: Int, _ body: (Int) -> Void) -> Double {
        let clock = ContinuousClock()
        let elapsed = clock.measure { for index in 0..<count { body(index) } }
        let (seconds, attoseconds) = elapsed.components
        return (Double(seconds) * 1e9 + Double(attoseconds) / 1e9) / Double(count)
    }

    private static func format(_ value: Double) -> String { String(format: "%.1f", value) }
}
